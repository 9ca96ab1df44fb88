package dev.vecgrad.train.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.train.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GPT-2's original tokenizer files: {@code vocab.json} ({@code {piece: id}} in the byte alphabet
 * of {@link ByteLevel}) and {@code merges.txt} (a {@code #version: 0.2} line, then one merge
 * {@code "a b"} per line in rank order). The pre-tokenization pattern is GPT-2's. A vocabulary
 * entry spelled {@code <|...|>} that no merge produces (GPT-2's {@code <|endoftext|>}, id 50256)
 * is a special token.
 */
public final class Gpt2Files {
    /** The vocabulary file name. */
    public static final String VOCAB = "vocab.json";
    /** The merges file name. */
    public static final String MERGES = "merges.txt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Gpt2Files() {}

    /**
     * Reads {@code vocab.json} and {@code merges.txt}, with GPT-2's pattern; entries spelled {@code <|...|>} that no merge produces become special tokens.
     *
     * @param vocabFile the {@code vocab.json}
     * @param mergesFile the {@code merges.txt}
     * @return the tokenizer
     * @throws TokenizerFormatException naming the file, and the line or entry, of the first problem
     * @throws IOException when a file cannot be read
     */
    public static BpeTokenizer read(Path vocabFile, Path mergesFile) throws IOException {
        String vsrc = vocabFile.toString();
        JsonNode vocab;
        try {
            vocab = JSON.readTree(TokenizerJson.readUtf8(vocabFile));
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(vsrc, "not valid JSON: " + dev.vecgrad.train.checkpoint.CheckpointFormatException.jsonReason(e));
        }
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new TokenizerFormatException(vsrc, "expected a JSON object {piece: id}");
        }
        int maxId = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            maxId = Math.max(maxId, TokenizerJson.intField(vsrc, e.getValue(), "entry '" + e.getKey() + "'"));
        }
        byte[][] tokens = new byte[maxId + 1][];
        String[] pieceOf = new String[maxId + 1];
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt();
            if (pieceOf[id] != null) {
                throw new TokenizerFormatException(vsrc, "id " + id + " is given to both '" + pieceOf[id] + "' and '"
                        + e.getKey() + "'");
            }
            byte[] b = ByteLevel.decode(e.getKey());
            if (b == null || b.length == 0) {
                throw new TokenizerFormatException(vsrc, "piece '" + e.getKey() + "' (id " + id + ") has a character "
                        + "outside GPT-2's byte alphabet");
            }
            pieceOf[id] = e.getKey();
            tokens[id] = b;
            ids.put(e.getKey(), id);
        }

        String msrc = mergesFile.toString();
        List<String> lines = TokenizerJson.readUtf8(mergesFile).lines().toList();
        int[][] merges = new int[lines.size()][];
        int n = 0;
        Set<Integer> produced = new HashSet<>();
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln);
            if (ln == 0 && line.startsWith("#version")) continue;
            if (line.isEmpty()) continue;
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                throw new TokenizerFormatException(msrc, "line " + (ln + 1) + " is '" + line
                        + "'; expected two pieces separated by one space");
            }
            String a = line.substring(0, sp), b = line.substring(sp + 1);
            Integer ia = ids.get(a), ib = ids.get(b), ir = ids.get(a + b);
            if (ia == null || ib == null) {
                throw new TokenizerFormatException(msrc, "line " + (ln + 1) + " uses '" + (ia == null ? a : b)
                        + "', which is not in " + vocabFile.getFileName());
            }
            if (ir == null) {
                throw new TokenizerFormatException(msrc, "line " + (ln + 1) + ": '" + a + b + "' (the merge of '" + a
                        + "' and '" + b + "') is not in " + vocabFile.getFileName());
            }
            produced.add(ir);
            merges[n++] = new int[] {ia, ib};
        }
        merges = java.util.Arrays.copyOf(merges, n);

        Map<String, Integer> specials = new LinkedHashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            String p = pieceOf[id];
            if (p != null && p.length() > 4 && p.startsWith("<|") && p.endsWith("|>") && !produced.contains(id)) {
                specials.put(p, id);
                tokens[id] = null;
            }
        }
        try {
            return BpeTokenizer.fromMerges(tokens, merges, specials, SplitPattern.GPT2, false);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(vsrc + " + " + msrc, e.getMessage());
        }
    }

    /**
     * Writes {@code vocab.json} and {@code merges.txt} into {@code dir} (atomically, each).
     *
     * @param dir the folder to write into
     * @param t the tokenizer
     * @throws IllegalArgumentException when the tokenizer does not use GPT-2's pattern (the format has no place for another) or a special token is not spelled {@code <|...|>} (it would read back as an ordinary token)
     * @throws IOException when writing fails
     */
    public static void write(Path dir, BpeTokenizer t) throws IOException {
        if (t.pattern() != SplitPattern.GPT2) {
            throw new IllegalArgumentException("vocab.json + merges.txt imply GPT-2's pattern; this tokenizer uses "
                    + (t.pattern() == null ? "none" : t.pattern().name()) + " (write tokenizer.json instead)");
        }
        ObjectNode vocab = JSON.createObjectNode();
        for (int id = 0; id < t.vocabSize(); id++) {
            byte[] b;
            try {
                b = t.tokenBytes(id);
            } catch (IllegalArgumentException gap) {
                continue;
            }
            if (b != null) vocab.put(ByteLevel.encode(b), id);
        }
        for (Map.Entry<String, Integer> e : t.specialTokens().entrySet()) {
            String s = e.getKey();
            if (!(s.length() > 4 && s.startsWith("<|") && s.endsWith("|>")) || ByteLevel.decode(s) == null) {
                throw new IllegalArgumentException("special token '" + s + "' cannot be stored in vocab.json (only "
                        + "<|...|> names in the byte alphabet read back as special)");
            }
            vocab.put(s, e.getValue());
        }
        StringBuilder sb = new StringBuilder("#version: 0.2\n");
        for (int[] m : t.merges()) {
            sb.append(ByteLevel.encode(t.tokenBytes(m[0]))).append(' ').append(ByteLevel.encode(t.tokenBytes(m[1])))
                    .append('\n');
        }
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(VOCAB), JSON.writeValueAsString(vocab));
        AtomicFiles.writeString(dir.resolve(MERGES), sb.toString());
    }
}
