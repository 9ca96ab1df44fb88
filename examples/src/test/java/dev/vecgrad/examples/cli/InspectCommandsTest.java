package dev.vecgrad.examples.cli;

import static dev.vecgrad.examples.cli.CliTest.vecgrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.examples.cli.CliTest.Result;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.inspect.HeadScores;
import dev.vecgrad.train.inspect.ProbeData;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@code heads}, {@code lens} and {@code train --task induction} end to end, in-process, on the
 * three kinds of model they read: a run of the induction task, character and BPE runs on text, and
 * a Hugging Face GPT-2 folder ({@code gpt2-tiny}, see {@link Gpt2CliTest}). {@code --threads} sets
 * the global thread count in this JVM, so the class holds the thread-count lock and restores it.
 */
@ResourceLock("vecgrad.threads")
class InspectCommandsTest {
    @TempDir static Path tmp;
    static Path run, text, charRun, bpeRun;
    static int threadsBefore;

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @BeforeAll
    static void trainOnTheInductionTask() throws IOException {
        threadsBefore = Parallel.threads();
        run = tmp.resolve("ind");
        Result r = vecgrad("train", "--task", "induction", "--vocab", "10", "--max-iters", "4", "--eval-interval", "2", "--eval-iters", "1",
                "--n-embd", "16", "--n-head", "2", "--block-size", "12", "--batch-size", "4", "--out", run.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        // 10 is the vocabulary, 12 the sequence length (it once said "random sequences of 10 tokens").
        assertTrue(r.out().contains("induction: random tokens from a vocabulary of 10,"), r.out());
        assertTrue(r.out().contains("on a fixed training probe of 16 sequences of 12 random tokens"), r.out());
        assertTrue(r.out().contains("best induction score ") && r.out().contains(" (training probe)"), r.out());
        assertTrue(r.out().contains("find its induction heads: " + ShellWords.command("heads --checkpoint")), r.out());

        // Text runs, one per tokenizer: a few steps are enough, the tests compare the commands'
        // output with the loaded model's own numbers, not with what a trained model would say.
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("The bank of the river was steep, and the cat sat on the mat ").append(i % 7).append(".\n");
        text = Files.writeString(tmp.resolve("river.txt"), sb.toString());
        charRun = tmp.resolve("char");
        bpeRun = tmp.resolve("bpe");
        for (Path dir : List.of(charRun, bpeRun)) {
            List<String> args = new ArrayList<>(List.of("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "4",
                    "--eval-interval", "2", "--eval-iters", "1", "--block-size", "32", "--batch-size", "4", "--out", dir.toString(),
                    "--threads", "1", "--no-progress"));
            if (dir == bpeRun) args.addAll(List.of("--tokenizer", "bpe:300"));
            Result t = vecgrad(args.toArray(String[]::new));
            assertEquals(0, t.code(), t.err() + t.out());
        }
    }

    @Test
    void headsPrintsTheDocumentedJsonAndWritesAHeatmapPerScore() throws IOException {
        Result r = vecgrad("heads", "--checkpoint", run.toString(), "--json", "--sequences", "3", "--ablate", "1.0,1.1",
                "--out", tmp.resolve("pngs").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("n_layer").asInt());
        assertEquals(2, j.get("n_head").asInt());
        assertTrue(j.get("clean_loss").isNumber());
        for (String s : new String[] {"previous_token", "first_token", "induction", "ablation"}) {
            JsonNode grid = j.get("scores").get(s);
            assertEquals(2, grid.size(), s);
            assertEquals(2, grid.get(1).size(), s);
            assertNotNull(ImageIO.read(tmp.resolve("pngs").resolve("heads-" + s.replace('_', '-') + ".png").toFile()), s);
        }
        assertEquals(4, j.get("heads").size());
        JsonNode h = j.get("heads").get(3);
        assertEquals(1, h.get("layer").asInt());
        assertEquals(1, h.get("head").asInt());
        assertEquals(j.get("scores").get("induction").get(1).get(1).asDouble(), h.get("induction").asDouble());
        assertTrue(j.get("held_out").asText().contains("validation"), j.get("held_out").asText());
        assertTrue(j.get("ablated_together").get("loss").isNumber());

        Result table = vecgrad("heads", "--checkpoint", run.toString(), "--sequences", "2", "--sort", "ablation", "--no-progress");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("best induction") && table.out().contains("heads-ablation.png"), table.out());
        assertTrue(table.out().contains("induction probe: 2 sequences of 12 random tokens") && table.out().contains("(from --seed 1234;"
                + " not the fixed probe of train's evaluation lines)"), table.out());
        assertTrue(Files.exists(run.resolve("heads-induction.png")));
    }

