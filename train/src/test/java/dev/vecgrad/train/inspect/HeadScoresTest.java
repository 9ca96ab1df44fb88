package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.data.InductionTask;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Head scores on hand-built attention patterns, and the logit lens against the model's own output. */
class HeadScoresTest {
    private static final int T = 8;   // 2n with n = 4

    /** One head per kind, [1, 4, T, T]: previous token, first token, induction, uniform over the past. */
    private static Tensor patterns() {
        int n = T / 2, heads = 4;
        float[] a = new float[heads * T * T];
        for (int q = 0; q < T; q++) {
            a[(0 * T + q) * T + Math.max(0, q - 1)] = 1f;                                   // previous token (itself at 0)
            a[(1 * T + q) * T] = 1f;                                                         // first token
            a[(2 * T + q) * T + (q >= n ? q - n + 1 : q)] = 1f;                              // induction (itself in copy 1)
            for (int j = 0; j <= q; j++) a[(3 * T + q) * T + j] = 1f / (q + 1);              // uniform
        }
        return Tensor.of(a, 1, heads, T, T);
    }

    @Test
    void handBuiltHeadsScoreAsTheirKind() {
        Tensor p = patterns();
        // At query 1 the previous token is the first token: each of those two heads scores 1/7 on the other's score.
        assertArrayEquals(new double[] {1, 1.0 / 7, 0, uniformMean(1, T, q -> 1)}, HeadScores.previousToken(p), 1e-6);
        assertArrayEquals(new double[] {1.0 / 7, 1, 0, uniformMean(1, T, q -> 1)}, HeadScores.firstToken(p), 1e-6);
        // The induction head at q in the second copy attends to q - n + 1: for n = 4 that is never q - 1
        // nor 0, so it scores 0 as a previous-token or first-token head, and 1 as an induction head.
        double[] ind = HeadScores.induction(p);
        assertEquals(0, ind[0], 1e-9, "a previous-token head is not an induction head when n > 2");
        assertEquals(0, ind[1], 1e-9);
        assertEquals(1, ind[2], 1e-9);
        assertEquals(uniformMean(T / 2, T, q -> 1), ind[3], 1e-6);
    }

    private interface Weight {
        double of(int q);
    }

    // mean over q in [from, to) of w(q) / (q + 1): a uniform head's score at one column per query
    private static double uniformMean(int from, int to, Weight w) {
        double s = 0;
        for (int q = from; q < to; q++) s += w.of(q) / (q + 1);
        return s / (to - from);
    }

    @Test
    void inductionWithVaryingCopiesFollowsEachSequence() {
        // Two sequences of T = 8: copies of 3 with the second at 5, copies of 2 with the second at 2.
        int t = 8;
        float[] a = new float[2 * t * t];
        int[][] layout = {{5, 3}, {2, 2}};
        for (int b = 0; b < 2; b++) {
            int s = layout[b][0], n = layout[b][1];
            for (int q = 0; q < t; q++) a[(b * t + q) * t + (q >= s && q < s + n ? q - n + 1 : q)] = 1f;
        }
        Tensor p = Tensor.of(a, 2, 1, t, t);
        assertEquals(1.0, HeadScores.induction(p, new int[] {5, 2}, new int[] {3, 2})[0], 1e-12);
        // The same head read with the other sequence's layout finds nothing there.
        assertEquals(0.0, HeadScores.induction(p, new int[] {2, 5}, new int[] {2, 3})[0], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> HeadScores.induction(p, new int[] {1, 2}, new int[] {3, 2}));
    }

