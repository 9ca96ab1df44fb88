package dev.vecgrad.train.checkpoint;

import dev.vecgrad.train.data.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code batch.safetensors}: token ids {@code idx} and {@code targets}, {@code [B, T]}, I64 or I32. */
public final class BatchFile {
    private BatchFile() {}

    /**
     * Reads a batch.
     *
     * @throws CheckpointFormatException when a tensor is missing, not an integer type, not 2-d,
     *     the two shapes differ, or a value does not fit an int
     */
    public static Batch read(Path file) throws IOException {
        SafeTensorsFile f = SafeTensors.read(file);
        SafeTensor idx = f.get("idx"), tgt = f.get("targets");
        for (SafeTensor t : new SafeTensor[] {idx, tgt}) {
            if (t.dtype() != DType.I64 && t.dtype() != DType.I32) {
                throw new CheckpointFormatException(file.toString(), "'" + t.name() + "' is " + t.dtype() + ", expected I64 or I32");
            }
            if (t.shape().length != 2 || t.numel() == 0) {
                throw new CheckpointFormatException(file.toString(), "'" + t.name() + "' has shape "
                        + Arrays.toString(t.shape()) + ", expected a non-empty [B, T]");
            }
        }
        if (!Arrays.equals(idx.shape(), tgt.shape())) {
            throw new CheckpointFormatException(file.toString(), "idx " + Arrays.toString(idx.shape()) + " and targets "
                    + Arrays.toString(tgt.shape()) + " differ in shape");
        }
        int b = idx.shape()[0], t = idx.shape()[1];
        return new Batch(toInts(file, idx), toInts(file, tgt), b, t);
    }

    private static int[] toInts(Path file, SafeTensor t) throws CheckpointFormatException {
        long[] v = t.toLongs();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
                throw new CheckpointFormatException(file.toString(), "'" + t.name() + "' value " + v[i] + " at position " + i
                        + " does not fit a token id");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Writes a batch as I64 {@code idx} and {@code targets}. */
    public static void write(Path file, Batch b) throws IOException {
        long[] idx = Arrays.stream(b.idx()).asLongStream().toArray(), tgt = Arrays.stream(b.targets()).asLongStream().toArray();
        SafeTensors.write(file, java.util.List.of(SafeTensor.i64("idx", idx, b.batchSize(), b.blockSize()),
                SafeTensor.i64("targets", tgt, b.batchSize(), b.blockSize())), null);
    }
}