    @Test
    void lensPrintsEveryStreamAndTheActualNextTokensProbability() throws IOException {
        Result r = vecgrad("lens", "--checkpoint", run.toString(), "--prompt", "abcdabcd", "--json", "--top-k", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(8, j.get("tokens").size());
        assertEquals(3, j.get("streams").size());
        assertEquals("blocks.1.hook_resid_post", j.get("streams").get(2).get("stream").asText());
        JsonNode cell = j.get("streams").get(0).get("positions").get(0);
        assertEquals(2, cell.get("top").size());
        double p = cell.get("actual_next_probability").asDouble();
        assertTrue(p > 0 && p < 1, "probability " + p);
        assertTrue(j.get("streams").get(0).get("positions").get(7).get("actual_next_probability").isNull());
        Path png = tmp.resolve("lens.png");
        Result t = vecgrad("lens", "--checkpoint", run.toString(), "--prompt", "abcabc", "--out", png.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("blocks.0.hook_resid_pre") && t.out().contains("actual next token"), t.out());
        assertNotNull(ImageIO.read(png.toFile()));
    }

    @Test
    void aRunsHeldOutDataIsItsOwnWithLengthAndFromItsModelFile() throws IOException {
        ObjectMapper m = new ObjectMapper();
        for (List<String> args : List.of(List.of("--checkpoint", run.toString(), "--length", "8"),
                List.of("--checkpoint", run.resolve("model.safetensors").toString()))) {
            List<String> all = new ArrayList<>(List.of("heads", "--json", "--sequences", "2"));
            all.addAll(args);
            Result r = vecgrad(all.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            JsonNode j = m.readTree(r.out());
            assertTrue(j.get("held_out").asText().startsWith("2 validation sequences of the run's data"), args + ": " + j.get("held_out"));
        }
    }

    @Test
    void badInputIsOneClearError() {
        Result sort = vecgrad("heads", "--checkpoint", run.toString(), "--sort", "bogus");
        assertEquals(2, sort.code());
        assertTrue(sort.err().contains("--sort bogus: must be one of previous_token, first_token, induction, ablation"), sort.err());
        Result typo = vecgrad("heads", "--checkpoint", run.toString(), "--sort", "inductoin");
        assertEquals(2, typo.code());
        assertTrue(typo.err().strip().endsWith("; did you mean induction?"), typo.err());
        Result dashed = vecgrad("heads", "--checkpoint", run.toString(), "--sort", "previous-token");
        assertTrue(dashed.err().strip().endsWith("; did you mean previous_token?"), dashed.err());
        Result ablate = vecgrad("heads", "--checkpoint", run.toString(), "--ablate", "1");
        assertEquals(2, ablate.code());
        assertTrue(ablate.err().contains("--ablate expects LAYER.HEAD"), ablate.err());
        Result head = vecgrad("heads", "--checkpoint", run.toString(), "--ablate", "5.0");
        assertEquals(2, head.code());
        assertEquals("vecgrad heads: --ablate 5.0: no such head; the model has layers 0..1 and heads 0..1 in each", head.err().strip());
        Result twice = vecgrad("heads", "--checkpoint", run.toString(), "--ablate", "1.0,1.0");
        assertEquals(2, twice.code());
        assertTrue(twice.err().contains("--ablate names head 1.0 twice"), twice.err());
        Result prompt = vecgrad("lens", "--checkpoint", run.toString(), "--prompt", "abcdabcdabcdabcd");
        assertEquals(2, prompt.code());
        assertTrue(prompt.err().contains("block size is 12"), prompt.err());
        Result task = vecgrad("train", "--task", "juggling", "--out", tmp.resolve("x").toString());
        assertEquals(2, task.code());
        assertTrue(task.err().contains("--task juggling: unknown task"), task.err());
    }

    // ------------------------------------------------------------------ char, BPE and GPT-2 folders

    static final Path GPT2_TINY = Gpt2CliTest.TINY;

    @Test
    void headsOnTextRunsAndAFolderEqualTheLibrarysScoresOnTheSameData() throws IOException {
        assertTrue(ModelCheckpoint.load(charRun).tokenizer() instanceof CharTokenizer);
        assertTrue(ModelCheckpoint.load(bpeRun).tokenizer() instanceof BpeTokenizer);
        for (Path ckpt : List.of(charRun, bpeRun, GPT2_TINY)) {
            boolean folder = ckpt == GPT2_TINY;
            Path pngs = tmp.resolve("heads-" + ckpt.getFileName());
            // The folder is a test resource: the PNGs go to --out, never beside its files.
            Result r = vecgrad("heads", "--checkpoint", ckpt.toString(), "--json", "--sequences", "3", "--seed", "7",
                    "--out", pngs.toString());
            assertEquals(0, r.code(), ckpt + ": " + r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            GPT model = ModelCheckpoint.load(ckpt).model();
            int nl = model.config().nLayer(), nh = model.config().nHead();
            assertEquals(nl, j.get("n_layer").asInt());
            assertEquals(nh, j.get("n_head").asInt());
            // A run scores on its own validation data; a folder has none, so on repeated random tokens.
            assertTrue(j.get("held_out").asText().contains(folder ? "repeated twice" : "validation sequences"), j.get("held_out").asText());
            // The same data and probe in-process: the command prints exactly the library's scores.
            int block = Math.min(model.config().blockSize(), 128);
            ProbeData held = folder ? ProbeData.repeated(model.config().vocabSize(), 3, block / 2, 7) : ProbeData.fromRun(ckpt, 3, 7);
            HeadScores.Report want = HeadScores.compute(model, held.batch(), HeadScores.probe(model.config().vocabSize(), 3, block, 8));
            assertEquals(block, j.get("probe_length").asInt());
            assertEquals(want.cleanLoss(), j.get("clean_loss").asDouble(), 0.0);
            for (String s : HeadScores.NAMES) {
                JsonNode grid = j.get("scores").get(s);
                assertEquals(nl, grid.size(), s);
                for (int l = 0; l < nl; l++) {
                    assertEquals(nh, grid.get(l).size(), s);
                    for (int h = 0; h < nh; h++) {
                        double v = grid.get(l).get(h).asDouble();
                        assertEquals(want.grid(s)[l][h], v, 0.0, ckpt + " " + s + " " + l + "." + h);
                        if (!s.equals("ablation")) assertTrue(v >= 0 && v <= 1, s + " is a mean attention weight: " + v);
                    }
                }
                assertNotNull(ImageIO.read(pngs.resolve("heads-" + s.replace('_', '-') + ".png").toFile()), s);
            }
            assertEquals(nl * nh, j.get("heads").size());
        }
        // --data FILE: windows of a text file, read with the checkpoint's own tokenizer.
        Result r = vecgrad("heads", "--checkpoint", GPT2_TINY.toString(), "--data", text.toString(), "--json", "--sequences", "2",
                "--length", "16");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("2 windows of 16 tokens from the last 10% of river.txt", j.get("held_out").asText());
        assertEquals(16, j.get("probe_length").asInt());
    }

    /**
     * heads and lens write their pictures into a run directory vecgrad made, never into a model
     * folder from elsewhere: a copy of a Hugging Face folder keeps exactly its files.
     */
    @Test
    void picturesGoIntoRunDirectoriesButNeverIntoAFolderFromElsewhere() throws IOException {
        Path hf = Files.createDirectories(tmp.resolve("hf-copy"));
        try (var files = Files.list(GPT2_TINY)) {
            for (Path f : files.toList()) Files.copy(f, hf.resolve(f.getFileName()));
        }
        List<String> before;
        try (var files = Files.list(hf)) {
            before = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        Result h = vecgrad("heads", "--checkpoint", hf.toString(), "--sequences", "2");
        assertEquals(0, h.code(), h.err());
        assertTrue(h.out().contains("no heatmaps written") && h.out().contains("--out DIR"), h.out());
        Result l = vecgrad("lens", "--checkpoint", hf.toString(), "--prompt", "The bank");
        assertEquals(0, l.code(), l.err());
        assertTrue(l.out().contains("no lens.png written") && l.out().contains("--out FILE.png"), l.out());
        try (var files = Files.list(hf)) {
            assertEquals(before, files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        Result own = vecgrad("lens", "--checkpoint", charRun.toString(), "--prompt", "The bank");
        assertEquals(0, own.code(), own.err());
        assertTrue(Files.isRegularFile(charRun.resolve("lens.png")), own.out());
        Path pics = tmp.resolve("hf-pictures");
        Result asked = vecgrad("heads", "--checkpoint", hf.toString(), "--sequences", "2", "--out", pics.toString());
        assertEquals(0, asked.code(), asked.err());
        assertTrue(Files.isRegularFile(pics.resolve("heads-induction.png")), asked.out());
    }

    /**
     * Every column of the text table starts at the same place on every line, as wide as its widest
     * cell (a BPE model's pieces are longer than a character), the last one too (it has no
     * probability, and was jammed against the one before it when cells were right-aligned).
     */
    @Test
    void lensTableColumnsLineUp() throws IOException {
        String prompt = "The bank of the river was steep";
        for (Path ckpt : List.of(charRun, bpeRun)) {
            Result r = vecgrad("lens", "--checkpoint", ckpt.toString(), "--prompt", prompt, "--out",
                    tmp.resolve("lens-table.png").toString());
            assertEquals(0, r.code(), r.err());
            List<String> lines = r.out().lines().toList();
            int from = 0;
            while (!lines.get(from).startsWith("stream \\ token")) from++;
            int to = from;
            while (!lines.get(to).startsWith("actual next token")) to++;
            assertTrue(to - from > 2, r.out());
            // The first column's cells hold spaces ("stream \ token"), the others never (a space is ␣).
            int[] header = lines.get(from).codePoints().toArray();
            int first = "stream \\ token".length();
            while (header[first] == ' ') first++;
            List<Integer> starts = columnStarts(header, first);
            assertEquals(ModelCheckpoint.load(ckpt).tokenizer().encode(prompt).length, starts.size(), "one column a token:\n" + r.out());
            for (int i = from + 1; i <= to; i++) {
                assertEquals(starts, columnStarts(lines.get(i).codePoints().toArray(), first), "line " + i + " of\n" + r.out());
            }
        }
    }

    /** Where each cell from {@code first} on begins: a non-space after a space, counted in code points. */
    private static List<Integer> columnStarts(int[] line, int first) {
        List<Integer> starts = new ArrayList<>();
        for (int i = first; i < line.length; i++) {
            if (line[i] != ' ' && (i == first || line[i - 1] == ' ')) starts.add(i);
        }
        return starts;
    }

    @Test
    void lensOnTextRunsAndAFolderEndsInTheModelsOwnPrediction() throws IOException {
        String prompt = "The bank of the river was steep";
        for (Path ckpt : List.of(charRun, bpeRun, GPT2_TINY)) {
            Path png = tmp.resolve("lens-" + ckpt.getFileName() + ".png");
            Result r = vecgrad("lens", "--checkpoint", ckpt.toString(), "--prompt", prompt, "--json", "--top-k", "3", "--out", png.toString());
            assertEquals(0, r.code(), ckpt + ": " + r.err());
            assertNotNull(ImageIO.read(png.toFile()), "--out with --json writes the PNG");
            JsonNode j = new ObjectMapper().readTree(r.out());
            ModelCheckpoint.Loaded m = ModelCheckpoint.load(ckpt);
            Tokenizer tok = m.tokenizer();
            int[] ids = tok.encode(prompt);
            JsonNode tokens = j.get("tokens");
            assertEquals(ids.length, tokens.size());
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < ids.length; i++) {
                assertEquals(ids[i], tokens.get(i).get("id").asInt());
                joined.append(tokens.get(i).get("piece").asText());
            }
            assertEquals(prompt, joined.toString(), "the pieces spell the prompt");
            if (!(tok instanceof CharTokenizer)) assertTrue(ids.length < prompt.length(), ckpt + ": BPE merges characters");
            GPT model = m.model();
            int nl = model.config().nLayer(), v = model.config().vocabSize();
            JsonNode streams = j.get("streams");
            assertEquals(nl + 1, streams.size(), "one stream entering each block, and the last block's output");
            for (int l = 0; l < nl; l++) assertEquals("blocks." + l + ".hook_resid_pre", streams.get(l).get("stream").asText());
            assertEquals("blocks." + (nl - 1) + ".hook_resid_post", streams.get(nl).get("stream").asText());
            // The last stream is the model's own output: its top 3 and the actual next token's probability.
            float[] probs;
            try (Grad g = Grad.disabled()) {
                model.eval();
                probs = model.forward(ids, 1, ids.length).softmax(-1).toArray();
            }
            for (int i = 0; i < ids.length; i++) {
                JsonNode cell = streams.get(nl).get("positions").get(i);
                JsonNode top = cell.get("top");
                assertEquals(3, top.size());
                for (int k = 0; k < 3; k++) {
                    int id = top.get(k).get("id").asInt();
                    assertEquals(probs[i * v + id], top.get(k).get("probability").asDouble(), 1e-6);
                    assertEquals(tok.piece(id), top.get(k).get("piece").asText());
                }
                int best = 0;
                for (int c = 1; c < v; c++) if (probs[i * v + c] > probs[i * v + best]) best = c;
                assertEquals(best, top.get(0).get("id").asInt(), ckpt + " position " + i);
                if (i + 1 < ids.length) {
                    assertEquals(probs[i * v + ids[i + 1]], cell.get("actual_next_probability").asDouble(), 1e-6);
                } else {
                    assertTrue(cell.get("actual_next_probability").isNull());
                }
            }
        }
    }
}
