package dev.vecgrad.train.checkpoint;

/** Element types of the safetensors format, with their size in bytes. */
public enum DType {
    /** IEEE 754 double. */
    F64(8),
    /** IEEE 754 single: what vecgrad computes in and writes. */
    F32(4),
    /** IEEE 754 half (read and converted to F32). */
    F16(2),
    /** bfloat16, the upper half of an F32 (read and converted to F32). */
    BF16(2),
    /** Signed 64-bit integer: token ids as PyTorch stores them. */
    I64(8),
    /** Signed 32-bit integer. */
    I32(4),
    /** Signed 16-bit integer. */
    I16(2),
    /** Signed 8-bit integer. */
    I8(1),
    /** Unsigned 8-bit integer. */
    U8(1),
    /** One byte per boolean, 0 or 1. */
    BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** {@return the bytes per element} */
    public int bytes() {
        return bytes;
    }

    /** {@return whether the type holds floating-point numbers} */
    public boolean isFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The type named {@code s} (as written in a header), or null when unknown. */
    static DType parse(String s) {
        for (DType d : values()) if (d.name().equals(s)) return d;
        return null;
    }
}
