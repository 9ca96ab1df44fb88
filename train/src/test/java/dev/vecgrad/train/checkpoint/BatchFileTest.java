package dev.vecgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.data.Batch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** batch.safetensors: every malformed file is a {@link CheckpointFormatException} naming the file and the problem. */
class BatchFileTest {
    @TempDir Path tmp;

    /** One tensor of a hand-built file: the header may say anything, the bytes are what follow. */
    private record Entry(String name, String dtype, long[] shape, byte[] data) {}

    private static byte[] build(List<Entry> entries) {
        StringBuilder h = new StringBuilder("{");
        int off = 0;
        for (Entry e : entries) {
            if (h.length() > 1) h.append(',');
            h.append('"').append(e.name).append("\":{\"dtype\":\"").append(e.dtype).append("\",\"shape\":")
                    .append(Arrays.toString(e.shape).replace(" ", "")).append(",\"data_offsets\":[").append(off).append(',')
                    .append(off + e.data.length).append("]}");
            off += e.data.length;
        }
        byte[] header = h.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + off).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (Entry e : entries) b.put(e.data);
        return b.array();
    }

    private static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    private static byte[] ints(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putInt((int) x);
        return b.array();
    }

    private static Entry i64(String name, long[] shape, long... v) {
        return new Entry(name, "I64", shape, longs(v));
    }

    private static Entry i32(String name, long[] shape, long... v) {
        return new Entry(name, "I32", shape, ints(v));
    }

    private static final long[] B2T3 = {2, 3};

    @Test
    void goodFilesRead() throws IOException {
        Path f = tmp.resolve("b.safetensors");
        Batch b = new Batch(new int[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3, -1, 5, 6, 0}, 2, 3);
        BatchFile.write(f, b);
        Batch back = BatchFile.read(f, 7);
        assertArrayEquals(b.idx(), back.idx());
        assertArrayEquals(b.targets(), back.targets());
        assertEquals(2, back.batchSize());
        assertEquals(3, back.blockSize());

        // I32 (as a PyTorch script might write), another tensor alongside (ignored).
        Path g = Files.write(tmp.resolve("i32.safetensors"), build(List.of(i32("idx", B2T3, 0, 1, 2, 3, 4, 5),
                i32("targets", B2T3, 1, 2, 3, 4, 5, -1), new Entry("logits", "F32", new long[] {1}, new byte[4]))));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, -1}, BatchFile.read(g).targets());
    }

    @Test
    void eachMalformationIsNamed() throws IOException {
        long[] ok = {0, 1, 2, 3, 4, 5};
        problem(List.of(i64("ids", B2T3, ok), i64("targets", B2T3, ok)), "no tensor named 'idx'");
        problem(List.of(i64("idx", B2T3, ok), i64("target", B2T3, ok)), "no tensor named 'targets'");
        problem(List.of(i64("idx", B2T3, ok), new Entry("targets", "F32", B2T3, new byte[24])), "'targets' is F32, expected I64 or I32");
        problem(List.of(new Entry("idx", "U8", B2T3, new byte[6]), i64("targets", B2T3, ok)), "'idx' is U8, expected I64 or I32");
        problem(List.of(i64("idx", new long[] {6}, ok), i64("targets", new long[] {6}, ok)), "'idx' has shape [6], expected a non-empty [B, T]");
        problem(List.of(i64("idx", B2T3, ok), i64("targets", new long[] {1, 2, 3}, ok)), "'targets' has shape [1, 2, 3]");
        problem(List.of(i64("idx", new long[] {0, 3}), i64("targets", new long[] {0, 3})), "'idx' has shape [0, 3]");
        problem(List.of(i64("idx", B2T3, ok), i64("targets", new long[] {3, 2}, ok)), "idx [2, 3] and targets [3, 2] differ in shape");
        problem(List.of(i64("idx", B2T3, 0, 1, -1, 3, 4, 5), i64("targets", B2T3, ok)),
                "'idx' value -1 at (batch 0, time 2) is out of range: expected a token id (>= 0)");
        problem(List.of(i64("idx", B2T3, ok), i32("targets", B2T3, 0, 1, 2, 3, -2, 5)),
                "'targets' value -2 at (batch 1, time 1) is out of range: expected a token id (>= 0) or -1 (ignored)");
        problem(List.of(i64("idx", B2T3, 0, 1, 2, 3, 4, 1L << 40), i64("targets", B2T3, ok)), "'idx' value 1099511627776 at (batch 1, time 2)");
        problem(List.of(i64("idx", B2T3, ok), i64("targets", B2T3, Long.MIN_VALUE, 1, 2, 3, 4, 5)), "'targets' value -9223372036854775808");
        problem(List.of(i64("idx", new long[] {2, 3}, 0, 1), i64("targets", B2T3, ok)), "needs 48");
        Path text = Files.writeString(tmp.resolve("notes.txt"), "idx and targets, honest");
        var e = assertThrows(CheckpointFormatException.class, () -> BatchFile.read(text));
        assertEquals(text + ": not a safetensors file (it looks like text)", e.getMessage());
        Path zip = Files.write(tmp.resolve("model.pt"), new byte[] {'P', 'K', 3, 4, 20, 0, 8, 8, 0, 0, 1, 2});
        assertTrue(assertThrows(CheckpointFormatException.class, () -> BatchFile.read(zip)).getMessage()
                .contains("not a safetensors file (it is a zip archive, as PyTorch's torch.save writes"));
        Path noise = Files.write(tmp.resolve("noise.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertTrue(assertThrows(CheckpointFormatException.class, () -> BatchFile.read(noise)).getMessage()
                .startsWith(noise + ": header length"));
        assertThrows(NoSuchFileException.class, () -> BatchFile.read(tmp.resolve("nope.safetensors")));

        Path f = Files.write(tmp.resolve("vocab.safetensors"), build(List.of(i64("idx", B2T3, ok), i64("targets", B2T3, ok))));
        var v = assertThrows(CheckpointFormatException.class, () -> BatchFile.read(f, 5));
        assertTrue(v.getMessage().equals(f + ": 'idx' value 5 at (batch 1, time 2) is out of range: expected 0..4"), v.getMessage());
    }

    private void problem(List<Entry> entries, String words) throws IOException {
        Path f = Files.write(tmp.resolve("bad.safetensors"), build(entries));
        var e = assertThrows(CheckpointFormatException.class, () -> BatchFile.read(f), words);
        assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains(words), e.getMessage());
    }

    private static final Path FUZZ_DIR;

    static {
        try {
            FUZZ_DIR = Files.createTempDirectory("vecgrad-batch");
            FUZZ_DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Mutated valid batch files either read into a batch whose ids are in range, or fail with a
     * CheckpointFormatException naming the file; any other exception fails the property.
     */
    @Property(tries = 3000, seed = "20240611")
    void fuzzedBatchFilesFailCleanly(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
                                     @ForAll @IntRange(min = 0, max = 8) int kind) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        int b = 1 + r.nextInt(4), t = 1 + r.nextInt(8), vocab = r.nextBoolean() ? 0 : 2 + r.nextInt(20);
        List<Entry> entries = new ArrayList<>();
        for (String name : List.of("idx", "targets")) {
            long[] v = new long[b * t];
            for (int i = 0; i < v.length; i++) v[i] = name.equals("targets") && r.nextInt(5) == 0 ? -1 : r.nextInt(vocab > 0 ? vocab : 100);
            boolean wide = r.nextBoolean();
            entries.add(new Entry(name, wide ? "I64" : "I32", new long[] {b, t}, wide ? longs(v) : ints(v)));
        }
        if (r.nextBoolean()) java.util.Collections.swap(entries, 0, 1);
        byte[] bytes;
        switch (kind) {
            case 0 -> { bytes = build(entries); bytes = Arrays.copyOf(bytes, r.nextInt(bytes.length)); }
            case 1 -> {
                bytes = build(entries);
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 2 -> {
                bytes = build(entries);
                int h = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                bytes[8 + r.nextInt(h)] = (byte) "{}[],:\"0123456789-eE.tfn ".charAt(r.nextInt(25));
            }
            case 3 -> { // rename a tensor
                int i = r.nextInt(2);
                Entry e = entries.get(i);
                String[] names = {"ids", "target", "IDX", "", "__metadata__", "idx", "targets", "idx "};
                entries.set(i, new Entry(names[r.nextInt(names.length)], e.dtype, e.shape, e.data));
                bytes = build(entries);
            }
            case 4 -> { // another dtype, with or without bytes to match
                int i = r.nextInt(2);
                Entry e = entries.get(i);
                String[] types = {"F32", "F64", "F16", "BF16", "I16", "I8", "U8", "BOOL", "I64", "I32", "Q4"};
                int[] sizes = {4, 8, 2, 2, 2, 1, 1, 1, 8, 4, 1};
                int k = r.nextInt(types.length);
                byte[] data = r.nextBoolean() ? e.data : new byte[b * t * sizes[k]];
                r.nextBytes(data);
                entries.set(i, new Entry(e.name, types[k], e.shape, data));
                bytes = build(entries);
            }
            case 5 -> { // another shape: rank, order, zeros, negatives, huge; bytes unchanged
                int i = r.nextInt(2);
                Entry e = entries.get(i);
                long[][] shapes = {{b * t}, {t, b}, {1, b, t}, {b * t, 1}, {0, t}, {b, 0}, {}, {-b, -t}, {b, t, 0},
                    {1L << 31, 1}, {b, t}, {b * t / 2, 2}};
                entries.set(i, new Entry(e.name, e.dtype, shapes[r.nextInt(shapes.length)], e.data));
                bytes = build(entries);
            }
            case 6 -> { // hostile values at element positions
                int i = r.nextInt(2);
                Entry e = entries.get(i);
                long[] values = {-1, -2, Integer.MIN_VALUE, Integer.MAX_VALUE, 1L << 31, Long.MIN_VALUE, Long.MAX_VALUE, 0, vocab};
                ByteBuffer d = ByteBuffer.wrap(e.data).order(ByteOrder.LITTLE_ENDIAN);
                for (int n = 0, m = 1 + r.nextInt(3); n < m; n++) {
                    long v = values[r.nextInt(values.length)];
                    int at = r.nextInt(b * t);
                    if (e.dtype.equals("I64")) d.putLong(at * 8, v); else d.putInt(at * 4, (int) v);
                }
                bytes = build(entries);
            }
            case 7 -> { // a tensor dropped or duplicated
                if (r.nextBoolean()) entries.remove(r.nextInt(2)); else entries.add(entries.get(r.nextInt(2)));
                bytes = build(entries);
            }
            default -> bytes = build(entries);
        }
        Path f = Files.write(FUZZ_DIR.resolve("batch-" + seed + ".safetensors"), bytes);
        try {
            Batch batch = BatchFile.read(f, vocab);
            assertEquals(batch.batchSize() * batch.blockSize(), batch.idx().length);
            for (int i = 0; i < batch.idx().length; i++) {
                assertTrue(batch.idx()[i] >= 0 && (vocab == 0 || batch.idx()[i] < vocab), "idx " + batch.idx()[i]);
                assertTrue(batch.targets()[i] >= -1 && (vocab == 0 || batch.targets()[i] < vocab), "target " + batch.targets()[i]);
            }
            Statistics.collect("read");
        } catch (CheckpointFormatException e) {
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            Statistics.collect("rejected");
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void writtenFilesCarryNoMetadataAndReadBackExactly() throws IOException {
        Path f = tmp.resolve("w.safetensors");
        BatchFile.write(f, new Batch(new int[] {3}, new int[] {-1}, 1, 1));
        SafeTensorsFile st = SafeTensors.read(f);
        assertEquals(Map.of(), st.metadata());
        assertEquals(List.of("idx", "targets"), List.copyOf(st.tensors().keySet()));
    }
}
