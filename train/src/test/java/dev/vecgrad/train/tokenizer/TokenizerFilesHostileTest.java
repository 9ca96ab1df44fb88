package dev.vecgrad.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and hostile tokenizer files: each gets one {@link TokenizerFormatException} naming
 * the file and the problem; random mutations never escape as another exception type.
 */
class TokenizerFilesHostileTest {
    @TempDir
    Path tmp;

    private static final BpeTokenizer SMALL = BpeTrainer.train(BpeTrainerTest.generatedText(3000, 1), 300,
            SplitPattern.GPT2, List.of("<|endoftext|>"), 1, null);

    private String validJson() {
        return TokenizerJson.toHf(SMALL).toPrettyString();
    }

    private void expectError(String fileName, String content, String... fragments) throws IOException {
        Path f = tmp.resolve(fileName);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(f),
                () -> "no error for " + fileName + " with " + String.join(", ", fragments));
        // GPT-2's pair names the file of the two that is wrong
        String named = fileName.equals("vocab.json") ? tmp.toString() : f.toString();
        assertTrue(e.getMessage().contains(named), () -> "message does not name the file: " + e.getMessage());
        for (String frag : fragments) {
            assertTrue(e.getMessage().contains(frag), () -> "message lacks '" + frag + "': " + e.getMessage());
        }
        // One short line: no parser location dump ("[Source: REDACTED ...; line: 1, column: 1]").
        assertTrue(!e.getMessage().contains("Source:") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void validFilesLoad() throws IOException {
        Path f = tmp.resolve("tokenizer.json");
        Files.writeString(f, validJson());
        assertDoesNotThrow(() -> TokenizerFiles.load(f));
    }

    @Test
    void tokenizerJsonProblemsAreNamed() throws IOException {
        String ok = validJson();
        expectError("t1.json", ok.substring(0, ok.length() / 2), "not valid JSON");
        expectError("t1b.json", "{\"model\": {\"type\": \"BPE\"", "not valid JSON", "Unexpected end-of-input");
        expectError("t2.json", "[1,2]", "expected a JSON object");
        expectError("t3.json", "{\"version\":\"1.0\"}", "no \"model\"");
        expectError("t4.json", ok.replace("\"type\" : \"BPE\"", "\"type\" : \"WordPiece\""), "WordPiece");
        expectError("t5.json", ok.replace("\"Ġ\" : 32", "\"中\" : 32"), "'中'", "byte alphabet");
        expectError("t6.json", ok.replace("\"Ġ\" : 32", "\"Ġ\" : 33"), "id 33");
        expectError("t7.json", ok.replace("\"Ġ\" : 32", "\"Ġ\" : -5"), "-5");
        expectError("t8.json", ok.replace("\"Ġ\" : 32", "\"Ġ\" : 2000000000"), "2000000000");
        expectError("t9.json", ok.replace("\"Ġ\" : 32", "\"Ġ\" : \"x\""), "integer id");
        expectError("t10.json", ok.replace("\"merges\" : [ \"", "\"merges\" : [ \"x"), "model.merges[0]");
        expectError("t11.json", ok.replace("\"merges\" : [ ", "\"merges\" : [ \"a b c\", "), "model.merges[0]",
                "two pieces");
        expectError("t12.json", ok.replace("\"merges\" : [ ", "\"merges\" : [ 7, "), "model.merges[0]");
        expectError("t13.json", ok.replace("\"merges\" : [ ", "\"merges\" : [ \"q ~\", "), "'q~'",
                "not in the vocabulary");
        expectError("t14.json", ok.replace("\"Ā\" : 0,", ""), "byte 0x00");
        expectError("t15.json", ok.replace("\"normalizer\" : null", "\"normalizer\" : {\"type\":\"NFC\"}"), "NFC");
        expectError("t16.json", ok.replaceFirst("\"add_prefix_space\" : false", "\"add_prefix_space\" : true"),
                "add_prefix_space");
        expectError("t17.json", ok.replaceFirst("\"type\" : \"ByteLevel\"", "\"type\" : \"Whitespace\""), "Whitespace");
        expectError("t18.json", ok.replace("\"content\" : \"<|endoftext|>\"", "\"content\" : \"\""), "content");
        expectError("t19.json", ok.replace("\"id\" : 299", "\"id\" : 5"), "special token", "id 5");
        expectError("t20.json", ok.replace("\"dropout\" : null", "\"dropout\" : 0.1"), "dropout");
        expectError("t21.json", ok.replace("\"decoder\" : {\n    \"type\" : \"ByteLevel\"",
                "\"decoder\" : {\n    \"type\" : \"WordPiece\""), "decoder.type");
        expectError("t22.json", ok.replace("\"vocab\" : {", "\"vocab\" : [ ], \"x\" : {"), "model.vocab");
        String gpt4 = TokenizerJson.toHf(BpeTrainer.train("hello world", 260, SplitPattern.GPT4, List.of(), 1, null))
                .toPrettyString();
        expectError("t23.json", gpt4.replace(SplitPattern.GPT4_REGEX.replace("\\", "\\\\"), "(unclosed"), "Regex");
        Path bad = tmp.resolve("t24.json");
        Files.write(bad, new byte[] {'{', (byte) 0xC3, '}'});
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(bad));
        assertTrue(e.getMessage().contains("UTF-8") && e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void gpt2FilesProblemsAreNamed() throws IOException {
        Gpt2Files.write(tmp, SMALL);
        String vocab = Files.readString(tmp.resolve("vocab.json"));
        String merges = Files.readString(tmp.resolve("merges.txt"));
        Files.writeString(tmp.resolve("merges.txt"), merges + "ab\n");
        expectError("vocab.json", vocab, "merges.txt", "line ", "two pieces");
        Files.writeString(tmp.resolve("merges.txt"), merges + "zz Ġ\n");
        expectError("vocab.json", vocab, "merges.txt", "'zz'");
        Files.writeString(tmp.resolve("merges.txt"), merges);
        expectError("vocab.json", vocab.replace("\"Ġ\":32", "\"Ġ\":\"32\""), "vocab.json", "integer id");
        expectError("vocab.json", vocab.substring(0, 10), "vocab.json", "not valid JSON");
        expectError("vocab.json", vocab.replace("\"Ġ\":32", "\"a b\":32"), "vocab.json", "'a b'", "byte alphabet");
        Files.delete(tmp.resolve("merges.txt"));
        expectError("vocab.json", vocab, "merges.txt beside it");
    }

    /** A leading byte-order mark (Windows editors write one) is dropped from every tokenizer file. */
    @Test
    void aByteOrderMarkIsIgnored() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        Path json = tmp.resolve("tokenizer.json");
        Files.write(json, concat(bom, validJson().getBytes(StandardCharsets.UTF_8)));
        assertTrue(TokenizerFiles.load(json).hash().equals(SMALL.hash()));
        for (String name : List.of(Gpt2Files.VOCAB, Gpt2Files.MERGES)) {
            Path g = Files.createDirectory(tmp.resolve("bom-" + name));
            Gpt2Files.write(g, SMALL);
            Files.write(g.resolve(name), concat(bom, Files.readAllBytes(g.resolve(name))));
            // merges.txt's "#version" line was read as a merge of "\uFEFF#version:" and "0.2"
            assertTrue(TokenizerFiles.load(g).hash().equals(SMALL.hash()), name);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void tiktokenProblemsAreNamed() throws IOException {
        StringBuilder ok = new StringBuilder();
        for (int b = 0; b < 256; b++) ok.append(Base64.getEncoder().encodeToString(new byte[] {(byte) b})).append(' ').append(b).append('\n');
        ok.append(Base64.getEncoder().encodeToString("ab".getBytes(StandardCharsets.US_ASCII))).append(" 256\n");
        Path f = tmp.resolve("mine.tiktoken");
        Files.writeString(f, ok);
        assertDoesNotThrow(() -> TokenizerFiles.load(f));
        expectError("a.tiktoken", ok + "!!!! 257\n", "line 258", "not base64");
        expectError("b.tiktoken", ok + "YWJj\n", "line 258", "base64 rank");
        expectError("c.tiktoken", ok + "YWJj 12\n", "rank 12 appears twice");
        expectError("d.tiktoken", ok + "YWI= 300\n", "repeats the token of rank 256");
        expectError("e.tiktoken", ok + "YWJj x\n", "not an integer");
        expectError("f.tiktoken", ok + "YWJj 99999999\n", "99999999");
        expectError("g.tiktoken", "", "no tokens");
        expectError("h.tiktoken", "YQ== 0\n", "byte 0x00");
    }

    @Test
    void directoryWithoutTokenizerFilesIsNamed() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("empty"));
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(d));
        assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("vocab.json"), e.getMessage());
        e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(tmp.resolve("missing.json")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void aRunDirectoryIsNamedWithWhereItsTokenizerIs() throws IOException {
        Path run = Files.createDirectory(tmp.resolve("char-run"));
        dev.vecgrad.nn.GPT gpt = new dev.vecgrad.nn.GPT(dev.vecgrad.nn.GPTConfig.tiny(5), 1L);
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(run.resolve("model.safetensors"), gpt, CharTokenizer.fromText("abcde"), null);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(run));
        org.junit.jupiter.api.Assertions.assertEquals(run + ": holds a vecgrad model, as a run directory does: its tokenizer (char, 5"
                + " characters) is stored in model.safetensors's metadata, not in a tokenizer file (no tokenizer.json or vocab.json"
                + " + merges.txt); a model's tokenizer is loaded with the model (ModelCheckpoint.load)", e.getMessage());
        assertTrue(e instanceof ModelNotTokenizerException, "a program can give its own advice");
        // A library class: its messages name Java calls, not the command line's flags.
        assertFalse(e.getMessage().contains("--"), e.getMessage());

        Path bare = Files.createDirectory(tmp.resolve("converted"));
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(bare.resolve("model.safetensors"), gpt, null, null);
        e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(bare));
        assertTrue(e.getMessage().contains("holds a model (model.safetensors) but no tokenizer: none in the model's metadata"
                + " (no tokenizer.json or vocab.json + merges.txt)"), e.getMessage());
        assertFalse(e instanceof ModelNotTokenizerException, "a model without a tokenizer has none to load with it");

