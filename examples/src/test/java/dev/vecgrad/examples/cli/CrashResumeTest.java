package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.TextTask;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training in a child JVM that is killed (SIGKILL, no chance to clean up) at random moments:
 * the run directory must always load, {@code --resume} must continue, and the losses of the
 * interrupted-and-resumed run must equal an uninterrupted run's step for step. Ctrl-C (SIGINT)
 * must save a checkpoint and exit with status 130.
 */
class CrashResumeTest {
    @TempDir static Path tmp;
    static Path text;
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> RECIPE = List.of("--preset", "tiny", "--max-iters", "40", "--eval-interval", "2",
            "--eval-iters", "1", "--block-size", "16", "--batch-size", "4", "--threads", "1", "--no-progress");

    @BeforeAll
    static void data() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("Now is the winter of our discontent made glorious summer. ");
        text = Files.writeString(tmp.resolve("richard.txt"), sb.toString());
    }

    /** Starts {@code vecgrad args} in a new JVM with this JVM's class path and module flags. */
    static Process vecgrad(Path log, List<String> args) throws IOException {
        return vecgrad(log, List.of(), args);
    }

    /** {@link #vecgrad(Path, List)} with extra JVM options (e.g. {@code -Xmx40m}). */
    static Process vecgrad(Path log, List<String> jvmOptions, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-modules") || a.startsWith("-Xss")) cmd.add(a);
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static List<String> train(String... extra) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(List.of(extra));
        a.addAll(RECIPE);
        return a;
    }

    /** step -> "train_loss eval_train_loss val_loss" for every line of a run's metrics log. */
    static TreeMap<Long, List<String>> losses(Path dir) throws IOException {
        TreeMap<Long, List<String>> m = new TreeMap<>();
        for (String line : Files.readAllLines(dir.resolve(RunDirectory.METRICS))) {
            JsonNode n = JSON.readTree(line);
            m.computeIfAbsent(n.get("step").asLong(), k -> new ArrayList<>())
                    .add(n.path("train_loss").asText() + " " + n.path("eval_train_loss").asText() + " " + n.path("val_loss").asText());
        }
        return m;
    }

    /** Lines in a run's metrics log so far (0 before it exists): the run's observable progress. */
    static int progress(Path dir) throws IOException {
        Path f = dir.resolve(RunDirectory.METRICS);
        if (!Files.exists(f)) return 0;
        try (var lines = Files.lines(f)) {
            return (int) lines.count();
        }
    }

    /**
     * Waits until the child has logged {@code target} metrics lines, or has exited; fails after
     * a deadline generous enough for a heavily loaded machine.
     *
     * @return whether the child is still running
     */
    static boolean awaitProgress(Process child, Path dir, int target, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (child.isAlive() && progress(dir) < target) {
            assertTrue(System.nanoTime() < deadline, "no progress to " + target + " lines: " + Files.readString(log));
            Thread.sleep(20);
        }
        return child.isAlive();
    }

    @Test
    void sigkillAtRandomMomentsNeverLosesTheRunAndResumeMatchesAnUninterruptedRun() throws Exception {
        Path straight = tmp.resolve("straight");
        Process p = vecgrad(tmp.resolve("straight.log"), train("--data", text.toString(), "--out", straight.toString()));
        assertEquals(0, p.waitFor(), Files.readString(tmp.resolve("straight.log")));
        int total = progress(straight);   // 40 step lines and 20 evaluation lines

        Path run = tmp.resolve("killed");
        Random rnd = new Random(42);
        int kills = 0, resumes = 0;
        // Round 0 is killed at once, before the JVM has even started training; each later round once the
        // run has logged a few more lines (each kill loses at most the lines since the last checkpoint,
        // so the run always moves on) plus a random few milliseconds, which lands the kill anywhere in a
        // step, an evaluation or a checkpoint's files. Progress, not wall time, decides: a slow or fast
        // machine kills at the same points of the run.
        for (int round = 0; round < 5; round++) {
            boolean started = RunDirectory.isRun(run);
            Path log = tmp.resolve("round" + round + ".log");
            // At least 4 lines: the first checkpoint (step 2) is complete once the line of step 3 is logged.
            int target = round == 0 ? 0 : progress(run) + 4 + rnd.nextInt(6);
            assertTrue(target < total, "the run would finish before round " + round + "'s kill");
            Process child = vecgrad(log, started ? train("--resume", run.toString())
                    : train("--data", text.toString(), "--out", run.toString()));
            boolean alive = awaitProgress(child, run, target, log);
            assertTrue(alive, "exited before the kill of round " + round + ": " + Files.readString(log));
            if (round > 0) Thread.sleep(rnd.nextInt(150));
            child.destroyForcibly();   // SIGKILL
            child.waitFor();
            kills++;
            if (started) resumes++;
            if (RunDirectory.isRun(run)) {
                // Whatever moment the kill hit, the directory loads as a consistent checkpoint.
                var resumed = new RunDirectory(run).resume(null, TextTask.load(text, null));
                assertTrue(resumed.step() > 0 && resumed.step() % 2 == 0, "step " + resumed.step());
            }
        }
        assertEquals(3, resumes, kills + " kills, " + resumes + " of them of a resumed run");
        Process finish = vecgrad(tmp.resolve("finish.log"), train("--resume", run.toString()));
        assertEquals(0, finish.waitFor(), Files.readString(tmp.resolve("finish.log")));
        assertEquals(losses(straight), losses(run));
    }

    /**
     * Whether this process ignores SIGINT (Linux's {@code SigIgn} mask, bit 1). A child inherits an
     * ignored SIGINT and the JVM leaves it ignored, so Ctrl-C could not reach the child: that is
     * what happens when the build runs as a background job of a shell script.
     */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return false;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2) != 0;
        }
        return false;
    }

    @Test
    void ctrlCSavesACheckpointAndExitsWith130() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(),
                "SIGINT is ignored in this process (a background job?), so the child would ignore Ctrl-C too");
        Path run = tmp.resolve("interrupted");
        Path log = tmp.resolve("sigint.log");
        Process child = vecgrad(log, List.of("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "100000",
                "--eval-interval", "100000", "--block-size", "16", "--batch-size", "4", "--threads", "1", "--no-progress",
                "--out", run.toString()));
        assertTrue(awaitProgress(child, run, 3, log), "exited early: " + Files.readString(log));
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "still running after SIGINT");
        String out = Files.readString(log);
        assertEquals(130, child.exitValue(), out);
        var m = java.util.regex.Pattern.compile("checkpoint saved at step (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        long step = Long.parseLong(m.group(1));
        assertTrue(step >= 3, out);
        assertTrue(out.contains("continue it with: " + ShellWords.command("train --resume " + ShellWords.quote(run.toString()))), out);
        assertEquals(step, new RunDirectory(run).readState().step());
        assertEquals(step, new RunDirectory(run).resume(null, TextTask.load(text, null)).step());
    }
}
