package dev.vecgrad.train.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.train.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face {@code tokenizer.json} for byte-level BPE, read and written: {@code model}
 * {@code {type: BPE, vocab: {piece: id}, merges: ["a b", ...] or [["a","b"], ...]}} with pieces in
 * GPT-2's byte alphabet ({@link ByteLevel}), the {@code ByteLevel} pre-tokenizer (GPT-2's regex)
 * or a {@code Sequence} of a regex {@code Split} and {@code ByteLevel} without regex (GPT-4 style),
 * the {@code ByteLevel} decoder, and {@code added_tokens} (read as special tokens).
 *
 * <p>Features that change encoding and that vecgrad does not implement (normalizers, BPE dropout,
 * subword prefixes/suffixes, {@code add_prefix_space}) are refused with an error naming the field,
 * rather than encoding differently from the file's owner. Post-processors (which add BOS/EOS tokens
 * around an encoding) are not applied.
 */
public final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ids above this are refused (a hostile file could otherwise make us allocate gigabytes). */
    static final int MAX_ID = 16_000_000;

    private TokenizerJson() {}

    /**
     * The {@code tokenizer.json} document of a tokenizer, as the {@code tokenizers} library writes one.
     *
     * @param t the tokenizer
     * @return the document (model, pre-tokenizer, decoder and added tokens)
     */
    public static ObjectNode toHf(BpeTokenizer t) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (Map.Entry<String, Integer> e : t.specialTokens().entrySet()) {
            added.addObject().put("id", e.getValue()).put("content", e.getKey()).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        SplitPattern p = t.pattern();
        if (p == SplitPattern.GPT2) {
            root.set("pre_tokenizer", byteLevel(true));
        } else if (p == null) {
            root.set("pre_tokenizer", byteLevel(false));
        } else {
            ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
            ArrayNode list = seq.putArray("pretokenizers");
            ObjectNode split = list.addObject().put("type", "Split");
            split.putObject("pattern").put("Regex", p.regex());
            split.put("behavior", "Isolated").put("invert", false);
            list.add(byteLevel(false));
            root.set("pre_tokenizer", seq);
        }
        root.putNull("post_processor");
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", t.ignoreMerges());
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < t.vocabSize(); id++) {
            byte[] b = id < t.vocabSize() ? tokenOrNull(t, id) : null;
            if (b != null) vocab.put(ByteLevel.encode(b), id);
            else if (specialName(t, id) != null) vocab.put(specialName(t, id), id);
        }
        ArrayNode merges = model.putArray("merges");
        for (int[] m : t.merges()) {
            merges.add(ByteLevel.encode(t.tokenBytes(m[0])) + " " + ByteLevel.encode(t.tokenBytes(m[1])));
        }
        return root;
    }

    private static byte[] tokenOrNull(BpeTokenizer t, int id) {
        try {
            return t.tokenBytes(id);
        } catch (IllegalArgumentException unused) {
            return null; // an id no token holds (a gap in tiktoken's special ids)
        }
    }

    private static String specialName(BpeTokenizer t, int id) {
        for (Map.Entry<String, Integer> e : t.specialTokens().entrySet()) if (e.getValue() == id) return e.getKey();
        return null;
    }

    private static ObjectNode byteLevel(boolean useRegex) {
        return JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", useRegex);
    }

    /**
     * Writes {@code tokenizer.json} atomically (indented, UTF-8).
     *
     * @param file the file to create or replace
     * @param t the tokenizer
     * @throws IOException when writing fails
     */
    public static void write(Path file, BpeTokenizer t) throws IOException {
        String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toHf(t)) + "\n";
        AtomicFiles.writeString(file, text);
    }

    /** The JSON stored in checkpoints: {@code {"type":"bpe","tokenizer_json":{...}}}. */
    static String checkpointJson(BpeTokenizer t) {
        ObjectNode n = JSON.createObjectNode().put("type", BpeTokenizer.TYPE);
        n.set("tokenizer_json", toHf(t));
        return n.toString();
    }

    /**
     * Reads a {@code tokenizer.json} file.
     *
     * @param file the file
     * @return the tokenizer
     * @throws TokenizerFormatException naming the file and the first unsupported or inconsistent field
     * @throws IOException when the file cannot be read
     */
    public static BpeTokenizer read(Path file) throws IOException {
        return parse(file.toString(), readUtf8(file));
    }

    /** A file's text without a leading byte-order mark; invalid UTF-8 is an error naming the file. */
    static String readUtf8(Path file) throws IOException {
        try {
            return Utf8.readText(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new TokenizerFormatException(file.toString(), "not valid UTF-8 text");
        }
    }

    /**
     * Parses {@code tokenizer.json} text.
     *
     * @param source names the text in errors
     * @param text the JSON
     * @return the tokenizer
     * @throws TokenizerFormatException naming the source and the problem
     */
    public static BpeTokenizer parse(String source, String text) throws TokenizerFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(source, "not valid JSON: " + dev.vecgrad.train.checkpoint.CheckpointFormatException.jsonReason(e)
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr()));
        }
        return fromHf(source, root);
    }

    /**
     * Builds a tokenizer from a parsed {@code tokenizer.json} document.
     *
     * @param source names the document in errors
     * @param root the document
     * @return the tokenizer
     * @throws TokenizerFormatException naming the source and the first unsupported or inconsistent field
     */
    public static BpeTokenizer fromHf(String source, JsonNode root) throws TokenizerFormatException {
        if (root == null || !root.isObject()) throw new TokenizerFormatException(source, "expected a JSON object");
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new TokenizerFormatException(source, "no \"model\" object (a Hugging Face tokenizer.json has one)");
        }
        String type = model.path("type").asText("BPE");
        if (!"BPE".equals(type)) {
            throw new TokenizerFormatException(source, "model.type is '" + type + "'; only byte-level BPE is supported");
        }
        JsonNode normalizer = root.get("normalizer");
        if (normalizer != null && !normalizer.isNull()) {
            throw new TokenizerFormatException(source, "normalizer " + normalizer.path("type").asText("?")
                    + " is not supported (byte-level BPE files have \"normalizer\": null)");
        }
        if (model.hasNonNull("dropout") && model.get("dropout").asDouble() != 0.0) {
            throw new TokenizerFormatException(source, "model.dropout is " + model.get("dropout")
                    + "; BPE dropout is not supported");
        }
        for (String f : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (model.hasNonNull(f) && !model.get(f).asText().isEmpty()) {
                throw new TokenizerFormatException(source, "model." + f + " is '" + model.get(f).asText()
                        + "'; byte-level BPE uses none");
            }
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new TokenizerFormatException(source, "model.byte_fallback is true; that is a SentencePiece-style "
                    + "BPE, not byte-level");
        }
        boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);
        SplitPattern pattern = preTokenizer(source, root.get("pre_tokenizer"));
        JsonNode decoder = root.get("decoder");
        if (decoder != null && !decoder.isNull() && !"ByteLevel".equals(decoder.path("type").asText())) {
            throw new TokenizerFormatException(source, "decoder.type is '" + decoder.path("type").asText()
                    + "'; expected ByteLevel");
        }

        Map<String, Integer> specials = new LinkedHashMap<>();
        JsonNode added = root.get("added_tokens");
        if (added != null && !added.isNull()) {
            if (!added.isArray()) throw new TokenizerFormatException(source, "added_tokens must be an array");
            for (int i = 0; i < added.size(); i++) {
                JsonNode a = added.get(i);
                int id = intField(source, a.get("id"), "added_tokens[" + i + "].id");
                JsonNode c = a.get("content");
                if (c == null || !c.isTextual() || c.asText().isEmpty()) {
                    throw new TokenizerFormatException(source, "added_tokens[" + i + "].content must be a non-empty string");
                }
                Integer prev = specials.put(c.asText(), id);
                if (prev != null && prev != id) {
                    throw new TokenizerFormatException(source, "added token '" + c.asText() + "' has two ids, " + prev
                            + " and " + id);
                }
            }
        }

        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isObject()) {
            throw new TokenizerFormatException(source, "model.vocab must be an object {piece: id}");
        }
        int maxId = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            maxId = Math.max(maxId, intField(source, e.getValue(), "model.vocab['" + e.getKey() + "']"));
        }
        byte[][] tokens = new byte[maxId + 1][];
        String[] pieceOf = new String[maxId + 1];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String piece = e.getKey();
            int id = e.getValue().asInt();
            if (pieceOf[id] != null) {
                throw new TokenizerFormatException(source, "model.vocab: id " + id + " is given to both '" + pieceOf[id]
                        + "' and '" + piece + "'");
            }
            pieceOf[id] = piece;
            Integer sid = specials.get(piece);
            if (sid != null && sid == id) continue; // the special token listed in the vocab too (GPT-2 does this)
            byte[] b = ByteLevel.decode(piece);
            if (b == null || b.length == 0) {
                throw new TokenizerFormatException(source, "model.vocab: piece '" + piece + "' (id " + id + ") has a "
                        + "character outside GPT-2's byte alphabet; is this a byte-level BPE file?");
            }
            tokens[id] = b;
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int id = 0; id < pieceOf.length; id++) if (pieceOf[id] != null) ids.put(pieceOf[id], id);

        JsonNode merges = model.get("merges");
        if (merges == null || !merges.isArray()) {
            throw new TokenizerFormatException(source, "model.merges must be an array of \"a b\" strings or [a, b] pairs");
        }
        int[][] m = new int[merges.size()][];
        for (int i = 0; i < m.length; i++) {
            JsonNode x = merges.get(i);
            String a, b;
            if (x.isTextual()) {
                String s = x.asText();
                int sp = s.indexOf(' ');
                if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
                    throw new TokenizerFormatException(source, "model.merges[" + i + "] is '" + s
                            + "'; expected two pieces separated by one space");
                }
                a = s.substring(0, sp);
                b = s.substring(sp + 1);
            } else if (x.isArray() && x.size() == 2 && x.get(0).isTextual() && x.get(1).isTextual()) {
                a = x.get(0).asText();
                b = x.get(1).asText();
            } else {
                throw new TokenizerFormatException(source, "model.merges[" + i + "] is " + x
                        + "; expected \"a b\" or [\"a\", \"b\"]");
            }
            m[i] = new int[] {mergeId(source, ids, a, i), mergeId(source, ids, b, i)};
        }
        try {
            return BpeTokenizer.fromMerges(tokens, m, specials, pattern, ignoreMerges);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source, e.getMessage());
        }
    }

    private static int mergeId(String source, Map<String, Integer> ids, String piece, int i)
            throws TokenizerFormatException {
        Integer id = ids.get(piece);
        if (id == null) {
            throw new TokenizerFormatException(source, "model.merges[" + i + "] uses '" + piece
                    + "', which is not in model.vocab");
        }
        return id;
    }

    static int intField(String source, JsonNode n, String what) throws TokenizerFormatException {
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new TokenizerFormatException(source, what + " must be an integer id, got " + n);
        }
        int v = n.asInt();
        if (v < 0 || v > MAX_ID) {
            throw new TokenizerFormatException(source, what + " is " + v + "; ids must be in 0.." + MAX_ID);
        }
        return v;
    }

    private static SplitPattern preTokenizer(String source, JsonNode p) throws TokenizerFormatException {
        if (p == null || p.isNull()) {
            throw new TokenizerFormatException(source, "pre_tokenizer is missing; byte-level BPE needs ByteLevel");
        }
        String type = p.path("type").asText();
        if ("ByteLevel".equals(type)) {
            checkPrefixSpace(source, p, "pre_tokenizer");
            return p.path("use_regex").asBoolean(true) ? SplitPattern.GPT2 : null;
        }
        if ("Sequence".equals(type)) {
            JsonNode list = p.get("pretokenizers");
            if (list == null || !list.isArray()) {
                throw new TokenizerFormatException(source, "pre_tokenizer.pretokenizers must be an array");
            }
            List<JsonNode> items = new ArrayList<>();
            list.forEach(items::add);
            if (items.size() == 2 && "Split".equals(items.get(0).path("type").asText())
                    && "ByteLevel".equals(items.get(1).path("type").asText())
                    && !items.get(1).path("use_regex").asBoolean(true)) {
                checkPrefixSpace(source, items.get(1), "pre_tokenizer.pretokenizers[1]");
                return split(source, items.get(0));
            }
            if (items.size() == 1 && "ByteLevel".equals(items.get(0).path("type").asText())) {
                return preTokenizer(source, items.get(0));
            }
            throw new TokenizerFormatException(source, "pre_tokenizer Sequence must be [Split, ByteLevel(use_regex="
                    + "false)] or [ByteLevel]; got " + items.stream().map(n -> n.path("type").asText()).toList());
        }
        throw new TokenizerFormatException(source, "pre_tokenizer.type is '" + type + "'; expected ByteLevel or "
                + "Sequence [Split, ByteLevel]");
    }

    private static void checkPrefixSpace(String source, JsonNode n, String where) throws TokenizerFormatException {
        if (n.path("add_prefix_space").asBoolean(false)) {
            throw new TokenizerFormatException(source, where + ".add_prefix_space is true, which is not supported");
        }
    }

    private static SplitPattern split(String source, JsonNode s) throws TokenizerFormatException {
        JsonNode pat = s.get("pattern");
        String behavior = s.path("behavior").asText();
        if (!"Isolated".equals(behavior)) {
            throw new TokenizerFormatException(source, "pre_tokenizer Split.behavior is '" + behavior
                    + "'; only Isolated is supported");
        }
        if (s.path("invert").asBoolean(false)) {
            throw new TokenizerFormatException(source, "pre_tokenizer Split.invert is true, which is not supported");
        }
        if (pat == null || !pat.isObject()) {
            throw new TokenizerFormatException(source, "pre_tokenizer Split.pattern must be {\"Regex\": ...}");
        }
        if (pat.hasNonNull("Regex")) {
            try {
                return SplitPattern.ofRegex(pat.get("Regex").asText());
            } catch (IllegalArgumentException e) {
                throw new TokenizerFormatException(source, "pre_tokenizer Split.pattern.Regex: " + e.getMessage());
            }
        }
        if (pat.hasNonNull("String")) {
            return SplitPattern.ofRegex(java.util.regex.Pattern.quote(pat.get("String").asText()));
        }
        throw new TokenizerFormatException(source, "pre_tokenizer Split.pattern must hold \"Regex\" or \"String\"");
    }
}
