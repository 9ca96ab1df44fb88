package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code state.json}: every malformation is a {@link CheckpointFormatException} naming the file. */
class StateFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** state.json of two real runs, one on text and one on the addition task, made once. */
    private static final class Bases {
        static final String TEXT, ADDITION;
        static final Path FUZZ_DIR;

        static {
            try {
                Path dir = Files.createTempDirectory("vecgrad-state");
                dir.toFile().deleteOnExit();
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 40; i++) sb.append("the quick brown fox jumps over the lazy dog. ");
                Path data = Files.writeString(dir.resolve("text.txt"), sb);
                Path textRun = dir.resolve("text-run"), addRun = dir.resolve("add-run");
                new Trainer(TrainerTest.small(2, 0f), TextTask.load(data, null)).run(textRun, new Trainer.Listener() {});
                AdditionTrainingTask add = new AdditionTrainingTask(1, 20, 3);
                TrainConfig cfg = new TrainConfig(new ModelSettings(1, 2, 16, add.requiredBlockSize(), true, 0f),
                        new OptimizerSettings(1e-2f, 1e-3f, 1, 2, 0.1f, 0.9f, 0.99f, 1f), new EvalSettings(2, 1), 4, 1, 2, 5);
                new Trainer(cfg, add).run(addRun, new Trainer.Listener() {});
                TEXT = Files.readString(textRun.resolve(RunDirectory.STATE));
                ADDITION = Files.readString(addRun.resolve(RunDirectory.STATE));
                FUZZ_DIR = Files.createDirectories(dir.resolve("fuzz"));
                for (Path p : List.of(textRun, addRun)) {
                    try (var files = Files.list(p)) {
                        for (Path f : files.toList()) f.toFile().deleteOnExit();
                    }
                    p.toFile().deleteOnExit();
                }
                data.toFile().deleteOnExit();
                FUZZ_DIR.toFile().deleteOnExit();
                FUZZ_DIR.resolve(RunDirectory.STATE).toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @TempDir Path tmp;

    @Test
    void realRunsReadBack() throws IOException {
        RunDirectory.State text = read(Bases.TEXT.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, text.step());
        assertEquals(TrainerTest.small(2, 0f), text.config());
        assertEquals("text", text.data().get("kind").asText());
        RunDirectory.State add = read(Bases.ADDITION.getBytes(StandardCharsets.UTF_8));
        assertEquals("+0123456789=", add.tokenizer().vocabString());
        assertEquals(1, ((AdditionTrainingTask) add.task(null)).problems().digits());
    }

    @Test
    void eachMalformationIsNamed() throws IOException {
        problem(Bases.TEXT, n -> n.remove("format"), "no \"format\"; expected 1");
        problem(Bases.TEXT, n -> n.put("format", 2), "unsupported \"format\" 2");
        problem(Bases.TEXT, n -> n.put("format", "1"), "unsupported \"format\" \"1\"");
        problem(Bases.TEXT, n -> n.put("step", -1), "\"step\" must be >= 0, got -1");
        problem(Bases.TEXT, n -> n.put("step", "4"), "\"step\" must be an integer");
        problem(Bases.TEXT, n -> n.put("step", 1e30), "\"step\" must be an integer");
        problem(Bases.TEXT, n -> n.put("step", new BigInteger("99999999999999999999")), "fits 64 bits");
        problem(Bases.TEXT, n -> n.remove("config"), "no \"config\"");
        problem(Bases.TEXT, n -> n.put("config", "small"), "\"config\" must be an object");
        problem(Bases.TEXT, n -> config(n).remove("lr"), "no \"config.lr\"");
        problem(Bases.TEXT, n -> config(n).put("nLayer", 0), "invalid config: \"config.nLayer\" must be positive, got 0");
        problem(Bases.TEXT, n -> config(n).put("nLayer", 2.5), "\"config.nLayer\" must be an integer");
        problem(Bases.TEXT, n -> config(n).put("nHead", 3L << 32), "fits 32 bits");
        problem(Bases.TEXT, n -> config(n).put("lr", "0.001"), "\"config.lr\" must be a finite number");
        problem(Bases.TEXT, n -> config(n).put("lr", new BigDecimal("1e400")), "\"config.lr\" must be a finite number");
        problem(Bases.TEXT, n -> config(n).put("weightDecay", 1e39), "\"config.weightDecay\" must be a finite number");
        problem(Bases.TEXT, n -> config(n).put("bias", 1), "\"config.bias\" must be true or false");
        problem(Bases.TEXT, n -> config(n).putNull("seed"), "\"config.seed\" must be an integer");
        problem(Bases.TEXT, n -> config(n).put("learning_rate", 1), "config has an unknown field \"learning_rate\"");
        problem(Bases.TEXT, n -> n.remove("data"), "no \"data\"");
        problem(Bases.TEXT, n -> data(n).put("kind", "video"), "\"data.kind\" must be \"text\" or \"addition\", got \"video\"");
        problem(Bases.TEXT, n -> data(n).remove("kind"), "no \"data.kind\"");
        problem(Bases.TEXT, n -> data(n).remove("sha256"), "no \"data.sha256\"");
        problem(Bases.TEXT, n -> data(n).put("sha256", "abc"), "\"data.sha256\" must be 64 lower-case hex digits");
        problem(Bases.TEXT, n -> data(n).remove("path"), "no \"data.path\"");
        problem(Bases.TEXT, n -> data(n).put("path", 7), "\"data.path\" must be a non-empty string");
        problem(Bases.TEXT, n -> data(n).put("path", "a\u0000b"), "\"data.path\" is not a usable path");
        problem(Bases.TEXT, n -> data(n).put("bytes", -5), "\"data.bytes\" must be >= 0");
        problem(Bases.ADDITION, n -> data(n).put("digits", 9), "invalid data: addition: digits must be 1..6, got 9");
        problem(Bases.ADDITION, n -> data(n).put("held_out", 1_000_000_000), "invalid data: addition: the held-out set must have");
        problem(Bases.ADDITION, n -> data(n).put("held_out_seed", "x"), "\"data.held_out_seed\" must be an integer");
        problem(Bases.ADDITION, n -> data(n).remove("digits"), "no \"data.digits\"");
        problem(Bases.TEXT, n -> n.put("tokenizer", 5), "\"tokenizer\" must be a string, got 5");
        problem(Bases.TEXT, n -> n.remove("tokenizer"), "no \"tokenizer\"");
        problem(Bases.TEXT, n -> n.put("tokenizer", "{bad"), "invalid tokenizer metadata");
        problem(Bases.TEXT, n -> n.put("tokenizer", "{\"type\":\"char\",\"vocab\":\"ba\"}"), "must be sorted");
        problem(Bases.TEXT, n -> n.put("tokenizer", "{\"type\":\"bpe\"}"), "tokenizer metadata must be");

        bytes("{".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        bytes(new byte[0], "expected a JSON object");
        bytes("[1, 2]".getBytes(StandardCharsets.UTF_8), "expected a JSON object");
        bytes("{\"format\":1,\"format\":1}".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        bytes((Bases.TEXT.strip() + " {}").getBytes(StandardCharsets.UTF_8), "not valid JSON");
        bytes(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, "not valid JSON (not UTF-8 text)");
        byte[] huge = new byte[(int) StateFile.MAX_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        bytes(huge, "too large for a run's state");
    }

    private static ObjectNode config(ObjectNode n) {
        return (ObjectNode) n.get("config");
    }

    private static ObjectNode data(ObjectNode n) {
        return (ObjectNode) n.get("data");
    }

    private void problem(String base, Consumer<ObjectNode> change, String words) throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(base);
        change.accept(n);
        bytes(JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8), words);
    }

    private void bytes(byte[] content, String words) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path f = Files.write(dir.resolve(RunDirectory.STATE), content);
        var e = assertThrows(CheckpointFormatException.class, () -> new RunDirectory(dir).readState(), words);
        assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains(words), e.getMessage());
    }

    private RunDirectory.State read(byte[] content) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ok"));
        Files.write(dir.resolve(RunDirectory.STATE), content);
        return new RunDirectory(dir).readState();
    }

    /**
     * Mutated real state files either read (and then hold usable values) or fail with a
     * CheckpointFormatException naming the file; any other exception fails the property.
     */
    @Property(tries = 3000, seed = "424242")
    void fuzzedStateFilesFailCleanly(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
                                     @ForAll @IntRange(min = 0, max = 8) int kind) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        String base = r.nextBoolean() ? Bases.TEXT : Bases.ADDITION;
        byte[] bytes = base.getBytes(StandardCharsets.UTF_8);
        switch (kind) {
            case 0 -> bytes = Arrays.copyOf(bytes, r.nextInt(bytes.length));
            case 1 -> {
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 2 -> bytes[r.nextInt(bytes.length)] = (byte) "{}[],:\"0123456789-eE.tfn \\".charAt(r.nextInt(26));
            case 3, 4, 5, 6 -> {
                ObjectNode root = (ObjectNode) JSON.readTree(base);
                for (int i = 0, n = kind == 6 ? 2 + r.nextInt(3) : 1; i < n; i++) mutate(root, r, kind == 6 ? 3 + r.nextInt(3) : kind);
                bytes = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
            }
            case 7 -> {
                ObjectNode root = (ObjectNode) JSON.readTree(base);
                String tok = root.path("tokenizer").asText();
                String[] choices = {tok.substring(0, r.nextInt(tok.length() + 1)), tok.replace("char", "bpe"),
                    tok.replace("vocab", "v"), "{\"type\":\"char\",\"vocab\":\"zyx\"}", "{\"type\":\"char\",\"vocab\":\"\"}",
                    "{\"type\":\"char\",\"vocab\":7}", "null", "", "[]", "{\"type\":\"char\",\"vocab\":\"\\ud800ab\"}"};
                root.put("tokenizer", choices[r.nextInt(choices.length)]);
                bytes = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
            }
            default -> { }
        }
        Path f = Files.write(Bases.FUZZ_DIR.resolve(RunDirectory.STATE), bytes);
        RunDirectory.State s;
        try {
            s = new RunDirectory(Bases.FUZZ_DIR).readState();
        } catch (CheckpointFormatException e) {
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            Statistics.collect("rejected");
            return;
        }
        Statistics.collect("read");
        assertTrue(s.step() >= 0);
        assertNotNull(s.config());
        assertTrue(s.tokenizer().vocabSize() > 0);
        String k = s.data().get("kind").asText();
        assertTrue(k.equals("text") || k.equals("addition"), k);
        if (k.equals("addition")) assertNotNull(s.task(null));
    }

    /** 3: replace a random value, 4: delete a random field or element, 5: add a field to a random object. */
    private static void mutate(ObjectNode root, SplittableRandom r, int how) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode c = containers.get(r.nextInt(containers.size()));
        if (how == 5) {
            if (c instanceof ObjectNode o) o.set(List.of("x", "format", "step", "kind", "lr", "bias", "nLayer").get(r.nextInt(7)), value(r));
            return;
        }
        if (c.size() == 0) return;
        if (c instanceof ObjectNode o) {
            String key = new ArrayList<>(o.properties()).get(r.nextInt(o.size())).getKey();
            if (how == 4) o.remove(key);
            else o.set(key, value(r));
        } else if (c instanceof ArrayNode a) {
            int i = r.nextInt(a.size());
            if (how == 4) a.remove(i);
            else a.set(i, value(r));
        }
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (!n.isContainerNode()) return;
        out.add(n);
        for (JsonNode child : n) collect(child, out);
    }

    private static JsonNode value(SplittableRandom r) {
        return switch (r.nextInt(24)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(true);
            case 2 -> NODES.booleanNode(false);
            case 3 -> NODES.numberNode(0);
            case 4 -> NODES.numberNode(-1);
            case 5 -> NODES.numberNode(1 + r.nextInt(8));
            case 6 -> NODES.numberNode(Integer.MAX_VALUE);
            case 7 -> NODES.numberNode(Long.MIN_VALUE);
            case 8 -> NODES.numberNode(new BigInteger("123456789012345678901234567890"));
            case 9 -> NODES.numberNode(new BigDecimal("1e400"));
            case 10 -> NODES.numberNode(-2.5);
            case 11 -> NODES.numberNode(1e-45);
            case 12 -> NODES.numberNode(3.4e38 * (r.nextBoolean() ? 1 : 10));
            case 13 -> NODES.textNode("");
            case 14 -> NODES.textNode("text");
            case 15 -> NODES.textNode("addition");
            case 16 -> NODES.textNode("x".repeat(r.nextInt(10_000)));
            case 17 -> NODES.textNode("\u0000/\uD800");
            case 18 -> NODES.textNode("{\"type\":\"char\",\"vocab\":\"ab\"}");
            case 19 -> NODES.arrayNode();
            case 20 -> NODES.arrayNode().add(1).add("a");
            case 21 -> NODES.objectNode();
            case 22 -> NODES.objectNode().put("kind", "text").put("path", "/x").put("sha256", "0".repeat(64));
            default -> NODES.textNode("0".repeat(64));
        };
    }
}
