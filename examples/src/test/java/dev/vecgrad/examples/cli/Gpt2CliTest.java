package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor() == 0, "needs PyTorch (apt-get install python3-torch)");
        Path out = tmp.resolve("checked");
        assertEquals(0, CliTest.vecgrad("export", "--checkpoint", TINY.toString(), "--out", out.toString()).code());
        Process check = new ProcessBuilder(python.toString(), "../tools/pytorch/hf_gpt2.py", "check", out.toString(),
                "--reference", TINY.toString()).redirectErrorStream(true).start();
        String text = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), text);
        assertTrue(text.contains(": OK"), text);
    }

    @Test
    void aCharLevelRunIsRefusedWithTheReason() throws IOException {
        CliTest.Result r = CliTest.vecgrad("export", "--checkpoint", "../train/src/test/resources/fixtures/gpt/A/model.safetensors",
                "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no tokenizer"), r.err());
        Path charModel = tmp.resolve("char.safetensors");
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(charModel, new dev.vecgrad.nn.GPT(dev.vecgrad.nn.GPTConfig.tiny(5), 1L),
                dev.vecgrad.train.data.CharTokenizer.fromText("abcde"), null);
        r = CliTest.vecgrad("export", "--checkpoint", charModel.toString(), "--out", tmp.resolve("y").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("character-level tokenizer") && r.err().contains("256 bytes"), r.err());
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
