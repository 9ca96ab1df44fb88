package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The fused attention op against its composite twin built from primitive ops, forward and backward. */
class AttentionTest {

    static Tensor composite(Tensor q, Tensor k, Tensor v) {
        int t = q.size(2), hs = q.size(3);
        float[] m = new float[t * t];
        for (int r = 0; r < t; r++) for (int c = r + 1; c < t; c++) m[r * t + c] = 1f;
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul((float) (1.0 / Math.sqrt(hs)));
        return scores.maskedFill(Tensor.of(m, t, t), Float.NEGATIVE_INFINITY).softmax(-1).matmul(v);
    }

    @Property(tries = 40, seed = "11")
    void fusedEqualsComposite(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 1, max = 3) int h,
                              @ForAll @IntRange(min = 1, max = 17) int t, @ForAll @IntRange(min = 1, max = 9) int hs) {
        long seed = b * 1000L + h * 100L + t * 10L + hs;
        Tensor[] fused = inputs(seed, b, h, t, hs), twin = inputs(seed, b, h, t, hs);
        Tensor upstream = Tensor.randn(new SplittableRandom(seed + 7), b, h, t, hs);
        Tensor yf = Attention.causal(fused[0], fused[1], fused[2]);
        Tensor yc = composite(twin[0], twin[1], twin[2]);
        assertArrayEquals(yc.toArray(), yf.toArray(), 1e-5f);
        yf.backward(upstream);
        yc.backward(upstream);
        for (int i = 0; i < 3; i++) assertArrayEquals(twin[i].grad().toArray(), fused[i].grad().toArray(), 2e-5f, "grad " + i);
    }

    /** qkv [B, T, 3C] -> heads [B, H, T, hs] of part {@code which} (0 = q, 1 = k, 2 = v). */
    private static Tensor heads(Tensor qkv, int which, int h) {
        int b = qkv.size(0), t = qkv.size(1), c = qkv.size(2) / 3;
        return qkv.narrow(2, which * c, c).reshape(b, t, h, c / h).transpose(1, 2);
    }

    @Property(tries = 40, seed = "13")
    void packedEqualsSplitHeads(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 1, max = 3) int h,
                                @ForAll @IntRange(min = 1, max = 17) int t, @ForAll @IntRange(min = 1, max = 9) int hs) {
        long seed = b * 1000L + h * 100L + t * 10L + hs;
        int c = h * hs;
        Tensor packed = Tensor.randn(new SplittableRandom(seed), b, t, 3 * c).requiresGrad(true);
        Tensor split = Tensor.randn(new SplittableRandom(seed), b, t, 3 * c).requiresGrad(true);
        Tensor upstream = Tensor.randn(new SplittableRandom(seed + 7), b, t, c);
        Attention a = Attention.causalPacked(packed, h);
        Tensor yp = a.output();
        Tensor ys = Attention.causal(heads(split, 0, h), heads(split, 1, h), heads(split, 2, h)).transpose(1, 2).reshape(b, t, c);
        assertArrayEquals(ys.toArray(), yp.toArray(), 1e-6f);
        yp.backward(upstream);
        ys.backward(upstream);
        assertArrayEquals(split.grad().toArray(), packed.grad().toArray(), 1e-5f);
        assertArrayEquals(new int[] {b, h, t, t}, a.weights().shape());
    }

    @Property(tries = 25, seed = "14")
    @Covers("attention")
    void packedGradCheck(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 2) int h,
                         @ForAll @IntRange(min = 1, max = 5) int t, @ForAll @IntRange(min = 1, max = 3) int hs) {
        Tensor qkv = Tensor.randn(new SplittableRandom(b * 97L + h * 13L + t * 5L + hs), b, t, 3 * h * hs).requiresGrad(true);
        GradCheck.check(x -> Attention.causalPacked(x[0], h).output(), qkv).assertOk();
    }

    @Property(tries = 40, seed = "15")
    void packedDropoutEqualsDropoutOnTheWeights(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 1, max = 3) int h,
                                               @ForAll @IntRange(min = 1, max = 17) int t, @ForAll @IntRange(min = 1, max = 9) int hs,
                                               @ForAll @IntRange(min = 0, max = 4) int tenths) {
        long seed = b * 1000L + h * 100L + t * 10L + hs;
        float p = tenths / 5f;     // 0, 0.2, ..., 0.8
        int c = h * hs;
        Tensor packed = Tensor.randn(new SplittableRandom(seed), b, t, 3 * c).requiresGrad(true);
        Tensor split = Tensor.randn(new SplittableRandom(seed), b, t, 3 * c).requiresGrad(true);
        Tensor upstream = Tensor.randn(new SplittableRandom(seed + 7), b, t, c);
        Attention a = Attention.causalPacked(packed, h, p, new SplittableRandom(seed));
        Tensor[] parts = {heads(split, 0, h), heads(split, 1, h), heads(split, 2, h)};
        int hsz = parts[0].size(3);
        float[] m = new float[t * t];
        for (int r = 0; r < t; r++) for (int col = r + 1; col < t; col++) m[r * t + col] = 1f;
        Tensor weights = parts[0].matmul(parts[1].transpose(-2, -1)).mul((float) (1.0 / Math.sqrt(hsz)))
                .maskedFill(Tensor.of(m, t, t), Float.NEGATIVE_INFINITY).softmax(-1);
        Tensor ys = weights.dropout(p, true, new SplittableRandom(seed)).matmul(parts[2]).transpose(1, 2).reshape(b, t, c);
        assertArrayEquals(weights.toArray(), a.weights().toArray(), 1e-6f, "weights are taken before dropout");
        assertArrayEquals(ys.toArray(), a.output().toArray(), 1e-5f, () -> "b=" + b + " h=" + h + " t=" + t + " hs=" + hs + " p=" + p);
        a.output().backward(upstream);
        ys.backward(upstream);
        assertArrayEquals(split.grad().toArray(), packed.grad().toArray(), 5e-5f);
    }

    /** Longer sequences: several 64-row blocks, the diagonal block cut at tails (1, primes). */
    @Property(tries = 12, seed = "17")
    void packedBlocksMatchTheSplitHeadsOnLongSequences(@ForAll("longT") int t, @ForAll @IntRange(min = 0, max = 2) int tenths) {
        packedDropoutEqualsDropoutOnTheWeights(2, 2, t, 5, tenths);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> longT() {
        return net.jqwik.api.Arbitraries.of(63, 64, 65, 127, 129, 131, 200);
    }

    @Property(tries = 25, seed = "16")
    @Covers("attention")
    void packedDropoutGradCheck(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 2) int h,
                                @ForAll @IntRange(min = 1, max = 5) int t, @ForAll @IntRange(min = 1, max = 3) int hs) {
        Tensor qkv = Tensor.randn(new SplittableRandom(b * 31L + h * 7L + t * 3L + hs), b, t, 3 * h * hs).requiresGrad(true);
        // A fresh generator per evaluation: every probe sees the same dropout mask.
        GradCheck.check(x -> Attention.causalPacked(x[0], h, 0.3f, new SplittableRandom(9)).output(), qkv).assertOk();
    }

    /** Decoding in two parts with a key/value cache gives the full causal attention's rows. */
    @Property(tries = 40, seed = "18")
    void cachedEqualsPackedRowByRow(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 1, max = 3) int h,
                                    @ForAll @IntRange(min = 1, max = 17) int t, @ForAll @IntRange(min = 1, max = 9) int hs,
                                    @ForAll @IntRange(min = 0, max = 17) int split) {
        int c = h * hs, p = Math.min(split, t), cap = t + 2;
        Tensor qkv = Tensor.randn(new SplittableRandom(b * 1000L + h * 100L + t * 10L + hs), b, t, 3 * c);
        Attention full = Attention.causalPacked(qkv, h);
        float[] keys = new float[b * h * cap * hs], values = new float[keys.length];
        float[] want = full.output().toArray();
        try (Grad g = Grad.disabled()) {
            int[][] parts = {{0, p}, {p, t - p}};
            for (int[] part : parts) {
                if (part[1] == 0) continue;
                Attention a = Attention.causalCached(qkv.narrow(1, part[0], part[1]), h, keys, values, cap, part[0]);
                float[] y = a.output().toArray();
                for (int bi = 0; bi < b; bi++) {
                    for (int i = 0; i < part[1] * c; i++) {
                        float w = want[(bi * t + part[0]) * c + i];
                        assertEquals(w, y[bi * part[1] * c + i], 2e-6f * Math.max(1f, Math.abs(w)));
                    }
                }
                assertArrayEquals(new int[] {b, h, part[1], part[0] + part[1]}, a.weights().shape());
                for (int bi = 0; bi < b; bi++) {
                    for (int hi = 0; hi < h; hi++) {
                        for (int r = 0; r < part[1]; r++) {
                            for (int j = 0; j < part[0] + part[1]; j++) {
                                assertEquals(full.weights().get(bi, hi, part[0] + r, j), a.weights().get(bi, hi, r, j), 2e-6f);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void cachedRefusesGradientsAndOverflow() {
        Tensor qkv = Tensor.zeros(1, 2, 6).requiresGrad(true);
        float[] kv = new float[1 * 2 * 3 * 1];
        assertThrows(IllegalStateException.class, () -> Attention.causalCached(qkv, 2, kv, kv.clone(), 3, 0));
        try (Grad g = Grad.disabled()) {
            var e = assertThrows(IllegalArgumentException.class, () -> Attention.causalCached(qkv, 2, kv, kv.clone(), 3, 2));
            assertEquals("attention (cached): 2 new tokens after 2 cached do not fit a cache of 3 positions x 1 sequences x 2 heads"
                    + " x 1 (key/value arrays of 6 and 6 floats, need 6)", e.getMessage());
        }
    }

    @Test
    void packedDropoutRejectsABadProbability() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Attention.causalPacked(Tensor.zeros(1, 2, 6), 2, 1.5f, new SplittableRandom(1)));
        assertEquals("attention: dropout probability must be in [0, 1], got 1.5", e.getMessage());
    }

    @Test
    void packedRejectsAWidthThatDoesNotSplit() {
        var e = assertThrows(IllegalArgumentException.class, () -> Attention.causalPacked(Tensor.zeros(1, 2, 10), 2));
        assertEquals("attention: qkv must be [B, T, 3C] with C >= 1 divisible by 2 heads, got [1, 2, 10]", e.getMessage());
    }

    /** A head of size 0 was refused by the GEMM inside, in its terms ("lda=0 is too small"). */
    @Test
    void aHeadOfSizeZeroIsRefusedAsSuch() {
        var e = assertThrows(IllegalArgumentException.class, () -> Attention.causal(Tensor.zeros(1, 2, 3, 0),
                Tensor.zeros(1, 2, 3, 0), Tensor.zeros(1, 2, 3, 0)));
        assertEquals("attention: head_size must be at least 1, got q [1, 2, 3, 0]", e.getMessage());
        var packed = assertThrows(IllegalArgumentException.class, () -> Attention.causalPacked(Tensor.zeros(1, 2, 0), 2));
        assertTrue(packed.getMessage().contains("C >= 1"), packed.getMessage());
    }

    private static Tensor[] inputs(long seed, int b, int h, int t, int hs) {
        return new Tensor[] {Tensor.randn(new SplittableRandom(seed), b, h, t, hs).requiresGrad(true), Tensor.randn(new SplittableRandom(seed + 1), b, h, t, hs).requiresGrad(true),
            Tensor.randn(new SplittableRandom(seed + 2), b, h, t, hs).requiresGrad(true)};
    }

    @Property(tries = 25, seed = "12")
    @Covers("attention")
    void gradCheck(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 2) int h,
                   @ForAll @IntRange(min = 1, max = 5) int t, @ForAll @IntRange(min = 1, max = 3) int hs) {
        Tensor[] in = inputs(b * 97L + h * 13L + t * 5L + hs, b, h, t, hs);
        GradCheck.check(x -> Attention.causal(x[0], x[1], x[2]), in).assertOk();
    }

    @Test
    void weightsAreCausalAndRowsSumToOne() {
        Tensor[] in = inputs(5, 1, 2, 6, 4);
        Tensor w = Attention.causalWithWeights(in[0], in[1], in[2]).weights();
        for (int h = 0; h < 2; h++) {
            for (int r = 0; r < 6; r++) {
                float s = 0;
                for (int c = 0; c < 6; c++) {
                    if (c > r) assertEquals(0f, w.get(0, h, r, c));
                    s += w.get(0, h, r, c);
                }
                assertEquals(1f, s, 1e-5f);
            }
        }
    }

    @Test
    void mismatchedShapesNameTheOp() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Attention.causal(Tensor.zeros(1, 2, 3, 4), Tensor.zeros(1, 2, 3, 5), Tensor.zeros(1, 2, 3, 4)));
        assertEquals(true, e.getMessage().startsWith("attention:") && e.getMessage().contains("[1, 2, 3, 5]"), e.getMessage());
    }
}
