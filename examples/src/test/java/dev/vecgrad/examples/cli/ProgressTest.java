package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.run.Evaluation;
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

    /**
     * A step line fell due on a step that also evaluated, in a log piped through {@code tee}: the
     * step printed "step 250/2000: loss ..." and then "step 250/2000: train loss ..., val loss ...".
     */
    @Test
    void aStepThatEvaluatesPrintsOnlyItsEvaluationLineAndTheNextStepLineWaits() {
        StringWriter sw = new StringWriter();
        try (Progress p = new Progress(5, 0, Progress.Mode.LINES, new PrintWriter(sw), false, tmp, Double.NaN)) {
            p.onStep(step(1, 2.0));
            Metrics evaluated = step(2, 12.0).withEval(new Evaluation(2.4, 2.5, Double.NaN), 13.0);
            p.onStep(evaluated);
            p.onEval(evaluated);
            p.onStep(step(3, 14.0));    // due by the last step line, not by the evaluation line
            p.onStep(step(4, 23.5));
        }
        assertEquals(List.of(
                "step 1/5: loss 2.5000, lr 1.00e-03, 12,345 tokens/s, 2 s",
                "step 2/5: train loss 2.4000, val loss 2.5000, lr 1.00e-03, 12,345 tokens/s, 13 s",
                "step 4/5: loss 2.5000, lr 1.00e-03, 12,345 tokens/s, 24 s"), sw.toString().lines().toList());
    }

    private static final long S = 1_000_000_000L;

    /**
     * On a terminal the first ETA of a 7-second run read 2:07: the bar's rate counted the first
     * steps, which wait seconds on the JIT, and the steps after them, which the JIT keeps speeding
     * up. The warm-up steps are left out, and the rate is the later part of the run's.
     */
    @Test
    void theBarsRateLeavesTheWarmUpOutAndFollowsTheRecentSteps() {
        try (Progress p = new Progress(200, 0, Progress.Mode.QUIET, new PrintWriter(new StringWriter()), false, tmp, Double.NaN)) {
            for (int s = 1; s < Progress.WARMUP_STEPS; s++) p.measure(s, 100 * S + s * S);
            String before = p.barLine(2, 200, "", 120, 103 * S);
            assertTrue(before.endsWith(" 2/200 | - steps/s | ETA -"), before);
            long t0 = 105 * S;
            p.measure(3, t0);
            // 10 steps in the second after the warm-up: 10 steps/s, the remaining 187 in 19 s.
            p.measure(13, t0 + S);
            String first = p.barLine(13, 200, "", 120, t0 + S);
            assertTrue(first.endsWith(" 13/200 | 10.0 steps/s | ETA 0:19"), first);
            // Then 7 slow steps (a second each) and 120 fast ones (0.1 s each): the rate is the fast
            // steps' 10 a second, not the 6.9 since the warm-up.
            long t = t0 + S;
            for (int s = 14; s <= 20; s++) p.measure(s, t += S);
            for (int s = 21; s <= 140; s++) p.measure(s, t += S / 10);
            String later = p.barLine(140, 200, "", 120, t);
            assertTrue(later.endsWith(" 140/200 | 10.0 steps/s | ETA 0:06"), later);
        }
    }

    @Test
    void noProgressPrintsNoStepLines() {
        assertEquals(List.of(), printed(Progress.Mode.QUIET, 2.0, 15.0, 30.0, 45.0));
    }
}
