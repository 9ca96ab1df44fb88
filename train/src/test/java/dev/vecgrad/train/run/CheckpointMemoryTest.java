package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint streams the weights and the optimizer's moments from their own arrays: saving
 * allocates far less than the state it writes. Copying them first needed three times the
 * weights' size of extra heap at the moment a run saves its work, and ran a GPT-2 small
 * fine-tuning run out of memory in its final checkpoint (the run directory was never written).
 */
class CheckpointMemoryTest {
    @TempDir Path tmp;

    @Test
    void savingAllocatesFarLessThanTheStateItWrites() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("the quick brown fox jumps over the lazy dog. ");
        Path data = Files.writeString(tmp.resolve("t.txt"), sb.toString());
        // 4 layers of 128: about 0.8 M parameters, 3.2 MB of weights and 6.4 MB of AdamW moments.
        TrainConfig cfg = new TrainConfig(new ModelSettings(4, 4, 128, 16, true, 0f),
                new OptimizerSettings(1e-3f, 1e-4f, 1, 2, 0.1f, 0.9f, 0.99f, 1f), new EvalSettings(100, 1), 2, 1, 2, 7);
        Trainer t = new Trainer(cfg, TextTask.load(data, null));
        t.trainStep();
        long weightBytes = 4L * t.model().numParameters();
        new RunDirectory(tmp.resolve("warm")).save(t);   // class loading, JSON caches
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        new RunDirectory(tmp.resolve("run")).save(t);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(weightBytes > 3_000_000, "the model is big enough to tell copies apart: " + weightBytes);
        assertTrue(allocated < weightBytes / 2, "saving allocated " + allocated + " bytes for " + weightBytes
                + " bytes of weights (plus twice that of moments)");
        // And what was written is the state itself.
        var loaded = ModelCheckpoint.load(tmp.resolve("run")).model();
        var want = t.model().namedParameters();
        for (var e : loaded.namedParameters().entrySet()) {
            assertArrayEquals(want.get(e.getKey()).tensor().toArray(), e.getValue().tensor().toArray(), e.getKey());
        }
    }
}
