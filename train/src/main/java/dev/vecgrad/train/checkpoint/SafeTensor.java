package dev.vecgrad.train.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a safetensors file: its type, shape and raw little-endian bytes (a
 * read-only slice of the file's mapping when read, so large files need little heap).
 */
public final class SafeTensor {
    private final String name;
    private final DType dtype;
    private final int[] shape;
    private final ByteBuffer data;
    /** For {@link #f32View}: the values, converted to bytes only as they are written. */
    private final float[] floats;

    SafeTensor(String name, DType dtype, int[] shape, ByteBuffer data) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.floats = null;
    }

    private SafeTensor(String name, int[] shape, float[] floats) {
        this.name = name;
        this.dtype = DType.F32;
        this.shape = shape;
        this.data = null;
        this.floats = floats;
    }

    /**
     * An F32 tensor that keeps {@code values} (not copied) and turns them into bytes only while
     * {@link SafeTensors#write} streams them out: saving a large model's optimizer state then needs
     * no second copy of it on the heap. The array must not change until it is written.
     *
     * @param name the tensor's name in the file
     * @param values {@code product(shape)} values, row-major
     * @param shape the dimensions
     * @return the tensor
     * @throws IllegalArgumentException if the values do not fill the shape
     */
    public static SafeTensor f32View(String name, float[] values, int... shape) {
        checkCount(name, values.length, shape);
        return new SafeTensor(name, shape.clone(), values);
    }

    /** The values of an {@link #f32View} tensor (shared), or null for a tensor held as bytes. */
    float[] floatView() {
        return floats;
    }

    /**
     * An F32 tensor holding a copy of {@code values} as little-endian bytes.
     *
     * @param name the tensor's name in the file
     * @param values {@code product(shape)} values, row-major
     * @param shape the dimensions
     * @return the tensor
     * @throws IllegalArgumentException if the values do not fill the shape
     */
    public static SafeTensor f32(String name, float[] values, int... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new SafeTensor(name, DType.F32, shape.clone(), b);
    }

    /**
     * An I64 tensor (token ids, as PyTorch stores them).
     *
     * @param name the tensor's name in the file
     * @param values {@code product(shape)} values, row-major
     * @param shape the dimensions
     * @return the tensor
     * @throws IllegalArgumentException if the values do not fill the shape
     */
    public static SafeTensor i64(String name, long[] values, int... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new SafeTensor(name, DType.I64, shape.clone(), b);
    }

    /**
     * An I32 tensor.
     *
     * @param name the tensor's name in the file
     * @param values {@code product(shape)} values, row-major
     * @param shape the dimensions
     * @return the tensor
     * @throws IllegalArgumentException if the values do not fill the shape
     */
    public static SafeTensor i32(String name, int[] values, int... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return new SafeTensor(name, DType.I32, shape.clone(), b);
    }

    private static void checkCount(String name, int n, int[] shape) {
        long want = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("safetensors: tensor '" + name + "' has a negative dimension in " + Arrays.toString(shape));
            want *= d;
        }
        if (want != n) {
            throw new IllegalArgumentException("safetensors: tensor '" + name + "' of shape " + Arrays.toString(shape)
                    + " needs " + want + " values, got " + n);
        }
    }

    /** {@return the tensor's name in the file} */
    public String name() {
        return name;
    }

    /** {@return the element type} */
    public DType dtype() {
        return dtype;
    }

    /** {@return the shape (a copy)} */
    public int[] shape() {
        return shape.clone();
    }

    /** {@return the number of elements} */
    public int numel() {
        return floats != null ? floats.length : data.capacity() / dtype.bytes();
    }

    /**
     * {@return the raw little-endian bytes} A read-only view; made from the values for an {@link #f32View} tensor.
     */
    public ByteBuffer bytes() {
        if (floats != null) {
            ByteBuffer b = ByteBuffer.allocate(floats.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(floats);
            return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The values as float32 (F32 as is; F64, F16 and BF16 converted).
     *
     * @return a new array, row-major
     * @throws IllegalArgumentException for integer types
     */
    public float[] toFloats() {
        int n = numel();
        if (floats != null) return floats.clone();
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) data.getDouble(i * 8);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getShort(i * 2));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((data.getShort(i * 2) & 0xFFFF) << 16);
            }
            default -> throw new IllegalArgumentException("safetensors: tensor '" + name + "' is " + dtype
                    + ", expected a floating-point type (F32, F64, F16 or BF16)");
        }
        return out;
    }

    /**
     * The values as longs (integer types and BOOL).
     *
     * @return a new array, row-major
     * @throws IllegalArgumentException for floating-point types
     */
    public long[] toLongs() {
        int n = numel();
        long[] out = new long[n];
        switch (dtype) {
            case I64 -> data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) out[i] = data.getInt(i * 4);
            }
            case I16 -> {
                for (int i = 0; i < n; i++) out[i] = data.getShort(i * 2);
            }
            case I8 -> {
                for (int i = 0; i < n; i++) out[i] = data.get(i);
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) out[i] = data.get(i) & 0xFF;
            }
            default -> throw new IllegalArgumentException("safetensors: tensor '" + name + "' is " + dtype
                    + ", expected an integer type (I64, I32, I16, I8, U8)");
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