    @Test
    void badPatternsAreRefusedWithTheirShape() {
        var e = assertThrows(IllegalArgumentException.class, () -> HeadScores.previousToken(Tensor.zeros(1, 2, 3, 4)));
        assertTrue(e.getMessage().contains("[1, 2, 3, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HeadScores.induction(Tensor.zeros(1, 1, 5, 5)));
    }

    @Test
    void reportOfAnUntrainedModelIsComplete() {
        GPT g = new GPT(new GPTConfig(2, 3, 24, 16, 10, true, 0f), 3);
        Batch held = new InductionTask(10).sample(4, 16, new SplittableRandom(1));
        InductionTask.Layout rep = HeadScores.probe(10, 4, 16, 2);
        HeadScores.Report r = HeadScores.compute(g, held, rep);
        assertEquals(6, r.heads().size());
        assertTrue(g.isTraining(), "the model's mode is restored");
        for (HeadScores.Head h : r.heads()) {
            for (String n : HeadScores.NAMES) assertTrue(Double.isFinite(h.score(n)), n);
            // An untrained head attends nearly uniformly: far below a real induction head.
            assertTrue(h.induction() < 0.2, "untrained induction score " + h.induction());
        }
        double[][] grid = r.grid("induction");
        assertEquals(r.heads().get(4).induction(), grid[1][1]);
        assertTrue(r.sortedBy("ablation").get(0).ablation() >= r.sortedBy("ablation").get(5).ablation());
        // The progress callback counts every head once, in order, and does not change the scores.
        java.util.List<Integer> done = new java.util.ArrayList<>();
        HeadScores.Report again = HeadScores.compute(g, held, rep, done::add);
        assertEquals(java.util.List.of(1, 2, 3, 4, 5, 6), done);
        assertEquals(r.heads(), again.heads());
    }

    @Test
    void ablatingAHeadTheModelLacksNamesItAndTheModelsRanges() {
        GPT g = new GPT(new GPTConfig(2, 3, 24, 16, 10, true, 0f), 3);
        Batch held = new InductionTask(10).sample(2, 16, new SplittableRandom(1));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> HeadScores.ablatedLoss(g, held, java.util.List.of(new int[] {1, 2}, new int[] {2, 0}), true)).getMessage();
        assertEquals("ablation: head 2.0: no such head; the model has layers 0..1 and heads 0..2 in each", msg);
        assertEquals("no such head; the model has layers 0..1 and heads 0..2 in each", HeadScores.missingHead(g.config(), 0, -1));
        assertEquals(null, HeadScores.missingHead(g.config(), 1, 2));
        assertTrue(g.isTraining(), "the model's mode is restored");
        assertTrue(Double.isFinite(HeadScores.ablatedLoss(g, held, java.util.List.of(new int[] {1, 2}), true)));
        // Checked before the clean pass runs: no data is even looked at (null would fail in the forward).
        assertThrows(IllegalArgumentException.class, () -> HeadScores.ablatedLoss(g, null, java.util.List.of(new int[] {2, 0}), true));
    }

    @Test
    void theLastLensStreamIsTheModelsOwnPrediction() {
        GPT g = new GPT(new GPTConfig(2, 2, 16, 12, 9, true, 0f), 4);
        int[] ids = {1, 5, 2, 8, 0, 3, 3};
        LogitLens.Result r = LogitLens.compute(g, ids, 4, id -> "t" + id);
        assertEquals(3, r.streams().size());
        assertEquals("blocks.0.hook_resid_pre", r.streams().get(0).name());
        assertEquals("blocks.1.hook_resid_post", r.streams().get(2).name());
        float[] probs;
        try (Grad x = Grad.disabled()) {
            g.eval();
            probs = g.forward(ids, 1, ids.length).softmax(-1).toArray();
        }
        for (int i = 0; i < ids.length; i++) {
            LogitLens.Cell c = r.streams().get(2).cells().get(i);
            assertEquals(4, c.top().size());
            if (i + 1 < ids.length) assertEquals(probs[i * 9 + ids[i + 1]], c.actualProbability(), 1e-6);
            else assertTrue(Double.isNaN(c.actualProbability()));
            for (int k = 0; k < 4; k++) {
                LogitLens.Candidate cand = c.top().get(k);
                assertEquals(probs[i * 9 + cand.id()], cand.probability(), 1e-6);
                assertEquals("t" + cand.id(), cand.piece());
                if (k > 0) assertTrue(cand.probability() <= c.top().get(k - 1).probability());
            }
            for (int v = 0; v < 9; v++) assertTrue(probs[i * 9 + v] <= c.top().get(0).probability() + 1e-7);
        }
    }

    @Test
    void topKOrdersAndBreaksTiesByLowerId() {
        float[] p = {0.1f, 0.4f, 0.1f, 0.3f, 0.1f};
        assertArrayEquals(new int[] {1, 3, 0}, LogitLens.topK(p, 0, 5, 3));
        assertArrayEquals(new int[] {1, 3, 0, 2, 4}, LogitLens.topK(p, 0, 5, 9));
        assertArrayEquals(new int[] {1}, LogitLens.topK(p, 2, 3, 1), "ids count from the offset");
    }
}