        // A model file that does not read is not this error's business: the plain message stands.
        Path broken = Files.createDirectory(tmp.resolve("broken"));
        Files.writeString(broken.resolve("model.safetensors"), "not a model");
        e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(broken));
        assertTrue(e.getMessage().endsWith("directory has no tokenizer.json and no vocab.json + merges.txt"), e.getMessage());
    }

    @Test
    void modelWeightsGivenAsATokenizerAreNamedAsSuch() throws IOException {
        // a safetensors header: its length, then JSON; not UTF-8 text as a whole
        Path f = tmp.resolve("model.safetensors");
        Files.write(f, new byte[] {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(f));
        assertTrue(e.getMessage().contains("a model's weights, not a tokenizer file"), e.getMessage());
        assertFalse(e.getMessage().contains("--"), e.getMessage());
    }

    /**
     * A model file given as the tokenizer: "load it with the model" is the advice only when the
     * model has a tokenizer to load with it (the CLI turns it into "pass it as --checkpoint").
     */
    @Test
    void aModelFileIsAModelNotTokenizerOnlyWhenItHoldsATokenizer() throws IOException {
        dev.vecgrad.nn.GPT gpt = new dev.vecgrad.nn.GPT(dev.vecgrad.nn.GPTConfig.tiny(5), 1L);
        Path with = tmp.resolve("with.safetensors"), without = tmp.resolve("without.safetensors");
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(with, gpt, CharTokenizer.fromText("abcde"), null);
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(without, gpt, null, null);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(with));
        assertTrue(e instanceof ModelNotTokenizerException, e.getMessage());
        e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(without));
        assertTrue(e.getMessage().contains("a model's weights, not a tokenizer file"), e.getMessage());
        assertFalse(e instanceof ModelNotTokenizerException, "a model without a tokenizer has none to load with it: " + e.getMessage());
    }

    /** A GPT-2 folder lacking its tokenizer files is named as one: its weights never hold a tokenizer in their metadata. */
    @Test
    void aGpt2FolderWithoutTokenizerFilesIsNamedAsSuch() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("gpt2-no-tokenizer"));
        Path fixture = Path.of("src/test/resources/fixtures/hf_gpt2/plain");
        for (String f : new String[] {"config.json", "model.safetensors"}) Files.copy(fixture.resolve(f), d.resolve(f));
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(d));
        org.junit.jupiter.api.Assertions.assertEquals(d + ": a GPT-2 folder without its tokenizer files (no tokenizer.json or"
                + " vocab.json + merges.txt)", e.getMessage());
        assertFalse(e instanceof ModelNotTokenizerException, "it has no tokenizer to load with it");
    }

    /** Random byte flips, cuts, duplications and insertions. */
    private static byte[] mutate(byte[] src, Random r) {
        byte[] b = src.clone();
        switch (r.nextInt(4)) {
            case 0 -> {
                for (int k = 0; k < 1 + r.nextInt(4); k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            case 1 -> {
                int from = r.nextInt(b.length), len = r.nextInt(Math.min(64, b.length - from) + 1);
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, from + len, out, from, b.length - from - len);
                b = out;
            }
            case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            default -> {
                int at = r.nextInt(b.length);
                String junk = List.of("\"", "{", "]", ",", " ", "-1", "1e9", "null", "\"Ġ\"", "\\u0000").get(r.nextInt(10));
                byte[] j = junk.getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[b.length + j.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(j, 0, out, at, j.length);
                System.arraycopy(b, at, out, at + j.length, b.length - at);
                b = out;
            }
        }
        return b;
    }

    private void fuzz(String name, byte[] valid, Path target, int rounds, long seed) throws IOException {
        Random r = new Random(seed);
        for (int i = 0; i < rounds; i++) {
            Files.write(target, mutate(valid, r));
            try {
                TokenizerFiles.load(target.getFileName().toString().equals("merges.txt") ? target.getParent() : target);
            } catch (TokenizerFormatException expected) {
                if (!expected.getMessage().contains(name)) fail("error does not name " + name + ": " + expected.getMessage());
            } catch (Exception other) {
                throw new AssertionError("mutation " + i + " of " + name + " escaped as " + other, other);
            }
        }
        Files.write(target, valid);
    }

    @Test
    void mutatedFilesGiveOnlyFormatErrors() throws IOException {
        byte[] json = validJson().getBytes(StandardCharsets.UTF_8);
        fuzz("tokenizer.json", json, tmp.resolve("tokenizer.json"), 300, 1);
        Path g = Files.createDirectory(tmp.resolve("gpt2"));
        Gpt2Files.write(g, SMALL);
        fuzz("vocab.json", Files.readAllBytes(g.resolve("vocab.json")), g.resolve("vocab.json"), 150, 2);
        fuzz("merges.txt", Files.readAllBytes(g.resolve("merges.txt")), g.resolve("merges.txt"), 150, 3);
        StringBuilder tk = new StringBuilder();
        for (int id = 0; id < SMALL.vocabSize() - 1; id++) {
            tk.append(Base64.getEncoder().encodeToString(SMALL.tokenBytes(id))).append(' ').append(id).append('\n');
        }
        fuzz("x.tiktoken", tk.toString().getBytes(StandardCharsets.US_ASCII), tmp.resolve("x.tiktoken"), 200, 4);
    }
}
