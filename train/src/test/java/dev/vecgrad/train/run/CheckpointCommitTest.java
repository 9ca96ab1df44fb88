package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is three files written as one transaction; these tests stop the commit at each
 * point a crash could and check that the directory then loads as the old or the new checkpoint.
 */
class CheckpointCommitTest {
    @TempDir Path tmp;
    Path data, run, pending;
    static final String[] FILES = {ModelCheckpoint.FILE, RunDirectory.OPTIMIZER, RunDirectory.STATE};

    @BeforeEach
    void twoCheckpoints() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.append("all the world's a stage, and all the men and women merely players. ");
        data = Files.writeString(tmp.resolve("t.txt"), sb.toString());
        run = tmp.resolve("run");
        TrainConfig six = TrainerTest.small(6, 0f);
        TrainConfig four = six.withMaxIters(4);
        Trainer t = new Trainer(four, TextTask.load(data, null));
        t.run(run, new Trainer.Listener() {});   // checkpoint at step 4
        // The step-6 checkpoint, kept aside as the "pending" files of an interrupted commit.
        Trainer more = new RunDirectory(run).resume(six, TextTask.load(data, null));
        pending = tmp.resolve("pending");
        more.run(pending, new Trainer.Listener() {});
        assertEquals(6, more.step());
    }

    private void stage(String file) throws IOException {
        Files.copy(pending.resolve(file), run.resolve(file + ".next"), StandardCopyOption.REPLACE_EXISTING);
    }

    private long loadedStep() throws IOException {
        return new RunDirectory(run).resume(null, TextTask.load(data, null)).step();
    }

    @Test
    void withoutTheCommitRecordPendingFilesAreDiscarded() throws IOException {
        stage(FILES[0]);
        stage(FILES[1]);
        Files.writeString(run.resolve(".model.safetensors.next.1234.tmp"), "half a file");
        assertEquals(4, loadedStep());
        for (String f : FILES) assertFalse(Files.exists(run.resolve(f + ".next")), f);
        assertFalse(Files.exists(run.resolve(".model.safetensors.next.1234.tmp")));
    }

    @Test
    void withTheCommitRecordEveryPartialRenameRollsForward() throws IOException {
        // k files already renamed when the crash came, for k = 0, 1, 2.
        for (int moved = 0; moved < 3; moved++) {
            for (int i = 0; i < 3; i++) {
                if (i < moved) {
                    Files.copy(pending.resolve(FILES[i]), run.resolve(FILES[i]), StandardCopyOption.REPLACE_EXISTING);
                } else {
                    stage(FILES[i]);
                }
            }
            assertTrue(RunDirectory.isRun(run));
            assertEquals(6, loadedStep(), "after " + moved + " renames");
            for (String f : FILES) assertFalse(Files.exists(run.resolve(f + ".next")), f);
        }
    }

    @Test
    void anInterruptedFirstCheckpointStillCountsAsARun() throws IOException {
        Path fresh = tmp.resolve("fresh");
        Files.createDirectories(fresh);
        for (String f : FILES) Files.copy(pending.resolve(f), fresh.resolve(f + ".next"));
        assertTrue(RunDirectory.isRun(fresh));
        assertEquals(6, new RunDirectory(fresh).resume(null, TextTask.load(data, null)).step());
    }
}
