package dev.vecgrad.autograd;

import static dev.vecgrad.testing.TensorArbitraries.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Algebraic identities between ops, and the fused ops against their composite twins. */
class AlgebraTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape();
    }

    @Provide
    Arbitrary<int[]> nonScalarShapes() {
        return TensorArbitraries.shape(1, 4);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), "element " + i + " of " + e.length);
        }
    }

    @Property(tries = 40, seed = "701")
    void softmaxSumsToOneAlongItsDim(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        Tensor x = values(r, Values.ANY, shape).mul(5f);
        Tensor s = x.softmax(d);
        for (float v : s.toArray()) assertEquals(true, v > 0 && v <= 1, "softmax value " + v);
        Tensor sums = s.sum(d, false);
        assertClose(Tensor.ones(sums.shape()), sums, 1e-5);
    }

    @Property(tries = 40, seed = "702")
    void logSoftmaxIsLogOfSoftmax(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        Tensor x = values(r, Values.ANY, shape);
        assertClose(x.softmax(d).log(), x.logSoftmax(d), 1e-5);
    }

    @Property(tries = 40, seed = "703")
    void transposeTwiceAndInversePermuteAreIdentities(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int a = TensorArbitraries.dim(r, shape.length), b = TensorArbitraries.dim(r, shape.length);
        Tensor x = values(r, Values.ANY, shape);
        assertClose(x, x.transpose(a, b).transpose(a, b), 0);
        int[] perm = ViewGradTest.randomPermutation(r, shape.length), inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inverse[perm[i]] = i;
        assertClose(x, x.permute(perm).contiguous().permute(inverse), 0);
    }

    @Property(tries = 40, seed = "704")
    void reshapeRoundTrip(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = values(r, Values.ANY, shape);
        int[] to = ViewGradTest.regroup(r, x.numel());
        Tensor y = x.reshape(to);
        assertArrayEquals(x.toArray(), y.toArray(), 0f);
        assertClose(x, y.reshape(shape), 0);
    }

    @Provide
    Arbitrary<Integer> dims() {
        return Arbitraries.of(1, 2, 3, 5, 9);
    }

    @Property(tries = 40, seed = "705")
    void batchedMatmulEqualsANaiveLoop(@ForAll("dims") int m, @ForAll("dims") int k, @ForAll("dims") int n,
                                       @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] full = new int[r.nextInt(3)];
        for (int i = 0; i < full.length; i++) full[i] = 1 + r.nextInt(3);
        int[][] batches = TensorArbitraries.broadcastPair(full, r);
        var oa = new MatmulGradTest.Operand(batches[0], m, k, r.nextBoolean(), batches[0].length >= 2 && r.nextBoolean());
        var ob = new MatmulGradTest.Operand(batches[1], k, n, r.nextBoolean(), batches[1].length >= 2 && r.nextBoolean());
        Tensor a = oa.view(values(r, Values.ANY, oa.leafShape()));
        Tensor b = ob.view(values(r, Values.ANY, ob.leafShape()));
        Tensor c = a.matmul(b);
        int[] batch = Shapes.broadcast("test", batches[0], batches[1]);
        int[] cs = java.util.Arrays.copyOf(batch, batch.length + 2);
        cs[batch.length] = m;
        cs[batch.length + 1] = n;
        assertArrayEquals(cs, c.shape());
        Tensor ae = a.expand(withMatrix(batch, m, k)), be = b.expand(withMatrix(batch, k, n));
        int nb = Shapes.numel(batch);
        int[] idx = new int[batch.length + 2];
        for (int bi = 0; bi < nb; bi++) {
            for (int rem = bi, d = batch.length - 1; d >= 0; d--) {
                idx[d] = rem % batch[d];
                rem /= batch[d];
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double) get(ae, idx, i, p) * get(be, idx, p, j);
                    assertEquals(s, get(c, idx, i, j), 1e-5 * Math.max(1, Math.abs(s)));
                }
            }
        }
    }

    private static int[] withMatrix(int[] batch, int rows, int cols) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }

    private static float get(Tensor t, int[] idx, int i, int j) {
        idx[idx.length - 2] = i;
        idx[idx.length - 1] = j;
        return t.get(idx);
    }

    @Property(tries = 40, seed = "706")
    void broadcastingEqualsAnExplicitExpand(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] s = TensorArbitraries.broadcastPair(shape, r);
        Tensor a = values(r, Values.ANY, s[0]), b = values(r, Values.POSITIVE, s[1]);
        int[] out = Shapes.broadcast("test", s[0], s[1]);
        Tensor ae = a.expand(out).contiguous(), be = b.expand(out).contiguous();
        assertClose(ae.add(be), a.add(b), 0);
        assertClose(ae.sub(be), a.sub(b), 0);
        assertClose(ae.mul(be), a.mul(b), 0);
        assertClose(ae.div(be), a.div(b), 0);
    }

    @Property(tries = 40, seed = "707")
    void catThenSplitRoundTrips(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = r.nextInt(shape.length);
        int n = 1 + r.nextInt(3);
        Tensor[] parts = new Tensor[n];
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            int[] s = shape.clone();
            s[d] = sizes[i] = r.nextInt(4);
            parts[i] = values(r, Values.ANY, s);
        }
        Tensor joined = Tensor.cat(d, parts);
        Tensor[] back = joined.split(sizes, d);
        assertEquals(n, back.length);
        for (int i = 0; i < n; i++) assertClose(parts[i], back[i], 0);
        assertClose(joined, Tensor.cat(d, back), 0);
    }

    @Property(tries = 40, seed = "708")
    void sumOverADimThenTheRestIsTheTotal(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean keepDim) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        Tensor x = values(r, Values.ANY, shape);
        // Different summation orders: allow float rounding relative to the magnitudes summed.
        double sumAbs = 0;
        for (float v : x.toArray()) sumAbs += Math.abs(v);
        assertEquals(x.sum().item(), x.sum(d, keepDim).sum().item(), 1e-5 * (1 + sumAbs));
        assertEquals(x.sum().item() / Math.max(1, x.numel()), x.mean().item(), 1e-5);
    }

    @Property(tries = 40, seed = "709")
    void crossEntropyMatchesItsCompositeTwin(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int c = shape[shape.length - 1], rows = Shapes.numel(shape) / c;
        int[] targets = new int[rows], kept = new int[rows];
        int count = 0;
        for (int i = 0; i < rows; i++) {
            targets[i] = i > 0 && r.nextInt(4) == 0 ? -100 : r.nextInt(c);
            if (targets[i] != -100) kept[count++] = i;
        }
        int[] keptRows = java.util.Arrays.copyOf(kept, count);
        int[] keptTargets = new int[count];
        for (int i = 0; i < count; i++) keptTargets[i] = targets[keptRows[i]];
        Tensor x1 = values(r, Values.ANY, shape).mul(3f).detach().requiresGrad(true);
        Tensor x2 = Tensor.of(x1.toArray(), shape).requiresGrad(true);
        Tensor fused = x1.crossEntropy(targets);
        // -mean(logSoftmax(x)[row, target]) over the rows that are not ignored.
        Tensor composite = x2.reshape(rows, c).indexSelect(0, keptRows).logSoftmax(-1)
                .gather(1, keptTargets, count, 1).mean().neg();
        assertEquals(composite.item(), fused.item(), 1e-5 * Math.max(1, Math.abs(composite.item())));
        fused.backward();
        composite.backward();
        assertClose(x2.grad(), x1.grad(), 1e-5);
    }

    @Property(tries = 40, seed = "710")
    void layerNormMatchesItsCompositeTwin(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int c = shape[shape.length - 1];
        float eps = 1e-5f;
        // Rows of nearly equal values would make 1/std huge and both sides' rounding diverge: keep them apart.
        Tensor x1 = TensorArbitraries.distinct(r, 0.3f, shape).requiresGrad(true), x2 = Tensor.of(x1.toArray(), shape).requiresGrad(true);
        Tensor w1 = values(r, Values.ANY, c).requiresGrad(true), w2 = Tensor.of(w1.toArray(), c).requiresGrad(true);
        Tensor b1 = values(r, Values.ANY, c).requiresGrad(true), b2 = Tensor.of(b1.toArray(), c).requiresGrad(true);
        Tensor fused = x1.layerNorm(w1, b1, eps);
        Tensor centred = x2.sub(x2.mean(-1, true));
        Tensor composite = centred.div(centred.mul(centred).mean(-1, true).add(eps).sqrt()).mul(w2).add(b2);
        assertClose(composite, fused, 1e-4);
        Tensor g = values(r, Values.ANY, shape);
        fused.backward(g);
        composite.backward(g);
        assertClose(x2.grad(), x1.grad(), 2e-3);
        assertClose(w2.grad(), w1.grad(), 1e-4);
        assertClose(b2.grad(), b1.grad(), 1e-5);
    }
}
