package dev.vecgrad.train.run;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.data.AdditionTask;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks {@code state.json}. Nothing in the file is trusted: every field is checked
 * for presence, type and range before it is used, and every problem becomes a
 * {@link CheckpointFormatException} naming the file and the field.
 */
final class StateFile {
    /** The {@code format} this version writes and reads. */
    static final int FORMAT = 1;
    /** A state file is a few kilobytes (a large vocabulary makes it a few hundred); more is not a state file. */
    static final long MAX_BYTES = 16L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> CONFIG_FIELDS = TrainConfig.tiny().fields().keySet();

    private StateFile() {}

    /** Reads the state file {@code f} (which exists). */
    static RunDirectory.State read(Path f) throws IOException {
        String src = f.toString();
        long size = Files.size(f);
        if (size > MAX_BYTES) {
            throw new CheckpointFormatException(src, size + " bytes is too large for a run's state (at most " + MAX_BYTES + ")");
        }
        byte[] bytes = Files.readAllBytes(f);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointFormatException(src, "not valid JSON (not UTF-8 text)");
        }
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw CheckpointFormatException.notJson(src, null, e);
        }
        if (n == null || !n.isObject()) {
            throw new CheckpointFormatException(src, "expected a JSON object with format, step, config, data and tokenizer");
        }
        JsonNode format = n.get("format");
        if (format == null) throw new CheckpointFormatException(src, "no \"format\"; expected " + FORMAT);
        if (!format.isIntegralNumber() || !format.canConvertToInt() || format.asInt() != FORMAT) {
            throw new CheckpointFormatException(src, "unsupported \"format\" " + show(format) + " (this vecgrad reads format "
                    + FORMAT + ")");
        }
        long step = longField(src, n, "step", "step");
        if (step < 0) throw new CheckpointFormatException(src, "\"step\" must be >= 0, got " + step);
        TrainConfig config = config(src, object(src, n, "config", "config"));
        JsonNode data = data(src, object(src, n, "data", "data"));
        JsonNode tok = required(src, n, "tokenizer", "tokenizer");
        if (!tok.isTextual()) throw new CheckpointFormatException(src, "\"tokenizer\" must be a string, got " + show(tok));
        Tokenizer tokenizer = ModelCheckpoint.parseTokenizer(src, tok.asText());
        return new RunDirectory.State(step, config, data, tokenizer);
    }

    /** The run's configuration: every field of {@link TrainConfig#fields()}, typed exactly, then TrainConfig's own checks. */
    private static TrainConfig config(String src, JsonNode c) throws CheckpointFormatException {
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!CONFIG_FIELDS.contains(k)) {
                throw new CheckpointFormatException(src, "config has an unknown field \"" + shorten(k) + "\"");
            }
        }
        try {
            return new TrainConfig.Builder()
                    .nLayer(intField(src, c, "nLayer")).nHead(intField(src, c, "nHead")).nEmbd(intField(src, c, "nEmbd"))
                    .blockSize(intField(src, c, "blockSize")).bias(boolField(src, c, "bias"))
                    .dropout(floatField(src, c, "dropout"))
                    .batchSize(intField(src, c, "batchSize")).gradAccum(intField(src, c, "gradAccum"))
                    .maxIters(intField(src, c, "maxIters"))
                    .lr(floatField(src, c, "lr")).minLr(floatField(src, c, "minLr"))
                    .warmupIters(intField(src, c, "warmupIters")).lrDecayIters(intField(src, c, "lrDecayIters"))
                    .weightDecay(floatField(src, c, "weightDecay")).beta1(floatField(src, c, "beta1"))
                    .beta2(floatField(src, c, "beta2")).gradClip(floatField(src, c, "gradClip"))
                    .evalInterval(intField(src, c, "evalInterval")).evalIters(intField(src, c, "evalIters"))
                    .seed(longField(src, c, "seed", "config.seed"))
                    .build();
        } catch (InvalidConfigException e) {
            throw new CheckpointFormatException(src, "invalid config: \"config." + e.field() + "\" " + e.problem());
        }
    }

    /** The data identity: {@code kind} "text" (path, sha256, bytes), "addition" (digits, held_out, held_out_seed) or "induction" (vocab). */
    private static JsonNode data(String src, JsonNode d) throws CheckpointFormatException {
        JsonNode kind = required(src, d, "kind", "data.kind");
        String k = kind.isTextual() ? kind.asText() : null;
        if ("text".equals(k)) {
            JsonNode path = required(src, d, "path", "data.path");
            if (!path.isTextual() || path.asText().isEmpty()) {
                throw new CheckpointFormatException(src, "\"data.path\" must be a non-empty string, got " + show(path));
            }
            try {
                Path.of(path.asText());
            } catch (InvalidPathException e) {
                throw new CheckpointFormatException(src, "\"data.path\" is not a usable path (" + e.getReason() + ")");
            }
            JsonNode sha = required(src, d, "sha256", "data.sha256");
            if (!sha.isTextual() || !SHA256.matcher(sha.asText()).matches()) {
                throw new CheckpointFormatException(src, "\"data.sha256\" must be 64 lower-case hex digits, got " + show(sha));
            }
            if (d.has("bytes") && longField(src, d, "bytes", "data.bytes") < 0) {
                throw new CheckpointFormatException(src, "\"data.bytes\" must be >= 0, got " + d.get("bytes"));
            }
        } else if ("addition".equals(k)) {
            int digits = intField(src, d, "digits", "data.digits");
            int heldOut = intField(src, d, "held_out", "data.held_out");
            longField(src, d, "held_out_seed", "data.held_out_seed");
            try {
                AdditionTask.checkSizes(digits, heldOut);
            } catch (IllegalArgumentException e) {
                throw new CheckpointFormatException(src, "invalid data: " + e.getMessage());
            }
        } else if ("induction".equals(k)) {
            int vocab = intField(src, d, "vocab", "data.vocab");
            if (vocab < 2 || vocab > dev.vecgrad.train.data.InductionTask.MAX_VOCAB) {
                throw new CheckpointFormatException(src, "invalid data: \"data.vocab\" must be 2.."
                        + dev.vecgrad.train.data.InductionTask.MAX_VOCAB + ", got " + vocab);
            }
        } else {
            throw new CheckpointFormatException(src, "\"data.kind\" must be \"text\", \"addition\" or \"induction\", got " + show(kind));
        }
        return d;
    }

    private static JsonNode required(String src, JsonNode parent, String key, String where) throws CheckpointFormatException {
        JsonNode v = parent.get(key);
        if (v == null) throw new CheckpointFormatException(src, "no \"" + where + "\"");
        return v;
    }

    private static JsonNode object(String src, JsonNode parent, String key, String where) throws CheckpointFormatException {
        JsonNode v = required(src, parent, key, where);
        if (!v.isObject()) throw new CheckpointFormatException(src, "\"" + where + "\" must be an object, got " + show(v));
        return v;
    }

    private static int intField(String src, JsonNode c, String key) throws CheckpointFormatException {
        return intField(src, c, key, "config." + key);
    }

    private static int intField(String src, JsonNode parent, String key, String where) throws CheckpointFormatException {
        JsonNode v = required(src, parent, key, where);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CheckpointFormatException(src, "\"" + where + "\" must be an integer that fits 32 bits, got " + show(v));
        }
        return v.asInt();
    }

    private static long longField(String src, JsonNode parent, String key, String where) throws CheckpointFormatException {
        JsonNode v = required(src, parent, key, where);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new CheckpointFormatException(src, "\"" + where + "\" must be an integer that fits 64 bits, got " + show(v));
        }
        return v.asLong();
    }

    private static float floatField(String src, JsonNode c, String key) throws CheckpointFormatException {
        String where = "config." + key;
        JsonNode v = required(src, c, key, where);
        double x = v.isNumber() ? v.asDouble() : Double.NaN;
        if (!v.isNumber() || !Double.isFinite(x) || Math.abs(x) > Float.MAX_VALUE) {
            throw new CheckpointFormatException(src, "\"" + where + "\" must be a finite number, got " + show(v));
        }
        return (float) x;
    }

    private static boolean boolField(String src, JsonNode c, String key) throws CheckpointFormatException {
        String where = "config." + key;
        JsonNode v = required(src, c, key, where);
        if (!v.isBoolean()) throw new CheckpointFormatException(src, "\"" + where + "\" must be true or false, got " + show(v));
        return v.asBoolean();
    }

    /** A JSON value for an error message, cut short. */
    private static String show(JsonNode v) {
        return shorten(v.toString());
    }

    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
