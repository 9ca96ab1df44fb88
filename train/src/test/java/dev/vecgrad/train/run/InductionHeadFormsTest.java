package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.data.InductionTask;
import dev.vecgrad.train.inspect.HeadScores;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The induction task grows an induction head: the first {@value #STEPS} steps of the
 * {@code induction} preset (2 layers x 2 heads, 64 wide, block 32, vocabulary 16, batch 32, AdamW
 * 1e-3 after 100 warm-up steps; the preset's schedule unchanged, only cut short) form a layer-1
 * head that copies from the earlier occurrence, and mean-ablating that head costs the loss on the
 * second copy.
 *
 * <p>Why this recipe and not a smaller one: narrower models (32 wide), shorter blocks (16) and
 * higher learning rates (2e-3, 3e-3, 1e-2) were tried for 400-800 steps and all stayed on the
 * plateau that precedes the phase change: layer-0 heads that spread their attention over the
 * earlier tokens (induction score 0.11-0.26, the bag of earlier tokens lowering the loss a little)
 * and no layer-1 head above 0.08. With this recipe and seed 1337 the phase change comes at steps 200-300 (see
 * bench/RESULTS.md for the full run), so {@value #STEPS} steps is the shortest run that is past it
 * with a margin.
 *
 * <p>The seed matters, and the test says so rather than hide it: vecgrad is bit-deterministic at
 * any thread count, so seed 1337 (the preset's) gives the same numbers on every machine and the
 * test is not flaky (best layer-1 score 0.50 at step 400, ablation +0.6 nats). But the step of the
 * phase change varies with the seed: with seeds 1-4 no head is above 0.16 at step 400, and at
 * step 800 seeds 1 and 4 have a layer-1 head at 0.21 (its ablation costing 2.6 and 0.9 nats) while
 * seeds 2 and 3 reach a second-copy loss of 0.8-1.1 with no head above 0.12 on this score. A
 * change of rounding anywhere in training (a kernel's summation order) can therefore move this
 * test; when it fails after such a change, look at the run's curve before suspecting the scores.
 */
class InductionHeadFormsTest {
    static final int STEPS = 400;

    /**
     * The induction score a formed head must beat. Uniform causal attention scores the mean of
     * 1/(t+1) over the second-copy queries (about 0.05 at block 32, computed below), an untrained
     * model about the same, and the pre-phase-change plateau 0.11-0.26 (the layer-0 heads above,
     * which attend by position, not by content). A formed induction head reaches 0.4-0.6 (0.54 at
     * the end of the 1000-step story run), so 0.3 separates the two with room on both sides.
     */
    static final double THRESHOLD = 0.3;

    @Test
    void aShortRunGrowsALayerOneInductionHeadWhoseAblationCostsTheSecondCopy() {
        TrainConfig cfg = TrainConfig.induction().withMaxIters(STEPS);
        InductionTrainingTask task = new InductionTrainingTask(16);
        int block = cfg.model().blockSize();
        // A probe and held-out sequences the run never trains on (the trainer draws from the config's seed).
        InductionTask.Layout probe = HeadScores.probe(16, 64, block, 4242);
        double uniform = uniformScore(probe, block);
        assertTrue(uniform < THRESHOLD / 4, "uniform attention scores " + uniform);

        Trainer t = new Trainer(cfg, task);
        double before = best(HeadScores.inductionScores(t.model(), probe))[2];
        assertTrue(before < THRESHOLD / 2, "untrained: best induction score " + before);
        for (int s = 0; s < STEPS; s++) t.trainStep();

        double[][] scores = HeadScores.inductionScores(t.model(), probe);
        double[] top = best(scores);
        int layer = (int) top[0], head = (int) top[1];
        String grid = java.util.Arrays.deepToString(scores);
        assertTrue(top[2] > THRESHOLD, "best induction score " + top[2] + " after " + STEPS + " steps: " + grid);
        assertTrue(layer == 1, "the induction head is in layer 1 (it needs layer 0's previous-token head): " + grid);
        for (double s : scores[0]) assertTrue(s < THRESHOLD, "layer 0 cannot match by content: " + grid);

        Batch held = task.problems().sample(64, block, new SplittableRandom(777));
        double clean = HeadScores.ablatedLoss(t.model(), held, List.of(), true);
        double ablated = HeadScores.ablatedLoss(t.model(), held, List.of(new int[] {layer, head}), true);
        double chance = task.problems().chanceLoss();
        // The clean loss is far below chance (ln 16 = 2.77) only because of the copy; taking the
        // head away must give back a sizeable part of that gain.
        assertTrue(clean < chance - 1, "clean second-copy loss " + clean + " (chance " + chance + ")");
        assertTrue(ablated > clean + 0.3, "mean-ablating head " + layer + "." + head + ": loss " + clean + " -> " + ablated);
    }

    // {layer, head, score} of the highest-scoring head
    private static double[] best(double[][] scores) {
        double[] b = {0, 0, Double.NEGATIVE_INFINITY};
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) if (scores[l][h] > b[2]) b = new double[] {l, h, scores[l][h]};
        }
        return b;
    }

    // The induction score of a head that attends uniformly to every position up to its own:
    // the mean over the probe's second-copy queries t of 1/(t+1).
    private static double uniformScore(InductionTask.Layout probe, int block) {
        double sum = 0;
        long n = 0;
        for (int b = 0; b < probe.secondCopy().length; b++) {
            int s = probe.secondCopy()[b];
            for (int q = s; q < Math.min(block, s + probe.copyLength()[b]); q++) {
                sum += 1.0 / (q + 1);
                n++;
            }
        }
        return sum / n;
    }
}
