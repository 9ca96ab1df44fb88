package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status.json}: written by the trainer at the start and the end of a run, read with every field checked. */
class RunStatusTest {
    @TempDir Path tmp;

    private TextTask task() throws IOException {
        Path f = tmp.resolve("text.txt");
        Files.writeString(f, "the quick brown fox jumps over the lazy dog. ".repeat(100));
        return TextTask.load(f, null);
    }

    @Test
    void runningWhileTrainingThenFinished() throws IOException {
        Path run = tmp.resolve("run");
        AtomicReference<RunStatus> during = new AtomicReference<>();
        new Trainer(TrainerTest.small(6, 0f), task()).run(run, new Trainer.Listener() {
            @Override
            public void onStep(Metrics m) {
                try {
                    if (during.get() == null) during.set(RunStatus.read(run));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        assertEquals(RunStatus.State.RUNNING, during.get().state());
        assertEquals(RunStatus.State.RUNNING, during.get().effectiveState(), "this process is alive");
        assertEquals(ProcessHandle.current().pid(), during.get().pid());
        RunStatus end = RunStatus.read(run);
        assertEquals(RunStatus.State.FINISHED, end.state());
        assertEquals(6, end.step());
        assertEquals(6, end.maxIters());
        assertEquals(during.get().started(), end.started());
        assertTrue(end.parameters() > 0 && end.task().contains("text.txt"), end.toString());
    }

    @Test
    void aStopRequestLeavesStoppedAndAResumeKeepsTheStartTime() throws IOException {
        Path run = tmp.resolve("run");
        Trainer t = new Trainer(TrainerTest.small(8, 0f), task());
        t.run(run, new Trainer.Listener() {
            @Override
            public void onStep(Metrics m) {
                if (m.step() == 2) t.requestStop();
            }
        });
        RunStatus s = RunStatus.read(run);
        assertEquals(RunStatus.State.STOPPED, s.state());
        assertTrue(s.message().contains("stop requested at step 2"), s.message());
        Trainer resumed = new RunDirectory(run).resume(null, task());
        resumed.run(run, new Trainer.Listener() {});
        RunStatus after = RunStatus.read(run);
        assertEquals(RunStatus.State.FINISHED, after.state());
        assertEquals(s.started(), after.started());
    }

    /** A fresh run in a directory an earlier run left without a checkpoint keeps none of its status. */
    @Test
    void aFreshRunInALeftOverDirectoryStartsItsOwnClock() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        new RunStatus(RunStatus.State.RUNNING, 999_999_999L, java.time.Instant.parse("2026-01-01T00:00:00Z"),
                java.time.Instant.parse("2026-01-01T00:01:00Z"), 3, 8, 1, "an earlier run", "").write(run);
        java.time.Instant before = java.time.Instant.now();
        new Trainer(TrainerTest.small(4, 0f), task()).run(run, new Trainer.Listener() {});
        RunStatus after = RunStatus.read(run);
        assertEquals(RunStatus.State.FINISHED, after.state());
        assertTrue(!after.started().isBefore(before.minusSeconds(1)), "started " + after.started() + ", not the old run's time");
    }

    @Test
    void aDivergedRunSaysSo() throws IOException {
        Path run = tmp.resolve("run");
        TrainConfig wild = TrainerTest.small(20, 0f).toBuilder().lr(1e9f).minLr(0f).warmupIters(0).weightDecay(0f).gradClip(0f)
                .evalInterval(1).evalIters(1).build();
        assertThrows(TrainingDivergedException.class, () -> new Trainer(wild, task()).run(run, new Trainer.Listener() {}));
        RunStatus s = RunStatus.read(run);
        assertEquals(RunStatus.State.DIVERGED, s.state());
        assertTrue(s.message().contains("diverged at step"), s.message());
    }

    @Test
    void aRunningStatusOfAGoneProcessIsStopped() throws IOException {
        long dead = ProcessHandle.current().pid();
        // A pid that is not alive: the highest pids are rarely in use, and the check below makes sure.
        for (long p = 4_000_000; p > 3_900_000; p--) {
            if (ProcessHandle.of(p).isEmpty()) {
                dead = p;
                break;
            }
        }
        RunStatus s = new RunStatus(RunStatus.State.RUNNING, dead, Instant.EPOCH, Instant.EPOCH, 3, 10, 5, "t", "");
        assertEquals(RunStatus.State.STOPPED, s.effectiveState());
    }

    @Test
    void hostileFilesAreRejectedNamingTheField() throws IOException {
        assertNull(RunStatus.read(tmp), "no file: null (runs from before the file existed)");
        Path f = tmp.resolve(RunStatus.FILE);
        String good = "{\"format\":1,\"state\":\"running\",\"pid\":1,\"started\":\"2026-01-01T00:00:00Z\","
                + "\"updated\":\"2026-01-01T00:00:01Z\",\"step\":1,\"max_iters\":2,\"parameters\":3,\"task\":\"t\",\"message\":\"\"}";
        Files.writeString(f, good);
        assertEquals(RunStatus.State.RUNNING, RunStatus.read(tmp).state());
        String[][] bad = {
            {"{not json", "not valid JSON"},
            {"[1]", "expected a JSON object"},
            {good.replace("\"format\":1", "\"format\":2"), "unsupported \"format\""},
            {good.replace("\"running\"", "\"exploded\""), "\"state\" must be running"},
            {good.replace("\"pid\":1", "\"pid\":-1"), "\"pid\" must be an integer"},
            {good.replace("\"step\":1", "\"step\":\"1\""), "\"step\" must be an integer"},
            {good.replace("2026-01-01T00:00:00Z", "yesterday"), "\"started\" must be an ISO-8601 instant"},
            {good.replace("\"task\":\"t\",", ""), "\"task\" must be a string"},
            {"{\"format\":1,\"state\":\"" + "x".repeat(70_000) + "\"}", "larger than"},
        };
        for (String[] b : bad) {
            Files.writeString(f, b[0]);
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> RunStatus.read(tmp), b[1]);
            assertTrue(e.getMessage().contains(b[1]) && e.getMessage().contains(RunStatus.FILE), e.getMessage());
        }
    }
}
