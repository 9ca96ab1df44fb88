package dev.vecgrad.examples.cli;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code --config run.json}: a command's flags as a JSON object, one key per flag. A key is the
 * flag's name without its dashes ({@code "max-iters"}), and may also be written the way
 * nanoGPT's configs ({@code "max_iters"}) or {@code state.json}'s {@code config} object
 * ({@code "maxIters"}) write it, so a saved run's settings can be copied into a new file.
 * Flags given on the command line override the file. Values are checked against each flag's type
 * (numbers, strings, true/false), and an unknown key is an error that suggests the closest flag.
 */
final class ConfigFile {
    static final long MAX_BYTES = 1 << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ConfigFile() {}

    /**
     * Sets every option named in {@code file} that the command line did not give.
     *
     * @param never flags that a config file may not set (e.g. {@code --config} itself)
     * @return the file's settings under their flag names (without dashes), as read
     */
    static Map<String, Object> apply(CommandSpec spec, Path file, Set<String> never) throws IOException {
        String src = "--config " + file;
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file (given with --config)");
        if (Files.size(file) > MAX_BYTES) throw new ParameterException(spec.commandLine(), src + ": larger than 1 MB; not a config file");
        String text;
        try {
            text = dev.vecgrad.train.tokenizer.Utf8.readText(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ParameterException(spec.commandLine(), src + ": not valid UTF-8 text");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new ParameterException(spec.commandLine(), src + ": not valid JSON (" + why + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ParameterException(spec.commandLine(), src + ": expected a JSON object of flags, e.g. {\"max-iters\": 500}");
        }
        ParseResult parsed = spec.commandLine().getParseResult();
        Map<String, Object> applied = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = flagName(e.getKey());
            OptionSpec o = spec.findOption("--" + key);
            if (o == null || never.contains("--" + key) || o.usageHelp() || o.versionHelp()) {
                throw new ParameterException(spec.commandLine(), src + ": unknown key \"" + e.getKey() + "\"" + suggest(spec, key, never));
            }
            Object value = convert(spec, src, e.getKey(), o, e.getValue());
            applied.put(key, value instanceof Path p ? p.toString() : value);
            if (parsed != null && parsed.hasMatchedOption(o)) continue;   // the flag on the command line wins
            o.setValue(value);
        }
        return applied;
    }

    /** {@code max_iters}, {@code maxIters} and {@code --max-iters} all name {@code max-iters}. */
    static String flagName(String key) {
        String k = key.startsWith("--") ? key.substring(2) : key;
        k = k.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-');
        return k.toLowerCase(Locale.ROOT);
    }

    private static Object convert(CommandSpec spec, String src, String key, OptionSpec o, JsonNode v) {
        Class<?> t = o.type();
        String want;
        if (t == int.class || t == Integer.class) {
            if (v.isIntegralNumber() && v.canConvertToInt()) return v.intValue();
            want = "a whole number";
        } else if (t == long.class || t == Long.class) {
            if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
            want = "a whole number";
        } else if (t == float.class || t == Float.class || t == double.class || t == Double.class) {
            if (v.isNumber()) return t == float.class || t == Float.class ? (Object) v.floatValue() : (Object) v.doubleValue();
            want = "a number";
        } else if (t == boolean.class || t == Boolean.class) {
            if (v.isBoolean()) return v.booleanValue();
            want = "true or false";
        } else if (t == Path.class) {
            if (v.isTextual()) {
                try {
                    return Path.of(v.textValue());
                } catch (InvalidPathException e) {
                    throw new ParameterException(spec.commandLine(), src + ": \"" + key + "\" is not a valid path: " + e.getMessage());
                }
            }
            want = "a path (a string)";
        } else if (t == String.class) {
            if (v.isTextual()) return v.textValue();
            want = "a string";
        } else {
            throw new ParameterException(spec.commandLine(), src + ": \"" + key + "\" cannot be set from a config file");
        }
        throw new ParameterException(spec.commandLine(), src + ": \"" + key + "\" must be " + want + ", got " + v);
    }

    private static String suggest(CommandSpec spec, String key, Set<String> never) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        List<String> names = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            String n = o.longestName();
            if (!n.startsWith("--") || never.contains(n) || o.usageHelp() || o.versionHelp()) continue;
            names.add(n.substring(2));
        }
        for (String n : names) {
            int d = Spelling.distance(key, n);
            if (d < bestD) {
                bestD = d;
                best = n;
            }
        }
        return best != null && bestD <= Math.max(2, key.length() / 3) ? "; did you mean \"" + best + "\"?"
                : " (keys are this command's flags without the dashes, e.g. \"max-iters\")";
    }
}
