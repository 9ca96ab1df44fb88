package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.kernel.Parallel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import picocli.CommandLine;

/**
 * The rough edges a new user met in the first hour (issue 23), each pinned: thread capping,
 * one-line errors with suggestions, help pages, files written where and how the user asked, the
 * progress line, the summary's columns, explain's blocks and the bench warm-up.
 */
@ResourceLock("vecgrad.threads")   // commands run in-process set the global thread count; restored after all
class FirstHourTest {
    @TempDir static Path tmp;
    static Path text, run;
    static int threadsBefore = dev.vecgrad.autograd.kernel.Parallel.threads();

    @AfterAll
    static void restoreThreads() {
        dev.vecgrad.autograd.kernel.Parallel.setThreads(threadsBefore);
    }

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Result vecgrad(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainATinyModel() throws IOException {
        text = Files.writeString(tmp.resolve("play.txt"), "To be, or not to be: that is the question.\n".repeat(200));
        run = tmp.resolve("run");
        Result r = vecgrad("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "4", "--eval-interval", "4",
                "--eval-iters", "1", "--block-size", "16", "--batch-size", "4", "--out", run.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        trainOutput = r.out();
    }

    static String trainOutput;

    /** Splits a suggested command line as a POSIX shell would (plain words and single quotes, as {@link ShellWords} writes them). */
    static List<String> shellSplit(String line) {
        List<String> words = new java.util.ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false, quoted = false, escaped = false;
        for (char c : line.toCharArray()) {
            if (escaped) {
                w.append(c);
                escaped = false;
            } else if (quoted) {
                if (c == '\'') quoted = false;
                else w.append(c);
            } else if (c == '\'') {
                quoted = inWord = true;
            } else if (c == '\\') {
                escaped = inWord = true;
            } else if (c == ' ') {
                if (inWord) words.add(w.toString());
                w.setLength(0);
                inWord = false;
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(w.toString());
        return words;
    }

    @Test
    void theSampleCommandATextRunSuggestsWorksAndPromptsWithTheTextsOwnWords() {
        String hint = trainOutput.lines().filter(l -> l.startsWith("sample from it: ")).findFirst().orElseThrow(
                () -> new AssertionError("no sample hint in\n" + trainOutput));
        // The text has no 'R', 'O', 'M' or 'E': the old fixed prompt 'ROMEO:' failed on it.
        assertTrue(hint.endsWith(" --prompt 'To be, or not to be:'"), hint);
        List<String> words = shellSplit(hint.substring("sample from it: ".length()));
        assertEquals(shellSplit(ShellWords.command("")).get(0), words.get(0));
        List<String> args = new java.util.ArrayList<>(words.subList(1, words.size()));
        args.addAll(List.of("--max-new-tokens", "3"));
        Result r = vecgrad(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("To be, or not to be:"), r.out());
    }

    /** A 3-digit addition model is told a problem in its own format (operands padded to 3 digits), and that command works. */
    @Test
    void anAdditionRunSuggestsAProblemInItsOwnFormat() {
        Path add3 = tmp.resolve("addition-3");
        Result r = vecgrad("train", "--digits", "3", "--max-iters", "2", "--eval-iters", "1", "--out", add3.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        String hint = r.out().lines().filter(l -> l.startsWith("try it: ")).findFirst().orElseThrow(
                () -> new AssertionError("no hint in\n" + r.out()));
        assertTrue(hint.contains(" --prompt '012+034=' "), hint);
        List<String> words = shellSplit(hint.substring("try it: ".length()));
        Result s = vecgrad(words.subList(1, words.size()).toArray(String[]::new));
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().startsWith("012+034="), s.out());
        Result two = vecgrad("train", "--max-iters", "1", "--eval-iters", "1", "--out", tmp.resolve("addition-2").toString(), "--no-progress");
        assertTrue(two.out().contains(" --prompt '12+34=' --temperature 0"), two.out());
        // With no --data, the first line says this is the built-in task and how to train on text.
        assertTrue(two.out().lines().findFirst().orElse("").endsWith("(the built-in task; --data FILE trains on your text)"), two.out());
        assertTrue(two.out().contains(" tokens a step), 1 step, ") && two.out().contains("done: 1 step; "), two.out());
    }

    /** Suggested commands start the way the user started vecgrad; they all said ./vecgrad, which works only from the checkout. */
    @Test
    void suggestedCommandsStartWithTheProgramTheUserRan() {
        assertEquals("./vecgrad sample --checkpoint runs/a", ShellWords.command("./vecgrad", "sample --checkpoint runs/a"));
        assertEquals("/tmp/x/vecgrad train", ShellWords.command("/tmp/x/vecgrad", "train"));
        assertEquals("'/tmp/my x/vecgrad' train", ShellWords.command("/tmp/my x/vecgrad", "train"));
        assertEquals("vecgrad heads", ShellWords.command(null, "heads"));   // java -jar: no launcher
        assertEquals("vecgrad heads", ShellWords.command("", "heads"));
    }

    @Test
    void openingWordsCutAtASpaceAndQuotingSurvivesTheShell() throws IOException {
        Path f = Files.writeString(tmp.resolve("opening.txt"), "\uFEFF\n\n   It's a long way to Tipperary, it's a long way to go\n");
        assertEquals("It's a long way to", TrainCommand.openingWords(f));
        assertEquals(List.of("--prompt", "It's a long way to"), shellSplit("--prompt " + ShellWords.quote("It's a long way to")));
        assertEquals("runs/a", ShellWords.quote("runs/a"));
        assertEquals("'my runs/a b'", ShellWords.quote("my runs/a b"));
        assertEquals("''", ShellWords.quote(""));
        Path oneWord = Files.writeString(tmp.resolve("oneword.txt"), "\u65E5\u672C\u8A9E".repeat(20));
        assertEquals("\u65E5\u672C\u8A9E".repeat(TrainCommand.PROMPT_CHARS / 3), TrainCommand.openingWords(oneWord));
        assertEquals("", TrainCommand.openingWords(Files.writeString(tmp.resolve("blank.txt"), "\n \n")));
        assertEquals("", TrainCommand.openingWords(tmp.resolve("missing.txt")));
    }

    // --- item 3 and the sampling flags ------------------------------------------------------------

    static Path additionRun() {
        Path add = tmp.resolve("addition");
        if (!Files.exists(add.resolve("state.json"))) {
            Result r = vecgrad("train", "--max-iters", "2", "--eval-iters", "1", "--out", add.toString(), "--no-progress");
            assertEquals(0, r.code(), r.err());
        }
        return add;
    }

    @Test
    void sampleWithoutAPromptWorksForEveryModelAndAnAdditionModelStopsAfterItsAnswer() {
        Path add = additionRun();
        Result r = vecgrad("sample", "--checkpoint", add.toString(), "--num-samples", "3", "--seed", "5");
        assertEquals(0, r.code(), r.err());
        List<String> samples = List.of(r.out().strip().split("\n" + SampleCommand.SEPARATOR + "\n"));
        assertEquals(3, samples.size(), r.out());
        for (String s : samples) assertTrue(s.strip().matches("\\d\\d\\+\\d\\d=.{3}"), "'" + s + "' in\n" + r.out());
        assertEquals(3, samples.stream().distinct().count(), "every sample asks another problem: " + samples);
        Result asked = vecgrad("sample", "--checkpoint", add.toString(), "--prompt", "12+34=", "--temperature", "0");
        assertEquals(0, asked.code(), asked.err());
        assertEquals(9, asked.out().strip().length(), asked.out());
        // Other shapes printed digits up to --max-new-tokens ('12+34', '12+34=640'), or a sum beyond the
        // model's operands without a warning ('999+1=').
        for (String prompt : List.of("12+34", "12+34=640", "999+1=", "2+3=")) {
            Result shape = vecgrad("sample", "--checkpoint", add.toString(), "--prompt", prompt, "--temperature", "0");
            assertEquals(2, shape.code(), prompt + ": " + shape.out());
            assertEquals("", shape.out());
            assertEquals(List.of("vecgrad sample: --prompt " + prompt + ": an addition prompt looks like 12+34= (2 digits per"
                    + " operand for this model, zero-padded; it answers after the '=')"), shape.errLines());
        }
        Result text = vecgrad("sample", "--checkpoint", run.toString(), "--max-new-tokens", "5");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("\n"), text.out());
        Result bad = vecgrad("sample", "--checkpoint", add.toString(), "--prompt", "hello");
        assertEquals(2, bad.code());
        assertEquals(1, bad.errLines().size(), bad.err());
        assertTrue(bad.err().startsWith("vecgrad sample: --prompt: character 'h' at position 0 is not in the vocabulary")
                && bad.err().contains("\"+0123456789=\" (12 characters)"), bad.err());
    }

    @Test
    void promptsComeFromAFileOrStandardInput() throws IOException {
        Path file = Files.writeString(tmp.resolve("prompt.txt"), "To be, or");
        Result f = vecgrad("sample", "--checkpoint", run.toString(), "--prompt-file", file.toString(), "--max-new-tokens", "4");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().startsWith("To be, or"), f.out());
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("not to".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Result in = vecgrad("sample", "--checkpoint", run.toString(), "--prompt", "-", "--max-new-tokens", "4");
            assertEquals(0, in.code(), in.err());
            assertTrue(in.out().startsWith("not to"), in.out());
        } finally {
            System.setIn(saved);
        }
        Result both = vecgrad("sample", "--checkpoint", run.toString(), "--prompt", "x", "--prompt-file", file.toString());
        assertEquals(List.of("vecgrad sample: give --prompt or --prompt-file, not both"), both.errLines());
        Path binary = Files.write(tmp.resolve("prompt.bin"), new byte[] {(byte) 0xff, (byte) 0xfe});
        Result b = vecgrad("sample", "--checkpoint", run.toString(), "--prompt-file", binary.toString());
        assertEquals(List.of("vecgrad sample: --prompt-file " + binary + ": not UTF-8 text"), b.errLines());
    }

    @Test
    void stopEndsEachSampleBeforeTheStopText() {
        // Greedy decoding of the same prompt: the stop text cuts each sample at its first occurrence.
        Result full = vecgrad("sample", "--checkpoint", run.toString(), "--prompt", "T", "--max-new-tokens", "40",
                "--temperature", "0");
        String generated = full.out().substring(1, full.out().length() - 1);   // without the prompt and the final newline
        assertEquals(40, generated.length(), full.out());
        String stop = generated.substring(3, 5);
        Result cut = vecgrad("sample", "--checkpoint", run.toString(), "--prompt", "T", "--max-new-tokens", "40",
                "--temperature", "0", "--stop", stop, "--num-samples", "2");
        assertEquals(0, cut.code(), cut.err());
        String want = "T" + generated.substring(0, generated.indexOf(stop));
        assertEquals(want + "\n" + SampleCommand.SEPARATOR + "\n" + want + "\n", cut.out());
        assertEquals(2, vecgrad("sample", "--checkpoint", run.toString(), "--stop", "").code());
    }

    // --- items 2, 6, 8 and --keep: runs ------------------------------------------------------------

    static final String[] SMALL = {"--preset", "tiny", "--block-size", "16", "--batch-size", "4", "--eval-iters", "1",
        "--threads", "1", "--no-progress"};

    static Result train(String... args) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--data", text.toString()));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(args));
        return vecgrad(a.toArray(String[]::new));
    }

    @Test
    void extendingAFinishedRunStretchesTheDecayAndAFinishedRunSaysSo() throws IOException {
        Path dir = tmp.resolve("extend");
        assertEquals(0, train("--max-iters", "4", "--eval-interval", "2", "--out", dir.toString()).code());
        Result again = vecgrad("train", "--resume", dir.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("already finished its 4 steps; nothing to do"), again.out());
        assertFalse(again.out().contains("done:"), again.out());
        Result fewer = vecgrad("train", "--resume", dir.toString(), "--max-iters", "3");
        assertEquals(2, fewer.code(), fewer.out() + fewer.err());
        assertEquals("vecgrad train: --max-iters 3 is below the 4 steps " + dir + " has already trained (--max-iters must be"
                + " at least 4)", fewer.err().strip());

        Result more = vecgrad("train", "--resume", dir.toString(), "--max-iters", "8", "--no-progress");
        assertEquals(0, more.code(), more.err());
        var state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("state.json").toFile());
        assertEquals(8, state.get("config").get("lrDecayIters").asInt(), "the decay ends at the new last step");
        List<dev.vecgrad.train.run.Metrics> m = dev.vecgrad.train.run.MetricsLog.read(dir.resolve("metrics.jsonl"));
        double minLr = state.get("config").get("minLr").asDouble();
        assertTrue(m.get(4).train().lr() > 1.5 * minLr, "step 5 ran at lr " + m.get(4).train().lr() + ", the floor is " + minLr);
        Result decay = vecgrad("train", "--resume", dir.toString(), "--max-iters", "10", "--lr-decay-iters", "20", "--no-progress");
        assertEquals(0, decay.code(), decay.err());
        Result other = vecgrad("train", "--resume", dir.toString(), "--max-iters", "12", "--warmup-iters", "1");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("cannot change except --max-iters and --lr-decay-iters"), other.err());
    }

    @Test
    void resumeSaysWhyADirectoryWithoutACheckpointCannotBeResumed() throws Exception {
        // These three all said "not a run directory (no state.json)".
        Path missing = tmp.resolve("resume-missing");
        Result none = vecgrad("train", "--resume", missing.toString());
        assertEquals(2, none.code());
        assertEquals("vecgrad train: --resume " + missing + ": no such directory", none.err().strip());

        // A run killed (kill -9) before its first checkpoint: its lock, log and status, no state.json.
        Path killed = Files.createDirectories(tmp.resolve("resume-killed"));
        Files.writeString(killed.resolve(".lock"), "");
        Files.writeString(killed.resolve("metrics.jsonl"), "");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        java.time.Instant now = java.time.Instant.now();
        new dev.vecgrad.train.run.RunStatus(dev.vecgrad.train.run.RunStatus.State.RUNNING, gone.pid(), now, now, 3, 30, 1000,
                "play.txt", "").write(killed);
        Result r = vecgrad("train", "--resume", killed.toString());
        assertEquals(2, r.code());
        assertEquals("vecgrad train: --resume " + killed + ": the run was killed (at step 3 of 30) before its first checkpoint,"
                + " so there is nothing to resume; start it again with its flags and --out " + killed + " (--out reuses a"
                + " directory without a checkpoint)", r.err().strip());

        // Still training: its lock is held.
        try (var lock = new dev.vecgrad.train.run.RunDirectory(killed).lock()) {
            Result running = vecgrad("train", "--resume", killed.toString());
            assertEquals(2, running.code());
            assertTrue(running.err().startsWith("vecgrad train: --resume " + killed + ": the run is still training (at step 3"
                    + " of 30) and has not saved its first checkpoint yet"), running.err());
        }

        // What the message advises works.
        Result again = train("--max-iters", "2", "--eval-interval", "2", "--out", killed.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(dev.vecgrad.train.run.RunDirectory.isRun(killed));
    }

    @Test
    void aStoppedRunResumesWithAShorterMaxItersAndKeepsItsWarmup() throws IOException {
        // A 30-step run (warmup 20) stopped at step 3, as Ctrl-C leaves it.
        Path dir = tmp.resolve("shorter");
        var cfg = dev.vecgrad.train.run.TrainConfig.tiny().toBuilder().blockSize(16).batchSize(4).evalIters(1)
                .maxIters(30).warmupIters(20).lrDecayIters(30).build();
        var t = new dev.vecgrad.train.run.Trainer(cfg, dev.vecgrad.train.run.TextTask.load(text, null));
        t.run(dir, new dev.vecgrad.train.run.Trainer.Listener() {
            @Override
            public void onStep(dev.vecgrad.train.run.Metrics m) {
                if (m.step() == 3) t.requestStop();
            }
        });
        assertEquals(3, t.step());

        Result below = vecgrad("train", "--resume", dir.toString(), "--max-iters", "2");
        assertEquals(2, below.code(), below.out() + below.err());
        assertEquals(1, below.err().lines().count(), below.err());
        assertTrue(below.err().startsWith("vecgrad train: --max-iters 2 is below the 3 steps"), below.err());
        assertTrue(below.err().strip().endsWith("(--max-iters must be at least 3)"), below.err());
        Result equal = vecgrad("train", "--resume", dir.toString(), "--max-iters", "3");
        assertEquals(0, equal.code(), equal.err());
        assertTrue(equal.out().contains("has trained 3 steps, which --max-iters 3 asks for; nothing to do (its plan of 30 steps stays"),
                equal.out());

        // Only --max-iters is given: the warmup the first steps ran under stays, and the decay cannot end inside it.
        Result shorter = vecgrad("train", "--resume", dir.toString(), "--max-iters", "5", "--threads", "1", "--no-progress");
        assertEquals(0, shorter.code(), shorter.err());
        var config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("state.json").toFile()).get("config");
        assertEquals(5, config.get("maxIters").asInt());
        assertEquals(20, config.get("warmupIters").asInt());
        assertEquals(20, config.get("lrDecayIters").asInt());

        // A decay end inside the warmup is refused under the flag that asked for it.
        Result decay = vecgrad("train", "--resume", dir.toString(), "--max-iters", "8", "--lr-decay-iters", "10");
        assertEquals(2, decay.code());
        assertTrue(decay.err().startsWith("vecgrad train: --lr-decay-iters (10) must be >= --warmup-iters (20)"), decay.err());

        // Extended again, the decay still follows --max-iters: it was at the warmup's end only because of the shortening.
        Result longer = vecgrad("train", "--resume", dir.toString(), "--max-iters", "40", "--threads", "1", "--no-progress");
        assertEquals(0, longer.code(), longer.err());
        config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("state.json").toFile()).get("config");
        assertEquals(40, config.get("maxIters").asInt());
        assertEquals(40, config.get("lrDecayIters").asInt());
    }

    @Test
    void aRunInsideItsPresetsWarmupSaysSoOnceAndTrainsAsBefore() throws IOException {
        // tiny warms up for 20 steps; a 4-step run's warmup shrinks to 4, all of it.
        Path derived = tmp.resolve("warm-derived"), given = tmp.resolve("warm-given");
        Result r = train("--max-iters", "4", "--eval-interval", "4", "--out", derived.toString());
        assertEquals(0, r.code(), r.err());
        List<String> notes = r.out().lines().filter(l -> l.startsWith("note: ") && l.contains("warmup")).toList();
        // It says what happened (the preset's 20 cut to 4, as state.json saves it), the rate the last
        // step reaches (3e-3 * 4/5), and a warmup that leaves steps to decay (it used to suggest 0, or
        // call the shortened 4 steps the preset's).
        assertEquals(List.of("note: preset tiny's warmup of 20 steps was shortened to this run's 4 (and stays 4 if the run is"
                + " resumed or extended), so the learning rate climbs to 2.40e-03 at the last step, short of --lr 0.003, and never"
                + " decays; a shorter --warmup-iters (e.g. 1) leaves the remaining steps to the cosine decay"), notes, r.out());
        var saved = new com.fasterxml.jackson.databind.ObjectMapper().readTree(derived.resolve("state.json").toFile()).get("config");
        assertEquals(4, saved.get("warmupIters").asInt());
        var lrs = dev.vecgrad.train.run.MetricsLog.read(derived.resolve("metrics.jsonl"));
        assertEquals(2.4e-3, lrs.get(3).train().lr(), 1e-7);
        // A decay end past the run keeps the whole warmup, and the note says that instead.
        Result kept = train("--max-iters", "4", "--eval-interval", "4", "--lr-decay-iters", "30", "--out",
                tmp.resolve("warm-kept").toString());
        assertEquals(0, kept.code(), kept.err());
        assertTrue(kept.out().contains("note: preset tiny's warmup of 20 steps outlasts this 4-step run, so the learning rate"
                + " climbs to 5.71e-04 at the last step"), kept.out());
        // Asked for explicitly, the same warmup needs no note, and the steps are the same.
        Result explicit = train("--max-iters", "4", "--eval-interval", "4", "--warmup-iters", "4", "--out", given.toString());
        assertEquals(0, explicit.code(), explicit.err());
        assertFalse(explicit.out().contains("warmup"), explicit.out());
        var a = dev.vecgrad.train.run.MetricsLog.read(derived.resolve("metrics.jsonl"));
        var b = dev.vecgrad.train.run.MetricsLog.read(given.resolve("metrics.jsonl"));
        for (int i = 0; i < 4; i++) {
            assertEquals(a.get(i).train().loss(), b.get(i).train().loss());
            assertEquals(a.get(i).train().lr(), b.get(i).train().lr());
        }
    }

    @Test
    void metricsHaveOneLinePerStepAndTimeCarriesOnAcrossAResume() throws IOException {
        Path dir = tmp.resolve("metrics");
        assertEquals(0, train("--max-iters", "6", "--eval-interval", "3", "--out", dir.toString()).code());
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(6, lines.size(), String.join("\n", lines));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var third = json.readTree(lines.get(2));
        assertEquals(3, third.get("step").asInt());
        assertTrue(third.has("train_loss") && third.has("val_loss") && third.has("eval_train_loss") && third.has("lr"), third.toString());
        assertFalse(json.readTree(lines.get(1)).has("val_loss"));
        double before = json.readTree(lines.get(5)).get("elapsed_s").asDouble();
        assertEquals(0, vecgrad("train", "--resume", dir.toString(), "--max-iters", "7", "--no-progress").code());
        var seventh = json.readTree(Files.readAllLines(dir.resolve("metrics.jsonl")).get(6));
        assertTrue(seventh.get("elapsed_s").asDouble() > before, seventh + " after " + before);
    }

    @Test
    void keepBestWritesTheLowestValidationLossIntoBest() throws IOException {
        Path dir = tmp.resolve("keep");
        Result r = train("--max-iters", "6", "--eval-interval", "2", "--keep", "both", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("the best weights (val loss"), r.out());
        List<dev.vecgrad.train.run.Metrics> m = dev.vecgrad.train.run.MetricsLog.read(dir.resolve("metrics.jsonl"));
        var best = m.stream().filter(dev.vecgrad.train.run.Metrics::isEval)
                .min(java.util.Comparator.comparingDouble(x -> x.eval().valLoss())).orElseThrow();
        var file = dev.vecgrad.train.checkpoint.SafeTensors.read(dir.resolve("best/model.safetensors"));
        assertEquals(Long.toString(best.step()), file.metadata().get("step"));
        assertEquals(0, vecgrad("sample", "--checkpoint", dir.resolve("best").toString(), "--max-new-tokens", "3").code());
        var state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("state.json").toFile());
        assertEquals("both", state.get("keep").asText());
        assertEquals(6, state.get("step").asInt(), "both: the run directory keeps the last step");
        assertEquals(2, train("--keep", "sometimes", "--out", tmp.resolve("k2").toString()).code());
    }

    @Test
    void runsListsEveryRunAndComparesTwo() throws IOException {
        Path root = tmp.resolve("many");
        assertEquals(0, train("--max-iters", "4", "--eval-interval", "2", "--out", root.resolve("a").toString()).code());
        assertEquals(0, train("--max-iters", "4", "--eval-interval", "2", "--n-embd", "16", "--out", root.resolve("b").toString()).code());
        Files.createDirectories(root.resolve("not-a-run"));
        Result r = vecgrad("runs", root.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().toList();
        assertEquals(3, rows.size(), r.out());
        assertTrue(rows.get(0).startsWith("run ") && rows.get(0).contains("best val (step)") && rows.get(0).contains("tokens/s"), r.out());
        assertTrue(rows.get(1).startsWith("a ") && rows.get(1).contains("play.txt") && rows.get(1).contains("4/4")
                && rows.get(1).endsWith("finished"), r.out());
        assertEquals(dev.vecgrad.train.run.Trainer.class.getSimpleName().isEmpty(), false);
        Path png = tmp.resolve("cmp/compare.png");
        Result c = vecgrad("runs", "--compare", root.resolve("a").toString(), root.resolve("b").toString(), "--png", png.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().lines().anyMatch(l -> l.matches(" +2 +\\d\\.\\d{4} +\\d\\.\\d{4} +\\d\\.\\d{4} +\\d\\.\\d{4}")), c.out());
        assertNotNull(ImageIO.read(png.toFile()));
        assertEquals(2, vecgrad("runs", tmp.resolve("nowhere").toString()).code());
        // the parameter count formula agrees with the model
        var cfg = dev.vecgrad.train.run.TrainConfig.shakespeareChar();
        assertEquals(809_856, RunsCommand.parameters(cfg, 65));
    }

    @Test
    void aRunThatFailsAtTheStartLeavesNoDirectoryAndImpossibleSizesNameTheirFlag() {
        Path dir = tmp.resolve("diverges");
        Result r = train("--lr", "1e8", "--min-lr", "0", "--warmup-iters", "0", "--max-iters", "30", "--eval-interval", "100",
                "--out", dir.toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("diverged"), r.err());
        assertFalse(Files.exists(dir), "a half-made run directory was left behind");
        Result block = vecgrad("train", "--block-size", "100000", "--out", tmp.resolve("never2").toString());
        assertEquals(1, block.errLines().size(), block.err());
        assertTrue(block.err().startsWith("vecgrad train: --block-size 100000 is too long for --batch-size 64"), block.err());
        Result wide = vecgrad("train", "--n-embd", "100000", "--n-head", "4", "--out", tmp.resolve("never3").toString());
        assertTrue(wide.err().startsWith("vecgrad train: --n-embd 100000 is too wide"), wide.err());
    }

    @Test
    void aShortRunEvaluatesOnFewerBatchesAndSaysSo() {
        Result r = vecgrad("train", "--data", text.toString(), "--max-iters", "2", "--block-size", "16", "--batch-size", "2",
                "--n-layer", "1", "--n-embd", "16", "--n-head", "2", "--no-progress", "--threads", "1",
                "--out", tmp.resolve("short").toString());
        assertEquals(0, r.code(), r.err());
        // shakespeare-char evaluates 200 batches over 2000 steps; 2 steps get the floor of 10. Its
        // interval, 250 steps, is longer than the run: it said "every 250 steps and at the end".
        assertTrue(r.out().contains("evaluation: at the end, 10 batches per split (fewer for a run shorter"), r.out());
        assertEquals("every 250 steps and at the end", TrainCommand.evaluationSchedule(250, 2000));
        assertEquals("every 1 step and at the end", TrainCommand.evaluationSchedule(1, 2));
        assertEquals("at the end", TrainCommand.evaluationSchedule(200, 200));
        assertTrue(r.out().contains("model: 1 layer, 2 heads, 16 wide"), r.out());
    }

    // --- config file -----------------------------------------------------------------------------

    @Test
    void aConfigFileSetsEveryFlagAndFlagsOverrideIt() throws IOException {
        Path cfg = Files.writeString(tmp.resolve("run.json"), """
                {"data": "%s", "preset": "tiny", "n-layer": 1, "n_head": 2, "nEmbd": 16, "block-size": 16,
                 "batch-size": 4, "max-iters": 50, "eval-interval": 2, "eval-iters": 1, "no-progress": true, "threads": 1}
                """.formatted(text.toString().replace("\\", "\\\\")));
        Path out = tmp.resolve("configured");
        Result r = vecgrad("train", "--config", cfg.toString(), "--max-iters", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        var state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("state.json").toFile());
        var c = state.get("config");
        assertEquals(1, c.get("nLayer").asInt());
        assertEquals(2, c.get("nHead").asInt());
        assertEquals(16, c.get("nEmbd").asInt());
        assertEquals(2, c.get("maxIters").asInt(), "the flag overrides the file");
        assertEquals(50, state.get("config_file").get("values").get("max-iters").asInt(), state.toString());
        assertTrue(state.get("config_file").get("path").asText().endsWith("run.json"), state.toString());

        Path typo = Files.writeString(tmp.resolve("typo.json"), "{\"max-iter\": 5}");
        Result t = vecgrad("train", "--config", typo.toString());
        assertEquals(List.of("vecgrad train: --config " + typo + ": unknown key \"max-iter\"; did you mean \"max-iters\"?"),
                t.errLines());
        // A byte-order mark (Windows editors write one) is dropped, not "not valid JSON".
        Path bom = Files.writeString(tmp.resolve("bom.json"), "\uFEFF{\"max-iter\": 5}");
        assertEquals(List.of("vecgrad train: --config " + bom + ": unknown key \"max-iter\"; did you mean \"max-iters\"?"),
                vecgrad("train", "--config", bom.toString()).errLines());
        Path latin1 = Files.write(tmp.resolve("latin1.json"), "{\"out\": \"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals(List.of("vecgrad train: --config " + latin1 + ": not valid UTF-8 text"),
                vecgrad("train", "--config", latin1.toString()).errLines());
        Path wrongType = Files.writeString(tmp.resolve("type.json"), "{\"lr\": \"fast\"}");
        Result w = vecgrad("train", "--config", wrongType.toString());
        assertEquals(List.of("vecgrad train: --config " + wrongType + ": \"lr\" must be a number, got \"fast\""), w.errLines());
        Path notJson = Files.writeString(tmp.resolve("bad.json"), "max_iters = 5");
        Result j = vecgrad("train", "--config", notJson.toString());
        assertEquals(2, j.code());
        assertTrue(j.err().startsWith("vecgrad train: --config " + notJson + ": not valid JSON"), j.err());
        assertEquals(1, j.errLines().size(), j.err());
        Result self = vecgrad("train", "--config", Files.writeString(tmp.resolve("self.json"), "{\"config\": \"x\"}").toString());
        assertTrue(self.err().contains("unknown key \"config\""), self.err());
    }

    // --- item 1: --threads ---------------------------------------------------------------------

    @Test
    void threadsAboveTheProcessorsAreCappedWithANotice() {
        int cores = Runtime.getRuntime().availableProcessors(), before = Parallel.threads();
        try {
            Result r = vecgrad("sample", "--checkpoint", run.toString(), "--prompt", "To", "--max-new-tokens", "2",
                    "--threads", "1000");
            assertEquals(0, r.code(), r.err());
            assertEquals(cores, Parallel.threads());
            assertEquals(List.of("vecgrad sample: --threads 1000 is more than the " + cores + " available processors; using "
                    + cores), r.errLines().stream().filter(l -> !l.startsWith("WARNING")).toList());
            Result zero = vecgrad("eval", "--checkpoint", run.toString(), "--threads", "0");
            assertEquals(2, zero.code());
            assertEquals(List.of("vecgrad eval: --threads must be >= 1, got 0"), zero.errLines());
            // bench measures the capped count too
            CommandLine bench = Main.commandLine().getSubcommands().get("bench");
            StringWriter err = new StringWriter();
            bench.setErr(new PrintWriter(err, true));
            assertEquals(cores, ThreadsOption.capped(bench.getCommandSpec(), cores + 5, cores));
            assertTrue(err.toString().startsWith("vecgrad bench: --threads " + (cores + 5)), err.toString());
        } finally {
            Parallel.setThreads(before);
        }
    }

    // --- item 5: errors -------------------------------------------------------------------------

    @Test
    void aMisspeltCommandOrOptionGetsASuggestionInOneLine() {
        Result cmd = vecgrad("trian");
        assertEquals(2, cmd.code());
        assertEquals(List.of("vecgrad: unknown command 'trian'; did you mean 'train'?"), cmd.errLines());
        Result opt = vecgrad("train", "--max-iter", "5");
        assertEquals(2, opt.code());
        assertEquals(1, opt.errLines().size(), opt.err());
        assertTrue(opt.err().startsWith("vecgrad train: unknown option '--max-iter'; did you mean '--max-iters'"), opt.err());
        Result none = vecgrad("train", "--zzzzzz");
        assertEquals(List.of("vecgrad train: unknown option '--zzzzzz' (see '" + ShellWords.command("train --help") + "')"),
                none.errLines());
    }

    @Test
    void inputMistakesAreOneLineWithOnePrefixAndNoDebugHint() {
        Result iters = vecgrad("train", "--max-iters", "0", "--out", tmp.resolve("never0").toString());
        assertEquals(2, iters.code());
        assertEquals(List.of("vecgrad train: --max-iters must be positive, got 0"), iters.errLines());
        Result lr = vecgrad("train", "--lr", "-1", "--out", tmp.resolve("never1").toString());
        assertEquals(1, lr.errLines().size(), lr.err());
        assertTrue(lr.err().startsWith("vecgrad train: --lr must be positive"), lr.err());
        Result missing = vecgrad("sample", "--checkpoint", tmp.resolve("nope").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.errLines().size(), missing.err());
        assertTrue(missing.err().startsWith("vecgrad sample: ") && missing.err().contains("nope"), missing.err());
        // the library's own "sample: " prefix is not repeated
        Result temp = vecgrad("sample", "--checkpoint", run.toString(), "--temperature", "-1");
        assertEquals(List.of("vecgrad sample: --temperature must be >= 0, got -1.0"), temp.errLines());
        Result required = vecgrad("sample");
        assertEquals(1, required.errLines().size(), required.err());
        assertTrue(required.err().startsWith("vecgrad sample: Missing required option"), required.err());
    }

    @Test
    void everyCheckpointCommandSaysTheSameForAMissingModelAndItsHelpNamesGpt2Folders() throws IOException {
        // summary said "gpt2: no such file", sample "no such file" for a directory; --init-from alone said what to name.
        Path parent = Files.createDirectories(tmp.resolve("no-models"));
        Files.createDirectories(parent.resolve("my-run"));
        String gpt2 = parent.resolve("gpt2").toString();
        String expected = "--checkpoint " + gpt2 + ": no such file or directory (name a vecgrad run directory or model file, or a"
                + " Hugging Face GPT-2 folder; 'huggingface-cli download openai-community/gpt2 config.json model.safetensors"
                + " vocab.json merges.txt tokenizer.json --local-dir gpt2' fetches GPT-2)";
        String[][] commands = {{"sample"}, {"eval"}, {"attention", "--prompt", "ab"}, {"explain", "--prompt", "ab"},
            {"lens", "--prompt", "ab"}, {"heads"}, {"tokens", "--text", "ab"}, {"summary"}, {"loss", "--data", text.toString()},
            {"export", "--out", tmp.resolve("export-missing").toString()}};
        for (String[] c : commands) {
            List<String> args = new java.util.ArrayList<>(List.of(c));
            args.addAll(List.of("--checkpoint", gpt2));
            Result r = vecgrad(args.toArray(String[]::new));
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertEquals(List.of("vecgrad " + c[0] + ": " + expected), r.errLines(), c[0]);
            String help = vecgrad(c[0], "--help").out().replaceAll("\\s+", " ");
            assertTrue(help.contains("--checkpoint=DIR|FILE A vecgrad run directory or model.safetensors, or a Hugging Face GPT-2"
                    + " folder."), c[0] + ": " + help);
        }
        Result init = vecgrad("train", "--data", text.toString(), "--init-from", gpt2);
        assertEquals(List.of("vecgrad train: " + expected.replace("--checkpoint", "--init-from")), init.errLines());
        // A near miss names what is there instead.
        Result typo = vecgrad("summary", "--checkpoint", parent.resolve("my-rum").toString());
        assertEquals(List.of("vecgrad summary: --checkpoint " + parent.resolve("my-rum") + ": no such file or directory; did you"
                + " mean " + parent.resolve("my-run") + "?"), typo.errLines());
    }

    @Test
    void onlyAnUnexpectedErrorPointsAtTheStackTrace() {
        CommandLine cl = Main.commandLine().getSubcommands().get("eval");
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, Errors.onExecutionError(new NullPointerException("x is null"), cl, null));
        List<String> lines = err.toString().lines().toList();
        assertEquals("vecgrad eval: NullPointerException: x is null", lines.get(0));
        assertTrue(lines.get(1).contains("VECGRAD_DEBUG=1"), err.toString());
        StringWriter err2 = new StringWriter();
        cl.setErr(new PrintWriter(err2, true));
        Errors.onExecutionError(new java.nio.file.NoSuchFileException("a.txt"), cl, null);
        assertEquals(List.of("vecgrad eval: a.txt: no such file or directory"), err2.toString().lines().toList());
    }

    // --- item 6: bad values ---------------------------------------------------------------------

    @Test
    void badValuesAndWrongFilesAreNamedInOneLine() {
        Result iters = vecgrad("eval", "--checkpoint", run.toString(), "--eval-iters", "0");
        assertEquals(2, iters.code());
        assertEquals(List.of("vecgrad eval: --eval-iters must be >= 1, got 0"), iters.errLines());
        Result textAsModel = vecgrad("sample", "--checkpoint", text.toString());
        assertEquals(2, textAsModel.code());
        assertEquals(List.of("vecgrad sample: " + text + ": not a safetensors file (it looks like text)"), textAsModel.errLines());
    }

    // --- item 9: help ---------------------------------------------------------------------------

    @Test
    void helpListsEveryCommandOnOneCompleteLine() {
        String usage = Main.commandLine().getUsageMessage();
        assertTrue(usage.contains("\n  test "), usage);
        // The launcher runs jshell itself, but the command list names it like the others.
        assertTrue(usage.contains("\n  shell "), usage);
        String shell = Main.commandLine().getSubcommands().get("shell").getUsageMessage();
        assertTrue(shell.lines().anyMatch(l -> l.equals("Usage: vecgrad shell [-hV] [JSHELL_ARG...]")), shell);
        // jshell's own options are handed to jshell, not refused as unknown to vecgrad.
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs("shell", "-q", "--feedback", "concise");
        assertEquals(List.of("-q", "--feedback", "concise"),
                ((ShellCommand) parsed.subcommand().commandSpec().userObject()).jshellArgs);
        String list = usage.substring(usage.indexOf("Commands:"));
        for (String line : list.lines().skip(1).takeWhile(l -> !l.isBlank()).toList()) {
            assertTrue(line.matches("  [a-z]+ +[A-Z].*\\.$"), "a command's summary wraps or stops mid-sentence: '" + line + "'");
        }
        String train = Main.commandLine().getSubcommands().get("train").getUsageMessage();
        assertTrue(train.lines().anyMatch(l -> l.matches("  shakespeare-char +4 +4 +128 +64 +6x2 +2000 +3e-3 +100 +250/400")), train);
        assertTrue(train.lines().anyMatch(l -> l.matches("  addition +2 +4 +64 +8 +64 +2500 .*")), train);
        assertTrue(train.contains("--eval-interval, --eval-iters"), train);
        for (CommandLine sub : Main.commandLine().getSubcommands().values()) {
            String page = sub.getUsageMessage();
            for (String line : page.lines().toList()) assertTrue(line.length() <= 80, sub.getCommandName() + ": " + line);
            // picocli may break a long word after a '.', splitting a file or method name such as
            // model.safetensors or GPT2LMHeadModel.from_pretrained(DIR)
            assertFalse(page.matches("(?s).*\\w\\.\\n\\s+((safetensors|jsonl|json|png|csv|txt)\\b|[a-z_]\\w*\\().*"), page);
        }
    }

    /**
     * picocli lays out each element of a description array as a paragraph of its own, so an
     * element that stops mid-sentence ("... character by" / "character or ...") leaves a broken
     * line in the help; every element must end a sentence (or introduce a list).
     */
    @Test
    void everyHelpParagraphEndsASentence() {
        List<String> broken = new java.util.ArrayList<>();
        java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(List.of(Main.commandLine()));
        while (!todo.isEmpty()) {
            CommandLine cl = todo.pop();
            todo.addAll(cl.getSubcommands().values());
            var spec = cl.getCommandSpec();
            List<String> paragraphs = new java.util.ArrayList<>(List.of(spec.usageMessage().description()));
            for (var option : spec.options()) if (option.description().length > 1) paragraphs.addAll(List.of(option.description()));
            for (var param : spec.positionalParameters()) paragraphs.addAll(List.of(param.description()));
            for (String p : paragraphs) {
                String text = p.replace("%n", "\n").strip();   // picocli's own help command ends with a format newline
                if (!text.isEmpty() && !text.matches("(?s).*[.:?)]$")) broken.add(spec.qualifiedName() + ": '" + p + "'");
            }
        }
        assertEquals(List.of(), broken, "help paragraphs that stop mid-sentence");
    }

    @Test
    void testCommandFindsTheSourceTree() throws IOException {
        Path root = TestCommand.sourceRoot();
        assertTrue(Files.exists(root.resolve("autograd/pom.xml")), root.toString());
    }

    /** Maven's own options reach Maven through 'java -jar vecgrad.jar test', not only through the launcher. */
    @Test
    void testCommandPassesMavensOptionsOn() {
        TestCommand t = new TestCommand();
        new picocli.CommandLine(t).parseArgs("-pl", "train", "-Dtest=StateFileTest", "-q");
        assertEquals(List.of("-pl", "train", "-Dtest=StateFileTest", "-q"), t.mavenArgs);
    }

    // --- item 4: files --------------------------------------------------------------------------

    @Test
    void attentionWritesIntoNewDirectoriesInTheFormatTheExtensionNames() throws IOException {
        Path png = tmp.resolve("missing/dir/att.png"), jpg = tmp.resolve("other/att.jpg"), csv = tmp.resolve("deep/er/att.csv");
        Result r = vecgrad("attention", "--checkpoint", run.toString(), "--prompt", "To be", "--out", png.toString(),
                "--csv", csv.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(csv) > 0);
        byte[] p = Files.readAllBytes(png);
        assertEquals(0x89, p[0] & 0xff);
        assertEquals('P', p[1]);
        Result j = vecgrad("attention", "--checkpoint", run.toString(), "--prompt", "To be", "--out", jpg.toString());
        assertEquals(0, j.code(), j.err());
        byte[] b = Files.readAllBytes(jpg);
        assertEquals(0xff, b[0] & 0xff, "not a JPEG");
        assertEquals(0xd8, b[1] & 0xff, "not a JPEG");
        BufferedImage img = ImageIO.read(jpg.toFile());
        assertNotNull(img);

        Result tiff = vecgrad("attention", "--checkpoint", run.toString(), "--prompt", "To be", "--out", tmp.resolve("a.tiff").toString());
        assertEquals(2, tiff.code());
        assertEquals(1, tiff.errLines().size(), tiff.err());
        assertTrue(tiff.err().contains("a.tiff: unknown image type; name the file .png, .jpg, .bmp or .gif"), tiff.err());
        Result dir = vecgrad("attention", "--checkpoint", run.toString(), "--prompt", "To be", "--out", tmp.toString());
        assertEquals(2, dir.code());
        assertTrue(dir.err().contains("is a directory"), dir.err());
        assertFalse(Files.exists(tmp.resolve("a.tiff")));
    }

    @Test
    void gradientsGoToSafetensorsFilesOnly() throws IOException {
        Path fixture = Path.of("../train/src/test/resources/fixtures/gpt/A");
        Result pt = vecgrad("loss", "--checkpoint", fixture.resolve("model.safetensors").toString(), "--batch",
                fixture.resolve("batch.safetensors").toString(), "--grads-out", tmp.resolve("g.pt").toString());
        assertEquals(2, pt.code());
        assertEquals(1, pt.errLines().size(), pt.err());
        assertTrue(pt.err().contains("name the file *.safetensors"), pt.err());
        Path nested = tmp.resolve("new/grads.safetensors");
        Result ok = vecgrad("loss", "--checkpoint", fixture.resolve("model.safetensors").toString(), "--batch",
                fixture.resolve("batch.safetensors").toString(), "--grads-out", nested.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.size(nested) > 0);
    }

    @Test
    void trainRefusesAnOutThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("notadir"), "x");
        Result r = vecgrad("train", "--max-iters", "1", "--out", file.toString());
        assertEquals(2, r.code());
        assertEquals(List.of("vecgrad train: --out " + file + ": is a file, not a directory"), r.errLines());
    }

    @Test
    void trainRefusesAnOutItCannotCreateBeforeItsHeader() throws IOException {
        // Both printed the run's header, "run directory: ..." included, and then failed at the first write.
        Path file = Files.writeString(tmp.resolve("x.txt"), "x");
        Path under = file.resolve("sub");
        Result r = vecgrad("train", "--data", text.toString(), "--max-iters", "1", "--out", under.toString());
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals(List.of("vecgrad train: --out " + under + ": cannot create the directory (its parent " + file + " is a file)"),
                r.errLines());
        Result deeper = vecgrad("train", "--max-iters", "1", "--out", under.resolve("run").toString());
        assertEquals(List.of("vecgrad train: --out " + under.resolve("run") + ": cannot create the directory (" + file
                + " is a file)"), deeper.errLines());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux's /proc");
        Result proc = vecgrad("train", "--data", text.toString(), "--max-iters", "1", "--out", "/proc/vecgrad-run");
        assertEquals(2, proc.code());
        assertEquals("", proc.out());
        assertEquals(List.of("vecgrad train: --out /proc/vecgrad-run: cannot create the directory in /proc (no such file or"
                + " directory)"), proc.errLines());
    }

    @Test
    void aFileGivenAsTheRunsDirectoryAndACharacterOutsideTheVocabularyAreNamedAsTheyAre() throws IOException {
        // Both said "no such directory" for a file that exists.
        Path file = Files.writeString(tmp.resolve("runs-file"), "x");
        Result dash = vecgrad("dashboard", "--runs", file.toString());
        assertEquals(List.of("vecgrad dashboard: --runs " + file + ": is a file, not a directory (--runs takes the directory that"
                + " holds the runs, e.g. runs)"), dash.errLines());
        Result runs = vecgrad("runs", file.toString());
        assertEquals(List.of("vecgrad runs: DIR " + file + ": is a file, not a directory (name the directory that holds the"
                + " runs, e.g. runs)"), runs.errLines());
        // The character is shown, not only its code.
        Result zurich = vecgrad("sample", "--checkpoint", run.toString(), "--prompt", "tüb");
        assertEquals(2, zurich.code());
        assertTrue(zurich.err().startsWith("vecgrad sample: --prompt: character 'ü' U+00FC at position 1 is not in the"
                + " vocabulary"), zurich.err());
    }

    // --- item 10: the progress line ---------------------------------------------------------------

    @Test
    void theProgressLineKeepsItsFieldsApartAndItsBarVisible() {
        String extra = "loss 2.3912 | lr 2.50e-03 | 14,100 tok/s";
        for (int width : new int[] {0, 60, 80, 120, 200}) {
            String line = Progress.line(450, 1000, 50, Duration.ofSeconds(5), extra, width);
            assertTrue(line.length() <= (width > 0 ? width : 100), width + ": " + line);
            var m = java.util.regex.Pattern.compile("\\[([=> ]+)]").matcher(line);
            assertTrue(m.find(), line);
            assertTrue(m.group(1).length() >= Progress.MIN_BAR, width + ": " + line);
            assertTrue(line.contains(" 450/1000 | 10.0 steps/s | ETA 0:55"), line);
        }
        String wide = Progress.line(450, 1000, 50, Duration.ofSeconds(5), extra, 120);
        assertTrue(wide.endsWith("| loss 2.3912 | lr 2.50e-03 | 14,100 tok/s"), wide);
        assertTrue(wide.startsWith(" 45% [=============>"), wide);
        String narrow = Progress.line(450, 1000, 50, Duration.ofSeconds(5), extra, 60);
        assertFalse(narrow.contains("tok/s"), "the last fields go first: " + narrow);
        assertEquals("1:01:01", Progress.clock(3661));
    }

    // --- item 12: summary, explain -----------------------------------------------------------------

    @Test
    void aSmallModelsMemoryIsNotZeroGigabytes() {
        assertTrue(MemoryReport.plan(28_576).contains("= 457 kB plus activations"), MemoryReport.plan(28_576));
        assertTrue(MemoryReport.plan(809_856).contains("= 13.0 MB plus"), MemoryReport.plan(809_856));
        assertTrue(MemoryReport.plan(123_849_984).contains("= 1.98 GB plus"), MemoryReport.plan(123_849_984));
    }

    @Test
    void summaryCountsFormOneColumn() {
        Result r = vecgrad("summary", "--checkpoint", run.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.matches(".*\\d$") && !l.startsWith("GPT")).toList();
        assertTrue(rows.size() > 10, r.out());
        int end = rows.get(0).length();
        for (String row : rows) assertEquals(end, row.length(), "misaligned: '" + row + "'\n" + r.out());
        assertTrue(rows.get(0).startsWith("transformer.wte.weight (= lm_head.weight)"), rows.get(0));
    }

    @Test
    void summaryCountsOneLayerAndOneHeadInTheSingular() {
        java.io.StringWriter sw = new java.io.StringWriter();
        SummaryCommand.print(new dev.vecgrad.nn.GPT(new dev.vecgrad.nn.GPTConfig(1, 1, 8, 4, 5, true, 0f), 0L),
                new java.io.PrintWriter(sw, true));
        assertTrue(sw.toString().startsWith("GPT: 1 layer, 1 head, 8 wide, block 4, vocabulary 5, bias true"), sw.toString());
        assertEquals("4 layers", SummaryCommand.count(4, "layer"));
    }

    @Test
    void explainSaysTheOtherBlocksRan() {
        Result first = vecgrad("explain", "--checkpoint", run.toString(), "--prompt", "To be", "--layer", "0");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("Residual after block 0:") && first.out().contains("Block 1 runs then the same way"),
                first.out());
        Result last = vecgrad("explain", "--checkpoint", run.toString(), "--prompt", "To be", "--layer", "1");
        assertTrue(last.out().contains("5. Block 1 (blocks 0..0 ran before it, the same way)"), last.out());
        assertFalse(last.out().contains("then the same way"), last.out());
    }

    // --- example without or with a bad argument --------------------------------------------------

    @Test
    void exampleWithoutANameListsTheDemosInOneLine() {
        Result r = vecgrad("example");
        assertEquals(2, r.code());
        assertTrue(r.errLines().get(0).startsWith("vecgrad example: which example? expected xor, linear, custom-op or char-gpt"),
                r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void exampleCharGptRefusesStepsThatAreNotANumber() throws IOException {
        Path small = Files.writeString(tmp.resolve("tiny-text.txt"), "abc ".repeat(50));
        Result r = vecgrad("example", "char-gpt", small.toString(), "many");
        assertEquals(2, r.code());
        assertTrue(r.errLines().get(0).contains("char-gpt STEPS: expected a whole number of at least 1, got 'many'"), r.err());
    }

    // --- item 11: bench warm-up -------------------------------------------------------------------

    static volatile byte[] kept;

    @Test
    void benchWarmUpWaitsUntilTheKernelStopsAllocating() {
        long start = System.nanoTime();
        long[] sink = new long[1];
        // Allocates like an uncompiled Vector API kernel for its first 400 ms, then runs clean.
        Runnable kernel = () -> {
            if (System.nanoTime() - start < 400_000_000L) {
                kept = new byte[64 * 1024];   // kept in a field, so the JIT cannot drop the allocation
            }
            sink[0]++;
        };
        assertTrue(dev.vecgrad.train.run.JitWarmUp.until(kernel, 100_000_000L, 5_000_000_000L));
        assertTrue(System.nanoTime() - start >= 400_000_000L, "warm-up ended while the kernel still allocated");
        assertTrue(sink[0] > 0);
    }
}
