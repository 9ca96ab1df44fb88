package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.examples.cli.CliTest.Result;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.Gpt2Files;
import dev.vecgrad.train.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BPE from the command line: train a tokenizer, inspect tokens, train and inspect a BPE model. */
class TokenizerCliTest {
    @TempDir static Path tmp;
    static Path text, runs, run;

    static Result vecgrad(String... args) {
        return CliTest.vecgrad(args);
    }

    @BeforeAll
    static void trainABpeModel() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append("To be, or not to be: that is the question. The river bank, ").append(i % 9).append(".\n");
        text = tmp.resolve("play.txt");
        Files.writeString(text, sb.toString());
        runs = Files.createDirectory(tmp.resolve("runs"));
        run = runs.resolve("bpe");
        Result r = vecgrad("train", "--data", text.toString(), "--tokenizer", "bpe:300", "--preset", "tiny", "--max-iters", "4",
                "--eval-interval", "2", "--eval-iters", "1", "--block-size", "16", "--batch-size", "4", "--out", run.toString(),
                "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("bits/byte") && r.out().contains("bytes a token"), r.out());
    }

    @Test
    void tokenizerTrainWritesALoadableFileAndASummary() throws IOException {
        Path out = tmp.resolve("tok.json");
        Result r = vecgrad("tokenizer", "train", "--data", text.toString(), "--vocab-size", "290", "--pattern", "gpt4",
                "--special", "<|endoftext|>", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("bytes a token") && r.out().contains("wrote " + out), r.out());
        BpeTokenizer t = TokenizerFiles.load(out);
        assertEquals(289, t.specialTokens().get("<|endoftext|>"));
        assertEquals("gpt4", t.pattern().name());

        // Run again into the same file: refused in one line, the file kept; --force replaces it.
        byte[] before = Files.readAllBytes(out);
        Result again = vecgrad("tokenizer", "train", "--data", text.toString(), "--vocab-size", "280", "--out", out.toString(),
                "--no-progress");
        assertEquals(2, again.code(), again.out());
        assertEquals("vecgrad tokenizer train: --out " + out + " already exists; give --force to overwrite it, or another"
                + " --out FILE", again.err().strip());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out)), "the existing file was changed");
        Result forced = vecgrad("tokenizer", "train", "--data", text.toString(), "--vocab-size", "280", "--out", out.toString(),
                "--no-progress", "--force");
        assertEquals(0, forced.code(), forced.err());
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(out)), "--force did not replace the file");

        // --out DIR whose tokenizer.json is itself a directory: said at once, not after a --force.
        Path dir = Files.createDirectories(out.resolveSibling("outdir").resolve("tokenizer.json")).getParent();
        Result intoDir = vecgrad("tokenizer", "train", "--data", text.toString(), "--vocab-size", "280", "--out", dir.toString(),
                "--no-progress");
        assertEquals(2, intoDir.code(), intoDir.out());
        assertEquals("vecgrad tokenizer train: --out " + dir.resolve("tokenizer.json") + ": is a directory; name a file",
                intoDir.err().strip());

        Result bad = vecgrad("tokenizer", "train", "--data", text.toString(), "--vocab-size", "100");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--vocab-size"), bad.err());
    }

    /** A model where a tokenizer file was expected: the command's own flag is the advice, not the library's Java call. */
    @Test
    void aModelGivenAsTokenizerIsAnsweredWithTheCommandsFlag() throws IOException {
        Path charRun = Files.createDirectory(tmp.resolve("char-model"));
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(charRun.resolve("model.safetensors"),
                new dev.vecgrad.nn.GPT(dev.vecgrad.nn.GPTConfig.tiny(5), 1L), dev.vecgrad.train.tokenizer.CharTokenizer.fromText("abcde"), null);
        Result r = vecgrad("tokens", "--tokenizer", charRun.toString(), "--text", "abc");
        assertEquals(2, r.code());
        assertEquals("vecgrad tokens: " + charRun + ": holds a vecgrad model, as a run directory does: its tokenizer (char, 5 characters)"
                + " is stored in model.safetensors's metadata, not in a tokenizer file (no tokenizer.json or vocab.json + merges.txt);"
                + " pass the model as --checkpoint " + charRun + ", which reads its tokenizer", r.err().strip());
        r = vecgrad("train", "--data", text.toString(), "--tokenizer", charRun.resolve("model.safetensors").toString(),
                "--out", tmp.resolve("never").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("a model's weights, not a tokenizer file") && r.err().contains("; pass the model as --init-from "
                + charRun.resolve("model.safetensors") + " to go on from it, tokenizer and all") && !r.err().contains("ModelCheckpoint"), r.err());
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    @Test
    void tokensPrintsJsonFromTokenizerFilesAndCheckpoints() throws IOException {
        Path tj = run.resolve("tokenizer.json");
        assertTrue(Files.exists(tj), "bpe:N stores its tokenizer in the run");
        Result r = vecgrad("tokens", "--tokenizer", tj.toString(), "--text", "To be, or not", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        StringBuilder joined = new StringBuilder();
        n.get("pieces").forEach(p -> joined.append(p.asText()));
        assertEquals("To be, or not", joined.toString());
        assertTrue(n.get("ids").size() < 13, "BPE merges characters: " + r.out());
        assertEquals(java.util.List.of("ids", "pieces", "bytes"), iterate(n.fieldNames()));

        // A piece cut inside a character reads like text that spells its escape; the bytes do not.
        String tricky = "be \uD83D\uDE42<0xF0>";   // U+1F642 is F0 9F 99 82
        JsonNode e = new ObjectMapper().readTree(vecgrad("tokens", "--tokenizer", tj.toString(), "--text", tricky, "--json").out());
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        java.util.List<String> escapes = new java.util.ArrayList<>();
        for (int i = 0; i < e.get("ids").size(); i++) {
            JsonNode b = e.get("bytes").get(i);
            byte[] one = new byte[b.size()];
            for (int j = 0; j < one.length; j++) {
                assertTrue(b.get(j).isInt() && b.get(j).asInt() >= 0 && b.get(j).asInt() <= 255, b.toString());
                one[j] = (byte) b.get(j).asInt();
            }
            all.writeBytes(one);
            if (e.get("pieces").get(i).asText().equals("<0xF0>")) escapes.add(b.toString());
        }
        assertArrayEquals(tricky.getBytes(java.nio.charset.StandardCharsets.UTF_8), all.toByteArray());
        assertTrue(escapes.contains("[240]"), "the emoji's first byte is its own token here: " + e);

        Path gpt2 = Files.createDirectory(tmp.resolve("gpt2"));
        Gpt2Files.write(gpt2, TokenizerFiles.load(tj));
        Path f = tmp.resolve("in.txt");
        Files.writeString(f, "To be, or not");
        Result fromDir = vecgrad("tokens", "--tokenizer", gpt2.toString(), "--file", f.toString(), "--json");
        assertEquals(r.out(), fromDir.out());
        Result fromRun = vecgrad("tokens", "--checkpoint", run.toString(), "--text", "To be, or not", "--json");
        assertEquals(r.out(), fromRun.out());

        Result both = vecgrad("tokens", "--tokenizer", tj.toString(), "--checkpoint", run.toString(), "--text", "x");
        assertEquals(2, both.code());
        Result broken = vecgrad("tokens", "--tokenizer", text.toString(), "--text", "x");
        assertEquals(1, Math.min(1, broken.code()), broken.out());
        assertTrue(broken.err().contains(text.toString()), broken.err());
    }

    private static java.util.List<String> iterate(java.util.Iterator<String> it) {
        java.util.List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void inspectionCommandsWorkOnABpeRun() throws IOException {
        Result s = vecgrad("sample", "--checkpoint", run.toString(), "--prompt", "To be", "--max-new-tokens", "5", "--seed", "1");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().startsWith("To be"), s.out());
        Result a = vecgrad("attention", "--checkpoint", run.toString(), "--prompt", "To be, or not", "--out",
                tmp.resolve("att.png").toString());
        assertEquals(0, a.code(), a.err());
        Result e = vecgrad("explain", "--checkpoint", run.toString(), "--prompt", "To be, or not", "--json");
        assertEquals(0, e.code(), e.err());
        // The walk-through says how a BPE model cut the text (it used to say "one per character").
        int n = ModelCheckpoint.load(run).tokenizer().encode("To be, or not").length;
        Result walk = vecgrad("explain", "--checkpoint", run.toString(), "--prompt", "To be, or not");
        assertEquals(0, walk.code(), walk.err());
        assertTrue(walk.out().startsWith("1. The text becomes tokens (byte-level BPE: " + n + " tokens for 13 characters)"),
                walk.out());
        assertTrue(n < 13, "the BPE run's tokenizer merges nothing in 'To be, or not'");
        Result ev = vecgrad("eval", "--checkpoint", run.toString(), "--data", text.toString(), "--eval-iters", "1");
        assertEquals(0, ev.code(), ev.err());
        // A word piece holds several bytes, so the loss in bits per byte is below the loss in bits per token.
        var m = java.util.regex.Pattern.compile("val loss ([0-9.]+) \\(([0-9.]+) bits/byte\\)").matcher(ev.out());
        assertTrue(m.find(), ev.out());
        assertTrue(Double.parseDouble(m.group(2)) < Double.parseDouble(m.group(1)) / Math.log(2), ev.out());
        assertTrue(ModelCheckpoint.load(run).tokenizer() instanceof BpeTokenizer);
    }

    @Test
    void tokenIdsAreCachedBesideTheRunAndResumeKeepsTheTokenizer() throws IOException {
        try (Stream<Path> s = Files.list(runs.resolve("token-cache"))) {
            assertEquals(1, s.count());
        }
        Path second = runs.resolve("second");
        Result r = vecgrad("train", "--data", text.toString(), "--tokenizer", run.resolve("tokenizer.json").toString(),
                "--preset", "tiny", "--max-iters", "2", "--eval-iters", "1", "--block-size", "16", "--batch-size", "4",
                "--out", second.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ids from the cache"), r.out());

        Path other = tmp.resolve("other.json");
        assertEquals(0, vecgrad("tokenizer", "train", "--data", text.toString(), "--vocab-size", "280", "--out",
                other.toString(), "--no-progress").code());
        Result refused = vecgrad("train", "--resume", second.toString(), "--tokenizer", other.toString(), "--no-progress");
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.err().contains("differs from the run's tokenizer"), refused.err());
    }
}
