package dev.vecgrad.examples.cli;

import static dev.vecgrad.examples.cli.FirstHourTest.vecgrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.examples.cli.FirstHourTest.Result;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Error messages a new user's walk-through found unhelpful, each pinned as one line that says what
 * was wrong and what to give instead; and the {@code runs} table naming every run's task and
 * tokenizer.
 */
@ResourceLock("vecgrad.threads")   // commands run in-process set the global thread count; restored after all
class WalkThroughErrorsTest {
    @TempDir static Path tmp;
    static Path runs, text;
    static int threadsBefore = Parallel.threads();

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    static final String[] TINY = {"--preset", "tiny", "--max-iters", "2", "--eval-interval", "2", "--eval-iters", "1",
        "--block-size", "16", "--batch-size", "4", "--threads", "1", "--no-progress"};

    static void train(String... args) {
        String[] all = new String[1 + args.length + TINY.length];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(TINY, 0, all, 1 + args.length, TINY.length);
        Result r = vecgrad(all);
        assertEquals(0, r.code(), r.err());
    }

    @BeforeAll
    static void trainThreeRuns() throws IOException {
        text = Files.writeString(tmp.resolve("play.txt"), "To be, or not to be: that is the question.\n".repeat(100));
        runs = tmp.resolve("runs");
        train("--data", text.toString(), "--out", runs.resolve("char").toString());
        train("--data", text.toString(), "--tokenizer", "bpe:260", "--out", runs.resolve("bpe").toString());
        train("--task", "induction", "--out", runs.resolve("induction").toString());
        // The error for a directory of runs names the newest first: make the order certain.
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (String r : List.of("char", "bpe", "induction")) {
            Files.setLastModifiedTime(runs.resolve(r).resolve(ModelCheckpoint.FILE), FileTime.from(t));
            t = t.plusSeconds(60);
        }
    }

    static String oneLine(Result r) {
        assertEquals(2, r.code(), r.out());
        assertEquals(1, r.errLines().size(), r.err());
        return r.errLines().get(0);
    }

    @Test
    void aMisspeltRequiredOptionIsReportedAsUnknownWithTheSuggestion() {
        assertEquals("vecgrad sample: unknown option '--checkpont'; did you mean '--checkpoint'?",
                oneLine(vecgrad("sample", "--checkpont", runs.resolve("char").toString())));
        // Without a typo, a missing required option is still reported as missing.
        assertTrue(oneLine(vecgrad("sample")).contains("Missing required option: '--checkpoint"));
    }

    @Test
    void aDirectoryOfRunsNamesTheNewestRuns() {
        String list = ": a directory of 3 runs, not a run; pass one of them: " + runs.resolve("induction") + " (newest), "
                + runs.resolve("bpe") + ", " + runs.resolve("char");
        assertEquals("vecgrad sample: " + runs + list, oneLine(vecgrad("sample", "--checkpoint", runs.toString())));
        assertEquals("vecgrad train: --resume " + runs + list, oneLine(vecgrad("train", "--resume", runs.toString())));
    }

    @Test
    void theOptimizerStateIsToldApartFromAModel() {
        Path opt = runs.resolve("char").resolve("optimizer.safetensors");
        assertEquals("vecgrad summary: " + opt + ": this is the optimizer state, not a model; pass the run directory or its "
                + "model.safetensors", oneLine(vecgrad("summary", "--checkpoint", opt.toString())));
    }

    @Test
    void aPromptOutsideASmallVocabularyListsIt() {
        String err = oneLine(vecgrad("lens", "--checkpoint", runs.resolve("induction").toString(), "--prompt", "xyz"));
        assertTrue(err.endsWith("character 'x' at position 0 is not in the vocabulary \"abcdefghijklmnop\" (16 characters)"), err);
        String sample = oneLine(vecgrad("sample", "--checkpoint", runs.resolve("char").toString(), "--prompt", "Q"));
        assertTrue(sample.endsWith("not in the vocabulary \"\\n ,.:Tabehinoqrstu\" (18 characters)"), sample);
    }

