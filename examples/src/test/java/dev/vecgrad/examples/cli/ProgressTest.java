package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgrad.train.run.Metrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run prints between evaluations when its output is not a terminal. It printed nothing
 * then, so a run piped into a log (or `tee`) was silent from its header to its first evaluation,
 * minutes away for the larger presets.
 */
class ProgressTest {
    @TempDir Path tmp;

    private static Metrics step(long step, double elapsedS) {
        return Metrics.ofStep(step, elapsedS, new Metrics.Step(2.5, 1e-3, 0.7),
                new Metrics.Speed(12_345, Double.NaN, Double.NaN, Double.NaN, Double.NaN), Map.of());
    }

    private List<String> printed(Progress.Mode mode, double... elapsed) {
        StringWriter sw = new StringWriter();
        try (Progress p = new Progress(elapsed.length, 0, mode, new PrintWriter(sw), false, tmp, Double.NaN)) {
            for (int i = 0; i < elapsed.length; i++) p.onStep(step(i + 1, elapsed[i]));
        }
        return sw.toString().lines().toList();
    }

    @Test
    void aPipedRunPrintsTheFirstStepThenALineEveryTenSeconds() {
        List<String> lines = printed(Progress.Mode.LINES, 2.0, 5.0, 11.9, 12.0, 21.0, 22.5, 40.0);
        assertEquals(List.of(
                "step 1/7: loss 2.5000, lr 1.00e-03, 12,345 tokens/s, 2 s",
                "step 4/7: loss 2.5000, lr 1.00e-03, 12,345 tokens/s, 12 s",
                "step 6/7: loss 2.5000, lr 1.00e-03, 12,345 tokens/s, 23 s"), lines,
                "the last step is left to the evaluation line that follows it");
    }

    @Test
    void noProgressPrintsNoStepLines() {
        assertEquals(List.of(), printed(Progress.Mode.QUIET, 2.0, 15.0, 30.0, 45.0));
    }
}
