package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.checkpoint.SafeTensor;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.checkpoint.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on Hugging Face GPT-2 folders: {@code gpt2-tiny} (made by
 * {@code tools/pytorch/hf_gpt2.py make}: random weights, GPT-2's names and Conv1D layout, mask
 * buffers, a byte-level BPE tokenizer of 320 tokens) and the PyTorch parity fixtures.
 */
class Gpt2CliTest {
    static final Path TINY = Path.of("src/test/resources/gpt2-tiny");
    static final Path PLAIN = Path.of("../train/src/test/resources/fixtures/hf_gpt2/plain");
    @TempDir Path tmp;

    /** Debian's Python with PyTorch (apt-get install python3-torch), or the test is skipped, saying so. */
    private static Path pythonWithTorch() throws IOException, InterruptedException {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor() == 0, "needs PyTorch (apt-get install python3-torch)");
        return python;
    }

    @Test
    void summaryCountsTheFolderParameters() {
        CliTest.Result r = CliTest.vecgrad("summary", "--checkpoint", TINY.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("37,760"), r.out());
    }

    @Test
    void lossOnAFolderMatchesPyTorch() throws IOException {
        CliTest.Result r = CliTest.vecgrad("loss", "--checkpoint", PLAIN.toString(), "--batch", PLAIN.resolve("batch.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        float loss = Float.parseFloat(r.out().strip().substring("loss ".length()));
        float want = SafeTensors.read(PLAIN.resolve("expected.safetensors")).get("loss").toFloats()[0];
        assertEquals(want, loss, 1e-5 * want);
    }

    @Test
    void exportOfAFolderGivesBackTheSameTensorsAndTokenizer() throws IOException {
        Path out = tmp.resolve("exported");
        CliTest.Result r = CliTest.vecgrad("export", "--checkpoint", TINY.toString(), "--format", "hf", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        SafeTensorsFile a = SafeTensors.read(TINY.resolve("model.safetensors")), b = SafeTensors.read(out.resolve("model.safetensors"));
        int n = 0;
        for (SafeTensor t : a.tensors().values()) {
            if (t.name().endsWith(".attn.bias") || t.name().endsWith(".attn.masked_bias")) continue;
            assertEquals(t.bytes(), b.get(t.name()).bytes(), t.name());
            n++;
        }
        assertEquals(n, b.tensors().size());
        for (String f : List.of("vocab.json", "merges.txt", "tokenizer.json", "config.json")) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        // the same pieces, ids and merges as the source files
        assertEquals(Files.readString(TINY.resolve("merges.txt")).strip(), Files.readString(out.resolve("merges.txt")).strip());
        CliTest.Result again = CliTest.vecgrad("export", "--checkpoint", TINY.toString(), "--out", out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("not an empty directory"), again.err());
    }

    @Test
    void pythonChecksTheExport() throws Exception {
        Path python = pythonWithTorch();
        Path out = tmp.resolve("checked");
        assertEquals(0, CliTest.vecgrad("export", "--checkpoint", TINY.toString(), "--out", out.toString()).code());
        Process check = new ProcessBuilder(python.toString(), "../tools/pytorch/hf_gpt2.py", "check", out.toString(),
                "--reference", TINY.toString()).redirectErrorStream(true).start();
        String text = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), text);
        assertTrue(text.contains(": OK"), text);
    }

    @Test
    void theReadmesPytorchCheckerTakesAFolderAsLossDoes() throws Exception {
        Path python = pythonWithTorch();
        Path batch = PLAIN.resolve("batch.safetensors"), grads = tmp.resolve("grads.safetensors");
        assertEquals(0, CliTest.vecgrad("loss", "--checkpoint", PLAIN.toString(), "--batch", batch.toString(), "--grads-out",
                grads.toString()).code());
        // the folder itself, and its weights file (whose architecture is in config.json beside it)
        for (Path model : List.of(PLAIN, PLAIN.resolve("model.safetensors"))) {
            Process check = new ProcessBuilder(python.toString(), "../tools/pytorch/check_vecgrad_model.py", model.toString(),
                    batch.toString(), "--grads", grads.toString()).redirectErrorStream(true).start();
            String text = new String(check.getInputStream().readAllBytes());
            assertEquals(0, check.waitFor(), model + ": " + text);
            assertTrue(text.contains("all gradients within tolerance"), text);
        }
    }

    /**
     * A vecgrad model file carries its architecture: a config.json that happens to lie beside it
     * (a folder that is not GPT-2's) must not be read instead, as vecgrad itself does not.
     */
    @Test
    void thePytorchCheckerReadsAModelFilesOwnConfigWhateverLiesBesideIt() throws Exception {
        Path python = pythonWithTorch();
        Path fixture = Path.of("../train/src/test/resources/fixtures/gpt/A"), d = Files.createDirectories(tmp.resolve("mixed"));
        Files.copy(fixture.resolve("model.safetensors"), d.resolve("model.safetensors"));
        Files.copy(TINY.resolve("config.json"), d.resolve("config.json"));
        Path model = d.resolve("model.safetensors"), batch = fixture.resolve("batch.safetensors"), grads = tmp.resolve("a-grads.safetensors");
        CliTest.Result r = CliTest.vecgrad("loss", "--checkpoint", model.toString(), "--batch", batch.toString(), "--grads-out",
                grads.toString());
        assertEquals(0, r.code(), r.err());
        Process check = new ProcessBuilder(python.toString(), "../tools/pytorch/check_vecgrad_model.py", model.toString(),
                batch.toString(), "--grads", grads.toString()).redirectErrorStream(true).start();
        String text = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), text);
        assertTrue(text.contains("all gradients within tolerance"), text);
    }

    @Test
    void aFolderWithoutItsTokenizerFilesIsNamedAsAGpt2Folder() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("weights-only"));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(TINY.resolve(f), d.resolve(f));
        CliTest.Result r = CliTest.vecgrad("sample", "--checkpoint", d.toString(), "--prompt", "The", "--max-new-tokens", "2");
        assertEquals(2, r.code());
        assertEquals("vecgrad sample: " + d + ": no tokenizer in the GPT-2 folder (tokenizer.json, or vocab.json + merges.txt);"
                + " sample needs one to read and show text", r.err().strip());
        Files.copy(TINY.resolve("vocab.json"), d.resolve("vocab.json"));
        r = CliTest.vecgrad("tokens", "--checkpoint", d.toString(), "--text", "The");
        assertEquals(2, r.code());
        assertTrue(r.err().strip().endsWith("directory has vocab.json but no merges.txt (GPT-2's tokenizer is the two files"
                + " together) and no tokenizer.json"), r.err());
    }

    @Test
    void aCharLevelRunIsRefusedWithTheReason() throws IOException {
        CliTest.Result r = CliTest.vecgrad("export", "--checkpoint", "../train/src/test/resources/fixtures/gpt/A/model.safetensors",
                "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no tokenizer"), r.err());
        Path charModel = tmp.resolve("char.safetensors");
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(charModel, new dev.vecgrad.nn.GPT(dev.vecgrad.nn.GPTConfig.tiny(5), 1L),
                dev.vecgrad.train.tokenizer.CharTokenizer.fromText("abcde"), null);
        r = CliTest.vecgrad("export", "--checkpoint", charModel.toString(), "--out", tmp.resolve("y").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("character-level tokenizer") && r.err().contains("256 bytes"), r.err());
    }

    @Test
    void sampleTokensAttentionAndExplainWorkOnAFolder() throws IOException {
        CliTest.Result s = CliTest.vecgrad("sample", "--checkpoint", TINY.toString(), "--prompt", "The bank of the river",
                "--max-new-tokens", "80", "--seed", "3");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().startsWith("The bank of the river"), s.out());
        CliTest.Result t = CliTest.vecgrad("tokens", "--checkpoint", TINY.toString(), "--text", "The bank of the river was steep");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("␣river"), t.out());
        CliTest.Result a = CliTest.vecgrad("attention", "--checkpoint", TINY.toString(), "--prompt", "The bank of the river was steep",
                "--out", tmp.resolve("att.png").toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(Files.size(tmp.resolve("att.png")) > 0);
        CliTest.Result e = CliTest.vecgrad("explain", "--checkpoint", TINY.toString(), "--prompt", "The bank of the river");
        assertEquals(0, e.code(), e.err());
    }

    /** The folder's model.safetensors, the path a Hugging Face page shows, stands for the folder. */
    @Test
    void theFoldersWeightsFileWorksWhereTheFolderDoes() {
        String file = TINY.resolve("model.safetensors").toString();
        for (String[] cmd : List.of(new String[] {"sample", "--prompt", "The bank", "--max-new-tokens", "20", "--seed", "3"},
                new String[] {"tokens", "--text", "The bank of the river"}, new String[] {"summary"})) {
            String[] viaFolder = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd), java.util.stream.Stream.of("--checkpoint", TINY.toString()))
                    .toArray(String[]::new);
            String[] viaFile = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd), java.util.stream.Stream.of("--checkpoint", file))
                    .toArray(String[]::new);
            CliTest.Result a = CliTest.vecgrad(viaFolder), b = CliTest.vecgrad(viaFile);
            assertEquals(0, b.code(), cmd[0] + ": " + b.err());
            assertEquals(a.out(), b.out(), cmd[0]);
        }
    }

    /** A folder without tokenizer files exports without one; its weights file, which stands for it, must too. */
    @Test
    void theWeightsFileOfAFolderWithoutTokenizerExportsAsTheFolderDoes() throws IOException {
        Path bare = Files.createDirectory(tmp.resolve("bare"));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(TINY.resolve(f), bare.resolve(f));
        CliTest.Result a = CliTest.vecgrad("export", "--checkpoint", bare.toString(), "--out", tmp.resolve("a").toString());
        CliTest.Result b = CliTest.vecgrad("export", "--checkpoint", bare.resolve("model.safetensors").toString(), "--out",
                tmp.resolve("b").toString());
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        assertEquals(a.out().replace(tmp.resolve("a").toString(), "OUT"), b.out().replace(tmp.resolve("b").toString(), "OUT"));
    }

    /**
     * The weights file given as a bare name, in the folder itself: the message names the folder's
     * missing tokenizer files, not a model file's missing metadata (a file from elsewhere).
     */
    @Test
    void theWeightsFileAsABareNameSaysTheFolderLacksItsTokenizer() throws Exception {
        Path bare = Files.createDirectory(tmp.resolve("bare"));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(TINY.resolve(f), bare.resolve(f));
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-modules")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "sample", "--checkpoint",
                "model.safetensors", "--prompt", "The bank"));
        // The class path may name the build's directories relative to this module: made absolute for the child's working directory.
        cmd.replaceAll(a -> a.equals(System.getProperty("java.class.path")) ? java.util.Arrays.stream(a.split(java.io.File.pathSeparator))
                .map(p -> Path.of(p).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)) : a);
        Process p = new ProcessBuilder(cmd).directory(bare.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor(), out);
        assertTrue(out.contains("vecgrad sample: .: no tokenizer in the GPT-2 folder (tokenizer.json, or vocab.json + merges.txt)"), out);
    }

    /** Every command that shows single tokens shows a control character as an escape, never raw ({@code \r} overwrote the line). */
    @Test
    void controlCharactersInTokensArePrintedVisibly() {
        String text = "a\tb\u0001c\rd\u0000e\u2028f";
        List<CliTest.Result> shown = List.of(CliTest.vecgrad("tokens", "--checkpoint", TINY.toString(), "--text", text),
                CliTest.vecgrad("explain", "--checkpoint", TINY.toString(), "--prompt", text),
                CliTest.vecgrad("lens", "--checkpoint", TINY.toString(), "--prompt", text),
                CliTest.vecgrad("attention", "--checkpoint", TINY.toString(), "--prompt", text, "--layer", "0", "--head", "0"));
        for (CliTest.Result r : shown) {
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().codePoints().noneMatch(c -> c != '\n' && (c < 0x20 || c == 0x7F || c == 0x2028)), r.out());
        }
        String tokens = shown.get(0).out();
        // (this tokenizer holds U+2028 as three byte tokens: <0xE2> <0x80> <0xA8>)
        for (String s : List.of("⇥", "<0x01>", "<0x0D>", "<0x00>", "<0xE2>")) assertTrue(tokens.contains(s), s + " in\n" + tokens);
    }

    static Path text(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 150; i++) sb.append("The bank of the river was steep, and the cat sat on the mat. ");
        return Files.writeString(dir.resolve("river.txt"), sb.toString());
    }

    static java.util.Map<Long, Double> losses(Path run, String field) throws IOException {
        java.util.Map<Long, Double> m = new java.util.TreeMap<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            var n = json.readTree(line);
            if (n.has(field) && (field.equals("val_loss") || !n.has("val_loss"))) m.put(n.get("step").asLong(), n.get(field).asDouble());
        }
        return m;
    }

    @Test
    void fineTuningAFolderLowersTheLossAndResumesBitExactly() throws IOException {
        Path text = text(tmp);
        String[] recipe = {"--block-size", "24", "--batch-size", "4", "--lr", "2e-3", "--min-lr", "2e-3", "--eval-interval", "3",
                "--eval-iters", "2", "--threads", "1", "--no-progress"};
        Path straight = tmp.resolve("ft-straight"), split = tmp.resolve("ft-split");
        CliTest.Result r = ft(text, straight, "6", recipe);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("memory: 36,") && r.out().contains("heap peak"), r.out());
        java.util.Map<Long, Double> val = losses(straight, "val_loss"), train = losses(straight, "train_loss");
        assertTrue(val.get(6L) < val.get(3L) && val.get(6L) < train.get(1L), "val " + val + ", train " + train);

        assertEquals(0, ft(text, split, "3", recipe).code());
        CliTest.Result resumed = CliTest.vecgrad("train", "--resume", split.toString(), "--max-iters", "6", "--threads", "1", "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        SafeTensorsFile a = SafeTensors.read(straight.resolve("model.safetensors")), b = SafeTensors.read(split.resolve("model.safetensors"));
        for (SafeTensor t : a.tensors().values()) assertEquals(t.bytes(), b.get(t.name()).bytes(), t.name());
        SafeTensorsFile oa = SafeTensors.read(straight.resolve("optimizer.safetensors")), ob = SafeTensors.read(split.resolve("optimizer.safetensors"));
        for (SafeTensor t : oa.tensors().values()) assertEquals(t.bytes(), ob.get(t.name()).bytes(), t.name());
        // the fine-tuned run exports to a GPT-2 folder with the original tokenizer
        Path exported = tmp.resolve("ft-export");
        assertEquals(0, CliTest.vecgrad("export", "--checkpoint", straight.toString(), "--out", exported.toString()).code());
        assertEquals(Files.readString(TINY.resolve("merges.txt")).strip(), Files.readString(exported.resolve("merges.txt")).strip());
    }

    static CliTest.Result ft(Path text, Path out, String iters, String... recipe) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--init-from", TINY.toString(), "--data", text.toString(),
                "--out", out.toString(), "--max-iters", iters));
        args.addAll(List.of(recipe));
        return CliTest.vecgrad(args.toArray(String[]::new));
    }

    @Test
    void fineTuningRefusesContradictionsWithTheFolder() throws IOException {
        Path text = text(tmp);
        CliTest.Result r = ft(text, tmp.resolve("a"), "2", "--n-layer", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--n-layer 3 contradicts the model's 2"), r.err());
        r = ft(text, tmp.resolve("b"), "2", "--block-size", "65");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("context of 64 positions"), r.err());
        r = CliTest.vecgrad("train", "--init-from", TINY.toString(), "--out", tmp.resolve("c").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--init-from needs --data"), r.err());
        r = CliTest.vecgrad("train", "--init-from", tmp.resolve("nowhere").toString(), "--data", text.toString(),
                "--out", tmp.resolve("d").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--init-from " + tmp.resolve("nowhere") + ": no such file or directory"), r.err());
        r = CliTest.vecgrad("train", "--init-from", TINY.resolve("config.json").toString(), "--data", text.toString(),
                "--out", tmp.resolve("e").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("config.json: not a model file; pass the folder that holds it, " + TINY), r.err());
        assertFalse(Files.exists(tmp.resolve("d")) || Files.exists(tmp.resolve("e")), "no run directory for a failed start");
    }

    @Test
    void fineTuningStartsFromAVecgradRunToo() throws IOException {
        // A character-level run of our own, then a "fine-tune" of it on other text with a learning
        // rate too small to move a float32 weight: the new run holds the source's weights, with
        // the position table cropped to the shorter block, and its tokenizer.
        Path text = tmp.resolve("play.txt"), other = tmp.resolve("other.txt");
        Files.writeString(text, "To be, or not to be: that is the question.\n".repeat(200));
        Files.writeString(other, "to be not, or be: that is not the question, To be.\n".repeat(100));
        Path source = tmp.resolve("source"), ft = tmp.resolve("ft");
        CliTest.Result r = CliTest.vecgrad("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "4",
                "--eval-iters", "1", "--out", source.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        r = CliTest.vecgrad("train", "--init-from", source.toString(), "--data", other.toString(), "--out", ft.toString(),
                "--max-iters", "1", "--lr", "1e-30", "--min-lr", "1e-30", "--block-size", "16", "--eval-iters", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("block 16"), r.out());
        SafeTensorsFile a = SafeTensors.read(source.resolve("model.safetensors")), b = SafeTensors.read(ft.resolve("model.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (SafeTensor t : a.tensors().values()) {
            float[] want = t.toFloats(), got = b.get(t.name()).toFloats();
            if (t.name().equals("transformer.wpe.weight")) {
                assertEquals(32 * 16, got.length);
                want = java.util.Arrays.copyOf(want, got.length);   // the first 16 of 32 positions
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, t.name());
        }
        assertEquals(a.metadata().get("tokenizer"), b.metadata().get("tokenizer"));
        // Text the source's characters cannot spell is refused before anything is written.
        Path greek = Files.writeString(tmp.resolve("greek.txt"), "αβγ ".repeat(100));
        r = CliTest.vecgrad("train", "--init-from", source.toString(), "--data", greek.toString(), "--out", tmp.resolve("g").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not in the vocabulary"), r.err());
        assertFalse(Files.exists(tmp.resolve("g")));
    }

    @Test
    void hostileFoldersExitTwoWithOneLine() throws IOException {
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        Files.copy(TINY.resolve("config.json"), bin.resolve("config.json"));
        Files.write(bin.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        Path badType = tmp.resolve("llama");
        Files.createDirectories(badType);
        Files.copy(TINY.resolve("model.safetensors"), badType.resolve("model.safetensors"));
        Files.writeString(badType.resolve("config.json"), Files.readString(TINY.resolve("config.json")).replace("\"gpt2\"", "\"llama\""));
        for (String cmd : List.of("summary", "sample", "export")) {
            for (Path dir : List.of(bin, badType)) {
                List<String> args = new java.util.ArrayList<>(List.of(cmd, "--checkpoint", dir.toString()));
                if (cmd.equals("export")) args.addAll(List.of("--out", tmp.resolve("o-" + cmd).toString()));
                CliTest.Result r = CliTest.vecgrad(args.toArray(String[]::new));
                assertEquals(2, r.code(), cmd + " " + dir + ": " + r.out() + r.err());
                String first = r.err().lines().filter(l -> l.startsWith("vecgrad")).findFirst().orElse("");
                assertTrue(dir == bin ? first.contains("pickle") : first.contains("not \"gpt2\""), first);
                assertTrue(!r.err().contains("\tat "), r.err());
            }
        }
    }
}
