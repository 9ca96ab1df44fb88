package dev.vecgrad.train.checkpoint;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.Batch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code batch.safetensors}: token ids {@code idx} and {@code targets}, {@code [B, T]}, I64 or I32. */
public final class BatchFile {
    private BatchFile() {}

    /**
     * Reads a batch whose ids are checked only for sign (see {@link #read(Path, int)}).
     *
     * @param file a {@code batch.safetensors}
     * @return the batch
     * @throws CheckpointFormatException naming the file and the problem (as below)
     * @throws IOException when the file cannot be read
     */
    public static Batch read(Path file) throws IOException {
        return read(file, 0);
    }

    /**
     * Reads a batch: tensors {@code idx} and {@code targets} (other tensors are ignored), each I64
     * or I32, each 2-d {@code [B, T]} with B, T >= 1, of the same shape; every {@code idx} value a
     * token id ({@code >= 0}) and every target a token id or -1 (ignored by the loss).
     *
     * @param file a {@code batch.safetensors}
     * @param vocabSize when positive, ids must also be below it
     * @return the batch
     * @throws CheckpointFormatException naming the file and the problem when the file is not
     *     safetensors, a tensor is missing, of another type or rank, the shapes differ, or a value
     *     is out of range (with its position)
     * @throws IOException when the file cannot be read
     */
    public static Batch read(Path file, int vocabSize) throws IOException {
        String src = file.toString();
        SafeTensorsFile f = SafeTensors.read(file);
        SafeTensor idx = f.get("idx"), tgt = f.get("targets");
        for (SafeTensor t : new SafeTensor[] {idx, tgt}) {
            if (t.dtype() != DType.I64 && t.dtype() != DType.I32) {
                throw new CheckpointFormatException(src, "'" + t.name() + "' is " + t.dtype() + ", expected I64 or I32");
            }
            if (t.shape().length != 2 || t.numel() == 0) {
                throw new CheckpointFormatException(src, "'" + t.name() + "' has shape "
                        + Arrays.toString(t.shape()) + ", expected a non-empty [B, T]");
            }
        }
        if (!Arrays.equals(idx.shape(), tgt.shape())) {
            throw new CheckpointFormatException(src, "idx " + Arrays.toString(idx.shape()) + " and targets "
                    + Arrays.toString(tgt.shape()) + " differ in shape");
        }
        int t = idx.shape()[1];
        int[] ids = toIds(src, idx, t, 0, vocabSize), targets = toIds(src, tgt, t, GPT.IGNORE_INDEX, vocabSize);
        return new Batch(ids, targets, idx.shape()[0], t);
    }

    /** The values of a 2-d integer tensor with {@code t} columns, each in [lowest, vocabSize) (or >= lowest). */
    private static int[] toIds(String src, SafeTensor tensor, int t, int lowest, int vocabSize)
            throws CheckpointFormatException {
        ByteBuffer b = tensor.bytes();
        boolean wide = tensor.dtype() == DType.I64;
        int n = tensor.numel();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = wide ? b.getLong(i * 8) : b.getInt(i * 4);
            if (v < lowest || (vocabSize > 0 && v >= vocabSize) || v > Integer.MAX_VALUE) {
                String want = vocabSize > 0 ? "0.." + (vocabSize - 1) : "a token id (>= 0)";
                if (lowest < 0) want += " or " + lowest + " (ignored)";
                throw new CheckpointFormatException(src, "'" + tensor.name() + "' value " + v + " at (batch " + i / t
                        + ", time " + i % t + ") is out of range: expected " + want);
            }
            out[i] = (int) v;
        }
        return out;
    }

    /**
     * Writes a batch as I64 {@code idx} and {@code targets} (PyTorch's dtype for token ids), atomically.
     *
     * @param file the file to create or replace
     * @param b the batch
     * @throws IOException when writing fails
     */
    public static void write(Path file, Batch b) throws IOException {
        long[] idx = Arrays.stream(b.idx()).asLongStream().toArray(), tgt = Arrays.stream(b.targets()).asLongStream().toArray();
        SafeTensors.write(file, java.util.List.of(SafeTensor.i64("idx", idx, b.batchSize(), b.blockSize()),
                SafeTensor.i64("targets", tgt, b.batchSize(), b.blockSize())), null);
    }
}
