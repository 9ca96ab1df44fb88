package dev.vecgrad.train.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code {"__metadata__": {...}, "name": {"dtype", "shape", "data_offsets"}}}), then the raw
 * little-endian tensor data. Reading trusts nothing in the file: every size and offset is
 * checked against the file before anything is allocated or read.
 */
public final class SafeTensors {
    /** Headers larger than this are rejected (the reference implementation uses 100 MB too). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private SafeTensors() {}

    /**
     * Reads a safetensors file: the header is parsed and checked, the data is mapped, not copied.
     *
     * @param file the file
     * @return the tensors in header order, and the metadata
     * @throws CheckpointFormatException naming the file and the problem when anything in it is inconsistent
     * @throws IOException when the file cannot be read
     */
    public static SafeTensorsFile read(Path file) throws IOException {
        String source = file.toString();
        if (!Files.exists(file)) throw new NoSuchFileException(source, null, "no such file");
        if (!Files.isRegularFile(file)) throw new CheckpointFormatException(source, "not a regular file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new CheckpointFormatException(source, "too short to be a safetensors file (" + size + " bytes)");
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (len.hasRemaining() && ch.read(len, len.position()) > 0) { /* fill */ }
            long headerLen = len.getLong(0);
            checkHeaderLength(source, headerLen, size, len.array());
            long dataLen = size - 8 - headerLen;
            if (dataLen > Integer.MAX_VALUE) {
                throw new CheckpointFormatException(source, "tensor data of " + dataLen + " bytes exceeds the 2 GiB vecgrad reads");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            while (header.hasRemaining() && ch.read(header, 8 + header.position()) > 0) { /* fill */ }
            ByteBuffer data = dataLen == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 8 + headerLen, dataLen);
            return parse(source, header.array(), data);
        }
    }

    /**
     * Parses a whole safetensors file held in memory.
     *
     * @param bytes the file's content
     * @param source names the bytes in errors
     * @return the tensors in header order, and the metadata
     * @throws CheckpointFormatException naming the source and the problem
     */
    public static SafeTensorsFile read(byte[] bytes, String source) throws CheckpointFormatException {
        if (bytes.length < 8) throw new CheckpointFormatException(source, "too short to be a safetensors file (" + bytes.length + " bytes)");
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(source, headerLen, bytes.length, java.util.Arrays.copyOf(bytes, 8));
        byte[] header = java.util.Arrays.copyOfRange(bytes, 8, 8 + (int) headerLen);
        return parse(source, header, ByteBuffer.wrap(bytes, 8 + (int) headerLen, bytes.length - 8 - (int) headerLen).slice());
    }

