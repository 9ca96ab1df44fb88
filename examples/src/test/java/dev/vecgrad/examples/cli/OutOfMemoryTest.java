package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running out of heap is the machine's limit, not a bug: one line that says what to change, the
 * usual exit status, no JVM stack trace (picocli passes Errors through to main, which printed one).
 * In a JVM of its own, so that the error cannot disturb the other tests.
 */
class OutOfMemoryTest {
    @TempDir Path tmp;

    @Test
    void aBatchTooBigForTheHeapIsOneLine() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append("Now is the winter of our discontent made glorious summer. ");
        Path text = Files.writeString(tmp.resolve("t.txt"), sb.toString());
        Path log = tmp.resolve("log.txt");
        // shakespeare-char's 13 MB of weights and moments pass the up-front size check in a 40 MB
        // heap, but a batch of 64 sequences' activations does not fit beside them.
        Process p = CrashResumeTest.vecgrad(log, List.of("-Xmx40m"), List.of("train", "--data", text.toString(),
                "--preset", "shakespeare-char", "--batch-size", "64", "--max-iters", "2", "--out", tmp.resolve("run").toString(),
                "--no-progress"));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run did not end");
        String out = Files.readString(log);
        List<String> errors = out.lines().filter(l -> l.contains("memory") && !l.startsWith("memory: ")).toList();
        assertEquals(1, errors.size(), out);
        assertTrue(errors.get(0).startsWith("vecgrad train: out of memory; try a smaller --batch-size"), out);
        assertTrue(errors.get(0).contains("heap limit"), out);
        assertFalse(out.contains("Exception in thread") || out.contains("\tat "), out);
        assertEquals(Errors.USAGE, p.exitValue(), out);
    }

    /**
     * A heap the weights and moments nearly fill: the workspace's arrays, kept after the failed
     * step, left no room to close the scope, write the status or print the line, so the JVM's own
     * "Exception in thread main" came out, and the half-made run directory stayed, its status
     * "running" for ever.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {20, 24, 28})
    void aHeapTheModelNearlyFillsStillGivesOneLineAndLeavesNoDirectory(int heapMb) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append("Now is the winter of our discontent made glorious summer. ");
        Path text = Files.writeString(tmp.resolve("t.txt"), sb.toString());
        Path log = tmp.resolve("log.txt"), run = tmp.resolve("run");
        Process p = CrashResumeTest.vecgrad(log, List.of("-Xmx" + heapMb + "m"), List.of("train", "--data", text.toString(),
                "--preset", "shakespeare-char", "--max-iters", "2", "--out", run.toString(), "--no-progress"));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run did not end");
        String out = Files.readString(log);
        assertFalse(out.contains("Exception in thread") || out.contains("\tat "), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("vecgrad train: out of memory; try a smaller --batch-size")), out);
        assertEquals(Errors.USAGE, p.exitValue(), out);
        assertFalse(Files.exists(run), "a run that failed before its first checkpoint leaves no directory");
    }
}
