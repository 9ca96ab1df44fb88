package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Gemm against its scalar twin over random shapes, layouts and scalars. */
class GemmProperties {

    /** One random call: sizes, flags, padding of leading dimensions, offsets, scalars, data seed. */
    record Case(int m, int n, int k, boolean transA, boolean transB, int padA, int padB, int padC,
                int offA, int offB, int offC, float alpha, float beta, long seed) {}

    /** Sizes biased to 1, primes, and lengths around multiples of 8/16 and of the tile (6 rows). */
    static Arbitrary<Integer> size() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(23, 24, 25, 31, 32, 33, 47, 48, 49, 64, 65, 97)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(127, 130, 191, 257, 263, 300)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 300)));
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> pad = Arbitraries.of(0, 0, 1, 3, 8);
        Arbitrary<Integer> off = Arbitraries.of(0, 0, 1, 5, 17);
        Arbitrary<Float> alpha = Arbitraries.of(1f, 1f, -0.5f, 2.5f, 0f);
        Arbitrary<Float> beta = Arbitraries.of(0f, 0f, 1f, 0.75f, -2f);
        Arbitrary<Boolean> bool = Arbitraries.of(false, true);
        return Combinators.combine(size(), size(), size(), bool, bool, pad, pad, pad)
                .flatAs((m, n, k, ta, tb, pa, pb, pcc) ->
                        Combinators.combine(off, off, off, alpha, beta, Arbitraries.longs())
                                .as((oa, ob, oc, al, be, s) -> new Case(m, n, k, ta, tb, pa, pb, pcc, oa, ob, oc, al, be, s)));
    }

    @Property(tries = 150, seed = "20240601")
    void matchesScalarTwin(@ForAll("cases") Case t) {
        check(t);
    }

    @Property(tries = 40, seed = "7")
    void matchesScalarTwinOnSmallSizes(@ForAll("smallCases") Case t) {
        check(t);
    }

    @Provide
    Arbitrary<Case> smallCases() {
        Arbitrary<Integer> s = Arbitraries.integers().between(1, 40);
        Arbitrary<Boolean> bool = Arbitraries.of(false, true);
        return Combinators.combine(s, s, s, bool, bool, Arbitraries.longs())
                .as((m, n, k, ta, tb, seed) -> new Case(m, n, k, ta, tb, 1, 2, 3, 1, 2, 3, 1.5f, 0.5f, seed));
    }

    /**
     * sgemmBias against the scalar twin run on C pre-filled with the bias rows (beta = 1): the
     * same bound as {@link #check}, with |bias| in place of |beta c|; outside the window nothing
     * changes.
     */
    @Property(tries = 80, seed = "31")
    void biasVariantMatchesScalarTwin(@ForAll("cases") Case t) {
        Layout l = new Layout(t);
        Random rnd = new Random(t.seed());
        float[] a = fill(rnd, l.aLen), b = fill(rnd, l.bLen), c0 = fill(rnd, l.cLen), bias = fill(rnd, t.n() + 2);
        float[] expected = c0.clone(), actual = c0.clone();
        for (int i = 0; i < t.m(); i++) System.arraycopy(bias, 2, expected, t.offC() + i * l.ldc, t.n());
        GemmScalar.sgemm(t.transA(), t.transB(), t.m(), t.n(), t.k(), 1f, a, t.offA(), l.lda, b, t.offB(), l.ldb,
                1f, expected, t.offC(), l.ldc);
        Gemm.sgemmBias(t.transA(), t.transB(), t.m(), t.n(), t.k(), a, t.offA(), l.lda, b, t.offB(), l.ldb,
                bias, 2, actual, t.offC(), l.ldc);
        for (int x = 0; x < l.cLen; x++) {
            int rel = x - t.offC();
            int i = rel < 0 ? -1 : rel / l.ldc, j = rel < 0 ? -1 : rel % l.ldc;
            if (!(rel >= 0 && i < t.m() && j < t.n())) {
                assertEquals(c0[x], actual[x], 0f, "element outside C changed at " + x + " in " + t);
                continue;
            }
            double absSum = 0;
            for (int p = 0; p < t.k(); p++) absSum += Math.abs(l.opA(a, i, p) * (double) l.opB(b, p, j));
            double tol = 2.0 * (t.k() + 2) * 0x1p-24 * (absSum + Math.abs(bias[2 + j])) + 1e-30;
            if (!(Math.abs(expected[x] - actual[x]) <= tol)) {
                fail("C[" + i + "," + j + "]: sgemmBias " + actual[x] + " vs scalar " + expected[x] + " (tol " + tol + ") in " + t);
            }
        }
    }

    /**
     * A {@link Gemm.Plan}'s tiles, run in a random order, give exactly sgemm's bits (which
     * {@link #check} holds to the scalar twin), whatever the tile count asked for; outside the
     * window nothing changes. Cases the plan does not take (alpha 0) are skipped.
     */
    @Property(tries = 120, seed = "2020")
    void planTilesInAnyOrderEqualSgemmBitForBit(@ForAll("cases") Case t, @ForAll("tileCounts") int minTiles) {
        if (!Gemm.fitsPlan(t.m(), t.n(), t.k(), t.alpha())) return;
        Layout l = new Layout(t);
        Random rnd = new Random(t.seed());
        float[] a = fill(rnd, l.aLen), b = fill(rnd, l.bLen), c0 = fill(rnd, l.cLen);
        float[] expected = c0.clone(), actual = c0.clone();
        Gemm.sgemm(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a, t.offA(), l.lda, b, t.offB(), l.ldb,
                t.beta(), expected, t.offC(), l.ldc);
        float[] pack = new float[Gemm.planBuffer(t.n(), t.k())];
        Gemm.Plan plan = Gemm.plan(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a, t.offA(), l.lda, b, t.offB(),
                l.ldb, t.beta(), actual, t.offC(), l.ldc, pack, minTiles);
        java.util.List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < plan.tiles(); i++) order.add(i);
        java.util.Collections.shuffle(order, rnd);
        for (int i : order) plan.tile(i);
        assertBitwiseEqual(expected, actual, "plan of " + t + " with " + minTiles + " tiles");
    }

    /**
     * A thread keeps its packed rows of op(A) between consecutive tiles of one row block. Tiles of
     * two plans taken in turn, with an unrelated product between them that packs into the same
     * thread's buffer, must still give each plan exactly {@code sgemm}'s bits: the kept rows are
     * never another product's or another plan's.
     */
    @Property(tries = 60, seed = "2021")
    void planTilesStayExactWhenOtherProductsAndPlansRunBetweenThem(@ForAll("cases") Case t, @ForAll("tileCounts") int minTiles) {
        if (!Gemm.fitsPlan(t.m(), t.n(), t.k(), t.alpha())) return;
        Layout l = new Layout(t);
        Random rnd = new Random(t.seed());
        float[] a1 = fill(rnd, l.aLen), a2 = fill(rnd, l.aLen), b = fill(rnd, l.bLen), c0 = fill(rnd, l.cLen);
        float[] want1 = c0.clone(), want2 = c0.clone(), got1 = c0.clone(), got2 = c0.clone();
        Gemm.sgemm(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a1, t.offA(), l.lda, b, t.offB(), l.ldb,
                t.beta(), want1, t.offC(), l.ldc);
        Gemm.sgemm(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a2, t.offA(), l.lda, b, t.offB(), l.ldb,
                t.beta(), want2, t.offC(), l.ldc);
        Gemm.Plan p1 = Gemm.plan(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a1, t.offA(), l.lda, b, t.offB(),
                l.ldb, t.beta(), got1, t.offC(), l.ldc, new float[Gemm.planBuffer(t.n(), t.k())], minTiles);
        Gemm.Plan p2 = Gemm.plan(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a2, t.offA(), l.lda, b, t.offB(),
                l.ldb, t.beta(), got2, t.offC(), l.ldc, new float[Gemm.planBuffer(t.n(), t.k())], minTiles);
        float[] other = fill(rnd, 40 * 40), otherC = new float[40 * 40];
        // The first plan's tiles in order (consecutive tiles of a row block reuse its packed rows),
        // now and then interrupted by a tile of the second plan or by another product.
        int next2 = 0;
        for (int i = 0; i < p1.tiles(); i++) {
            p1.tile(i);
            if (i % 3 == 1) Gemm.sgemm(false, false, 40, 40, 40, 1f, other, 0, 40, other, 0, 40, 0f, otherC, 0, 40);
            if (i % 2 == 1 && next2 < p2.tiles()) p2.tile(next2++);
        }
        while (next2 < p2.tiles()) p2.tile(next2++);
        assertBitwiseEqual(want1, got1, "first plan of " + t);
        assertBitwiseEqual(want2, got2, "second plan of " + t);
    }

    /**
     * {@code sgemmRowSums} leaves exactly sgemm's bits in C and adds to each row sum exactly what
     * the plain loop {@code s += op(A)[i][p]} (p ascending) adds; entries of the sums outside
     * {@code [rsOff, rsOff + m)} are not touched.
     */
    @Property(tries = 120, seed = "4040")
    void rowSumsVariantKeepsSgemmBitsAndSumsInOrder(@ForAll("cases") Case t) {
        Layout l = new Layout(t);
        Random rnd = new Random(t.seed());
        float[] a = fill(rnd, l.aLen), b = fill(rnd, l.bLen), c0 = fill(rnd, l.cLen);
        float[] sums0 = fill(rnd, t.m() + 5);
        checkRowSums(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a, t.offA(), l.lda, b, t.offB(), l.ldb,
                t.beta(), c0, t.offC(), l.ldc, sums0, 3, t.toString());
    }

    /** Deep and wide products (several k blocks, several n blocks, a partial row panel) at 1 and 2 threads. */
    @org.junit.jupiter.api.Test
    void rowSumsOverSeveralKAndNBlocksAtOneAndTwoThreads() {
        int defaultThreads = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int[] s : new int[][] {{200, 1100, 2100}, {37, 70, 3000}, {384, 64, 1500}}) {
                    for (boolean transA : new boolean[] {true, false}) {
                        int m = s[0], n = s[1], k = s[2], lda = transA ? m + 3 : k + 1;
                        Random rnd = new Random(m * 31L + k);
                        float[] a = fill(rnd, (transA ? k : m) * lda), b = fill(rnd, k * n), c0 = fill(rnd, m * n);
                        checkRowSums(transA, false, m, n, k, 1f, a, 0, lda, b, 0, n, 0f, c0, 0, n, fill(rnd, m + 5), 2,
                                threads + " threads, " + m + "x" + n + "x" + k + (transA ? " TN" : " NN"));
                    }
                }
            }
        } finally {
            Parallel.setThreads(defaultThreads);
        }
    }

    private static void checkRowSums(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
                                     float[] c0, int cOff, int ldc, float[] sums0, int rsOff, String what) {
        float[] expected = c0.clone(), actual = c0.clone(), wantSums = sums0.clone(), gotSums = sums0.clone();
        Gemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        for (int i = 0; i < m; i++) {
            float sum = wantSums[rsOff + i];
            for (int p = 0; p < k; p++) sum += transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            wantSums[rsOff + i] = sum;
        }
        Gemm.sgemmRowSums(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc,
                gotSums, rsOff);
        assertBitwiseEqual(expected, actual, "C of sgemmRowSums, " + what);
        assertBitwiseEqual(wantSums, gotSums, "row sums of sgemmRowSums, " + what);
    }

    /** Empty products still sum op(A): no columns (nothing to pack for) and no depth (nothing to add). */
    @org.junit.jupiter.api.Test
    void rowSumsOfProductsWithNoColumnsOrNoDepth() {
        Random rnd = new Random(9);
        float[] a = fill(rnd, 6 * 5), b = fill(rnd, 40), c = fill(rnd, 40);
        // n = 0, A stored transposed (k = 5 rows of m = 6): C untouched, the sums added in order of p.
        float[] sums = {1f, 2f, 3f, 4f, 5f, 6f}, want = sums.clone(), c0 = c.clone();
        for (int i = 0; i < 6; i++) for (int p = 0; p < 5; p++) want[i] += a[p * 6 + i];
        Gemm.sgemmRowSums(true, false, 6, 0, 5, 1f, a, 0, 6, b, 0, 1, 0f, c, 0, 1, sums, 0);
        assertBitwiseEqual(want, sums, "row sums with n = 0");
        assertBitwiseEqual(c0, c, "C with n = 0");
        // k = 0: nothing to add; C scaled by beta as sgemm does.
        float[] kept = sums.clone(), expected = c.clone();
        Gemm.sgemm(false, false, 6, 4, 0, 1f, a, 0, 1, b, 0, 4, 0.5f, expected, 0, 4);
        Gemm.sgemmRowSums(false, false, 6, 4, 0, 1f, a, 0, 1, b, 0, 4, 0.5f, c, 0, 4, sums, 0);
        assertBitwiseEqual(kept, sums, "row sums with k = 0");
        assertBitwiseEqual(expected, c, "C with k = 0");
    }

    @org.junit.jupiter.api.Test
    void rowSumsRefuseAShortOrMissingArray() {
        float[] x = new float[64];
        var shortSums = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemmRowSums(true, false, 8, 4, 4, 1f, x, 0, 8, x, 0, 4, 0f, x, 0, 4, new float[9], 2));
        org.junit.jupiter.api.Assertions.assertTrue(shortSums.getMessage().contains("sgemmRowSums")
                && shortSums.getMessage().contains("rowSums"), shortSums.getMessage());
        var none = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemmRowSums(true, false, 8, 4, 4, 1f, x, 0, 8, x, 0, 4, 0f, x, 0, 4, null, 0));
        org.junit.jupiter.api.Assertions.assertTrue(none.getMessage().contains("rowSums is null"), none.getMessage());
    }

    @Provide
    Arbitrary<Integer> tileCounts() {
        return Arbitraries.of(1, 2, 4, 8, 13, 64);
    }

    @org.junit.jupiter.api.Test
    void planRefusesShapesItDoesNotTakeAndSmallPackBuffers() {
        float[] x = new float[4096];
        var deep = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Gemm.plan(false, false, 1, 1, 2000, 1f, x, 0, 2000, x, 0, 1, 0f, x, 0, 1, x, 1));
        org.junit.jupiter.api.Assertions.assertTrue(deep.getMessage().startsWith("plan(m=1, n=1, k=2000"), deep.getMessage());
        var small = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Gemm.plan(false, false, 8, 8, 8, 1f, x, 0, 8, x, 0, 8, 0f, x, 0, 8, new float[10], 1));
        org.junit.jupiter.api.Assertions.assertTrue(small.getMessage().contains("packBuffer"), small.getMessage());
    }

    /** Runs one case through both kernels and compares element-wise within the rounding bound. */
    static void check(Case t) {
        Layout l = new Layout(t);
        Random rnd = new Random(t.seed());
        float[] a = fill(rnd, l.aLen);
        float[] b = fill(rnd, l.bLen);
        float[] c0 = fill(rnd, l.cLen);
        float[] expected = c0.clone();
        float[] actual = c0.clone();
        GemmScalar.sgemm(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a, t.offA(), l.lda, b, t.offB(), l.ldb,
                t.beta(), expected, t.offC(), l.ldc);
        Gemm.sgemm(t.transA(), t.transB(), t.m(), t.n(), t.k(), t.alpha(), a, t.offA(), l.lda, b, t.offB(), l.ldb,
                t.beta(), actual, t.offC(), l.ldc);
        for (int x = 0; x < l.cLen; x++) {
            int idx = x;
            int rel = idx - t.offC();
            int i = rel < 0 ? -1 : rel / l.ldc;
            int j = rel < 0 ? -1 : rel % l.ldc;
            boolean inside = rel >= 0 && i < t.m() && j < t.n();
            if (!inside) {
                // Outside the m x n window nothing may change, not even by rounding.
                assertEquals(c0[idx], actual[idx], 0f, () -> "element outside C changed at " + idx + " in " + t);
                continue;
            }
            double absSum = 0;
            for (int p = 0; p < t.k(); p++) {
                absSum += Math.abs(l.opA(a, i, p) * (double) l.opB(b, p, j));
            }
            // Both results are within (k+2)*u*(|alpha|*sum|a||b| + |beta*c|) of the exact value
            // (the recursive-summation bound, u = 2^-24, +2 for the alpha and beta roundings), so
            // within twice that of each other. This worst-case bound (rather than the sqrt(k)
            // typical-case one) cannot fail by chance, yet an indexing error, which is of the
            // order of one term, ~sum/k, is still hundreds of times larger at k = 300.
            double scale = Math.abs(t.alpha()) * absSum + Math.abs(t.beta() * c0[idx]);
            double tol = 2.0 * (t.k() + 2) * 0x1p-24 * scale + 1e-30;
            float e = expected[idx];
            float g = actual[idx];
            if (!(Math.abs(e - g) <= tol)) {
                fail("C[" + i + "," + j + "]: Gemm " + g + " vs scalar " + e + " (tol " + tol + ") in " + t);
            }
        }
    }

    static float[] fill(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** Leading dimensions and array lengths of a case. */
    static final class Layout {
        final Case t;
        final int lda;
        final int ldb;
        final int ldc;
        final int aLen;
        final int bLen;
        final int cLen;

        Layout(Case t) {
            this.t = t;
            int aRows = t.transA() ? t.k() : t.m();
            int aCols = t.transA() ? t.m() : t.k();
            int bRows = t.transB() ? t.n() : t.k();
            int bCols = t.transB() ? t.k() : t.n();
            lda = aCols + t.padA();
            ldb = bCols + t.padB();
            ldc = t.n() + t.padC();
            aLen = t.offA() + aRows * lda + 3;
            bLen = t.offB() + bRows * ldb + 3;
            cLen = t.offC() + t.m() * ldc + 3;
        }

        float opA(float[] a, int i, int p) {
            return t.transA() ? a[t.offA() + p * lda + i] : a[t.offA() + i * lda + p];
        }

        float opB(float[] b, int p, int j) {
            return t.transB() ? b[t.offB() + j * ldb + p] : b[t.offB() + p * ldb + j];
        }
    }

    static void assertBitwiseEqual(float[] x, float[] y, String what) {
        assertEquals(x.length, y.length);
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                fail(what + ": differs at " + i + ": " + x[i] + " vs " + y[i]);
            }
        }
    }
}