    private static void checkHeaderLength(String source, long headerLen, long size, byte[] first8) throws CheckpointFormatException {
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            String kind = guessKind(first8);
            if (kind != null) throw new CheckpointFormatException(source, "not a safetensors file (" + kind + ")");
            throw new CheckpointFormatException(source, "header length " + Long.toUnsignedString(headerLen)
                    + " is impossible for a file of " + size + " bytes (must be 2.." + Math.min(MAX_HEADER_BYTES, size - 8) + ")");
        }
    }

    /**
     * What a file whose first 8 bytes cannot start a safetensors file probably is, so the error
     * can say so (a text file passed as a checkpoint is the common mistake); null when unclear.
     */
    static String guessKind(byte[] first8) {
        if (first8[0] == 'P' && first8[1] == 'K' && first8[2] == 3 && first8[3] == 4) {
            return "it is a zip archive, as PyTorch's torch.save writes; convert it to safetensors first";
        }
        if ((first8[0] & 0xff) == 0x80 && first8[1] >= 2 && first8[1] <= 5) return "it looks like a Python pickle";
        if (first8[0] == '{') return "it looks like JSON";
        boolean text = true;
        for (byte b : first8) {
            int c = b & 0xff;
            text &= c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0x7f);
        }
        return text ? "it looks like text" : null;
    }

    private static SafeTensorsFile parse(String source, byte[] header, ByteBuffer data) throws CheckpointFormatException {
        String text;
        try {
            // Strict, as the reference reader is: a lenient decode would turn every bad byte of a
            // tensor name into U+FFFD and load the tensor under a name the file does not hold.
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new CheckpointFormatException(source, "the header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw CheckpointFormatException.notJson(source, "the header", e);
        }
        if (root == null || !root.isObject()) throw new CheckpointFormatException(source, "the header is not a JSON object");
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        Map<String, SafeTensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new CheckpointFormatException(source, "__metadata__ must be an object of strings");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw new CheckpointFormatException(source, "__metadata__ value '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            tensors.put(name, entry(source, name, v, data, ranges));
        }
        ranges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (int i = 1; i < ranges.size(); i++) {
            long[] prev = ranges.get(i - 1), cur = ranges.get(i);
            if (cur[0] < prev[1] && cur[1] > cur[0] && prev[1] > prev[0]) {
                throw new CheckpointFormatException(source, "tensor data overlaps: bytes [" + cur[0] + ", " + cur[1]
                        + ") and [" + prev[0] + ", " + prev[1] + ")");
            }
        }
        return new SafeTensorsFile(source, tensors, metadata);
    }

    private static SafeTensor entry(String source, String name, JsonNode v, ByteBuffer data, List<long[]> ranges)
            throws CheckpointFormatException {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) throw new CheckpointFormatException(source, where + " is not a JSON object");
        Set<String> keys = new HashSet<>();
        v.fieldNames().forEachRemaining(keys::add);
        if (!keys.equals(Set.of("dtype", "shape", "data_offsets"))) {
            throw new CheckpointFormatException(source, where + " must have exactly dtype, shape and data_offsets, got " + keys);
        }
        DType dtype = v.get("dtype").isTextual() ? DType.parse(v.get("dtype").asText()) : null;
        if (dtype == null) throw new CheckpointFormatException(source, where + " has unknown dtype " + v.get("dtype"));
        JsonNode shapeNode = v.get("shape");
        if (!shapeNode.isArray()) throw new CheckpointFormatException(source, where + " has a shape that is not an array");
        int[] shape = new int[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
                throw new CheckpointFormatException(source, where + " has an invalid dimension " + d + " in its shape");
            }
            shape[i] = d.asInt();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException ex) {
                throw new CheckpointFormatException(source, where + " has a shape " + shapeNode + " too large to address");
            }
        }
        long need;
        try {
            need = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException ex) {
            throw new CheckpointFormatException(source, where + " has a shape " + shapeNode + " too large to address");
        }
        JsonNode off = v.get("data_offsets");
        if (!off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new CheckpointFormatException(source, where + " has invalid data_offsets " + off);
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > data.capacity()) {
            throw new CheckpointFormatException(source, where + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + data.capacity() + " bytes of tensor data");
        }
        if (end - begin != need) {
            throw new CheckpointFormatException(source, where + ": data_offsets [" + begin + ", " + end + "] hold "
                    + (end - begin) + " bytes but " + dtype + " shape " + shapeNode + " needs " + need);
        }
        ranges.add(new long[] {begin, end});
        return new SafeTensor(name, dtype, shape, data.duplicate().position((int) begin).limit((int) end));
    }


    /**
     * Writes {@code tensors} (in order) and {@code metadata} to {@code file}, atomically.
     *
     * @param file the file to create or replace
     * @param tensors the tensors, laid out in this order
     * @param metadata the {@code __metadata__} entries (may be empty)
     * @throws IllegalArgumentException when two tensors share a name or a metadata key or value is null
     * @throws IOException when writing fails
     */
    public static void write(Path file, Collection<SafeTensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            out.write(len.array());
            out.write(header);
            byte[] chunk = new byte[1 << 16];
            ByteBuffer conv = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            for (SafeTensor t : tensors) {
                float[] f = t.floatView();
                if (f != null) {
                    for (int i = 0; i < f.length; ) {
                        int n = Math.min(chunk.length / 4, f.length - i);
                        conv.clear();
                        conv.asFloatBuffer().put(f, i, n);
                        out.write(chunk, 0, n * 4);
                        i += n;
                    }
                    continue;
                }
                ByteBuffer b = t.bytes();
                while (b.hasRemaining()) {
                    int n = Math.min(chunk.length, b.remaining());
                    b.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        });
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes as the reference writer does. */
    static byte[] header(Collection<SafeTensor> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach((k, v) -> {
                // The format holds strings only: a null would be written as JSON null, which no reader (this one included) accepts.
                if (k == null) throw new IllegalArgumentException("safetensors: a metadata key is null");
                if (v == null) throw new IllegalArgumentException("safetensors: metadata '" + k + "' has no value");
                m.put(k, v);
            });
        }
        long offset = 0;
        for (SafeTensor t : tensors) {
            if (t.name().equals("__metadata__") || root.has(t.name())) {
                throw new IllegalArgumentException("safetensors: duplicate or reserved tensor name '" + t.name() + "'");
            }
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", t.dtype().name());
            ArrayNode s = e.putArray("shape");
            for (int d : t.shape()) s.add(d);
            long size = (long) t.numel() * t.dtype().bytes();
            e.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