    @Test
    void compareTakesExactlyTwoRunsAndFindsNamesUnderTheRunsDirectory() {
        assertEquals("vecgrad runs: --compare takes exactly two runs (A B), got 1: a", oneLine(vecgrad("runs", "--compare", "a")));
        assertEquals("vecgrad runs: --compare takes exactly two runs (A B), got 3: a b c",
                oneLine(vecgrad("runs", "--compare", "a", "b", "c")));
        Result r = vecgrad("runs", runs.toString(), "--compare", "char", "induction");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("A: " + runs.resolve("char") + ": play.txt (char), "), r.out());
        assertTrue(lines.get(1).startsWith("B: " + runs.resolve("induction") + ": induction 16 tokens, "), r.out());
        assertEquals("vecgrad runs: --compare nope: no such run (looked for nope and " + runs.resolve("nope") + ")",
                oneLine(vecgrad("runs", runs.toString(), "--compare", "char", "nope")));
    }

    /**
     * A character-level run's loss (about 3.1 on Shakespeare) and a BPE run's (about 5.4) are per
     * different tokens: compared, the two get one note saying so, which names the figure that does
     * compare (bits per byte, from eval); runs of one tokenizer get none.
     */
    @Test
    void comparingRunsOfDifferentTokenizersSaysTheirLossesAreNotComparable() {
        Result r = vecgrad("runs", runs.toString(), "--compare", "char", "bpe");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("note: A and B use different tokenizers (A: char 18, B: bpe 260), so these losses (per token) are not "
                + "comparable; bits per byte are: run " + ShellWords.command("eval --checkpoint " + runs.resolve("char"))
                + " and " + ShellWords.command("eval --checkpoint " + runs.resolve("bpe")) + ".", lines.get(2), r.out());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("note: ")).count(), r.out());
        assertEquals("", lines.get(3), r.out());
        // Not text: no bits per byte to point at.
        Result task = vecgrad("runs", runs.toString(), "--compare", "char", "induction");
        assertTrue(task.out().lines().anyMatch(l -> l.equals("note: A and B use different tokenizers (A: char 18, B: char 16), "
                + "so these losses (per token) are not comparable.")), task.out());
        Result same = vecgrad("runs", runs.toString(), "--compare", "char", runs.resolve("char").toString());
        assertEquals(0, same.code(), same.err());
        assertFalse(same.out().contains("note:"), same.out());
        assertEquals("", same.out().lines().toList().get(2), same.out());
    }

    /**
     * Every command a message suggests starts the way the user started vecgrad (the tests run with
     * the launcher's {@code VECGRAD_COMMAND=./vecgrad}); these said a bare {@code vecgrad}, which
     * is not on the PATH of someone working in the checkout.
     */
    @Test
    void suggestedCommandsStartWithTheLauncher() throws IOException {
        String train = "'" + ShellWords.command("train") + "'";
        Result missing = vecgrad("runs", tmp.resolve("no-runs-here").toString());
        assertTrue(oneLine(missing).endsWith("(train a run first: " + ShellWords.command("train") + ", which saves under runs/)"),
                missing.err());
        Result empty = vecgrad("runs", Files.createDirectories(tmp.resolve("empty-runs")).toString());
        assertEquals(0, empty.code(), empty.err());
        assertTrue(empty.out().strip().endsWith("; " + train + " makes one)"), empty.out());
        assertTrue(oneLine(vecgrad("example")).endsWith("('" + ShellWords.command("example --help") + "' says what each shows)"));
        assertEquals("vecgrad tokenizer: missing subcommand: try '" + ShellWords.command("tokenizer train --help") + "'",
                oneLine(vecgrad("tokenizer")));
        assertEquals("vecgrad tokenizer train: unknown option '--zzzzzz' (see '" + ShellWords.command("tokenizer train --help")
                + "')", oneLine(vecgrad("tokenizer", "train", "--zzzzzz")));
    }

    /**
     * Run where there is no {@code runs/}, {@code runs} said "no such directory" without naming it:
     * the default's name was taken for the command's own and dropped. It is named as the dashboard
     * names its {@code --runs}.
     */
    @Test
    void aMissingRunsDirectoryIsNamed() {
        Path missing = tmp.resolve("nonexistent");
        assertEquals("vecgrad runs: DIR " + missing + ": no such directory (train a run first: " + ShellWords.command("train")
                + ", which saves under runs/)", oneLine(vecgrad("runs", missing.toString())));
        // The default, run from a directory without runs/ (the tests run in the module, which has none).
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("runs")), "a runs/ here");
        assertTrue(oneLine(vecgrad("runs")).startsWith("vecgrad runs: DIR runs: no such directory (train a run first: "));
        assertTrue(oneLine(vecgrad("dashboard", "--runs", missing.toString())).startsWith("vecgrad dashboard: --runs " + missing
                + ": no such directory (train a run first: "));
    }

    @Test
    void aMistypedRunNameSuggestsTheCloseOnes() {
        assertEquals("vecgrad runs: --compare chr: no such run (looked for chr and " + runs.resolve("chr") + "); did you mean char?",
                oneLine(vecgrad("runs", runs.toString(), "--compare", "chr", "bpe")));
        assertEquals("vecgrad runs: --compare indu: no such run (looked for indu and " + runs.resolve("indu")
                + "); did you mean induction?", oneLine(vecgrad("runs", runs.toString(), "--compare", "char", "indu")));
        assertEquals(List.of("sc100"), Spelling.closeNames("sc10", List.of("bpe", "char", "sc100", "sc2000")));
        assertEquals(List.of("sc100", "sc101"), Spelling.closeNames("sc10l", List.of("sc100", "sc101", "sc2000")));
        assertEquals(List.of(), Spelling.closeNames("nope", List.of("bpe", "char", "induction")));
    }

    @Test
    void runsNeverCutsARunNameSoItCanBeCopied() throws IOException {
        // The default name of a run: a time stamp and the data file's name, longer than the other columns' cut.
        String name = "20261207-040359-tinyshakespeare-char";
        Path dir = Files.createDirectories(tmp.resolve("long").resolve(name));
        try (var files = Files.list(runs.resolve("char"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        Result r = vecgrad("runs", tmp.resolve("long").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().skip(1).findFirst().orElseThrow().startsWith(name + " play.txt (char) "), r.out());
    }

    @Test
    void runsShowsTheTaskAndTheTokenizerInAlignedColumns() {
        Result r = vecgrad("runs", runs.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(1).startsWith("bpe       play.txt (bpe 260)  2x32 "), r.out());
        assertTrue(lines.get(2).startsWith("char      play.txt (char)     2x32 "), r.out());
        assertTrue(lines.get(3).startsWith("induction induction 16 tokens 2x32 "), r.out());
        // Every column after the data one starts at the same place in every line.
        int state = lines.get(0).indexOf("state");
        for (String l : lines.subList(1, lines.size())) assertEquals("finished", l.substring(state), r.out());
    }

    @Test
    void evalOfAnInductionModelFileNeedsNoData() throws IOException {
        // As for addition: the built-in task's batches are generated, there is no file to ask for.
        Path model = runs.resolve("induction").resolve(ModelCheckpoint.FILE);
        Result inRun = vecgrad("eval", "--checkpoint", model.toString(), "--eval-iters", "1", "--threads", "1");
        assertEquals(0, inRun.code(), inRun.err());
        assertTrue(inRun.out().contains("val loss"), inRun.out());
        // Copied out of its run, the model's vocabulary (the task's first 16 letters) names the task.
        Path alone = Files.copy(model, Files.createDirectories(tmp.resolve("alone")).resolve("induction.safetensors"));
        Result copied = vecgrad("eval", "--checkpoint", alone.toString(), "--eval-iters", "1", "--threads", "1");
        assertEquals(0, copied.code(), copied.err());
        assertTrue(copied.out().contains("val loss"), copied.out());
    }

    @Test
    void everyInductionVocabularySizeIsRecognisedAndTextsAreNot() {
        for (int n = 2; n <= dev.vecgrad.train.data.InductionTask.MAX_VOCAB; n++) {
            String vocab = dev.vecgrad.train.tokenizer.CharTokenizer
                    .of(dev.vecgrad.train.data.InductionTask.ALPHABET.substring(0, n)).vocabString();
            assertTrue(EvalCommand.isInductionVocabulary(vocab), n + ": " + vocab);
        }
        assertFalse(EvalCommand.isInductionVocabulary(" !,.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"));
        assertFalse(EvalCommand.isInductionVocabulary("abd"));
    }

    @Test
    void evalOfAFolderWithoutDataNamesTheFolderAndTheFlag() {
        assertEquals("vecgrad eval: --checkpoint " + Gpt2CliTest.TINY + ": not a run directory, so it has no data of its own; "
                + "give --data FILE to evaluate it on", oneLine(vecgrad("eval", "--checkpoint", Gpt2CliTest.TINY.toString())));
    }
}
