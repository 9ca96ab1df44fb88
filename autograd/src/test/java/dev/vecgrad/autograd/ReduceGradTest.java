package dev.vecgrad.autograd;

import static dev.vecgrad.testing.GradAssertions.assertGradients;
import static dev.vecgrad.testing.TensorArbitraries.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Gradients of sum, mean and max, over all elements and over one dimension (keepDim both ways). */
class ReduceGradTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape();
    }

    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    @Property(tries = 40, seed = "201")
    @Covers("sum")
    void sumAll(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].sum(), param(new SplittableRandom(seed), Values.ANY, shape));
    }

    @Property(tries = 50, seed = "202")
    @Covers("sum")
    void sumDim(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean keepDim) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        assertGradients(in -> in[0].sum(d, keepDim), param(r, Values.ANY, shape));
    }

    @Property(tries = 30, seed = "203")
    @Covers("sum")
    void sumDimOfTransposedView(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean keepDim) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        int t = TensorArbitraries.dim(r, shape.length);
        assertGradients(in -> in[0].transpose(0 == shape.length ? 0 : t, d).sum(d, keepDim), param(r, Values.ANY, shape));
    }

    @Property(tries = 40, seed = "204")
    @Covers("mean")
    void meanAll(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].mean(), param(new SplittableRandom(seed), Values.ANY, shape));
    }

    @Property(tries = 40, seed = "205")
    @Covers("mean")
    void meanDim(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean keepDim) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        assertGradients(in -> in[0].mean(d, keepDim), param(r, Values.ANY, shape));
    }

    /**
     * mean is recorded as its own op, so that grad_fn says mean (as PyTorch's MeanBackward0 does)
     * rather than mul; it was sum().mul(1/n), and its values and gradients are still those bits.
     */
    @Property(tries = 40, seed = "207")
    void meanIsSumTimesTheReciprocalBitForBit(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean keepDim) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        Tensor x = param(r, Values.ANY, shape);
        int n = shape.length == 0 ? 1 : shape[Math.floorMod(d, shape.length)];
        for (boolean all : new boolean[] {true, false}) {
            Tensor a = x.detach().requiresGrad(true), b = x.detach().requiresGrad(true);
            Tensor mean = all ? a.mean() : a.mean(d, keepDim);
            Tensor ref = all ? b.sum().mul(1f / x.numel()) : b.sum(d, keepDim).mul(1f / n);
            assertTrue(mean.toString().endsWith("grad_fn=<mean>)"), mean.toString());
            assertArrayEquals(bits(ref), bits(mean));
            float[] up = new float[ref.numel()];
            for (int i = 0; i < up.length; i++) up[i] = (float) (r.nextDouble() * 2 - 1);
            mean.backward(Tensor.wrap(up.clone(), mean.shape()));
            ref.backward(Tensor.wrap(up.clone(), ref.shape()));
            assertArrayEquals(bits(b.grad()), bits(a.grad()));
        }
    }

    private static int[] bits(Tensor t) {
        float[] v = t.toArray();
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @Property(tries = 40, seed = "206")
    @Covers("max")
    void maxAll(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        // Distinct values 0.1 apart: the arg max cannot change within a finite-difference step.
        assertGradients(in -> in[0].max(), TensorArbitraries.distinct(new SplittableRandom(seed), shape).requiresGrad(true));
    }

    @Property(tries = 50, seed = "207")
    @Covers("max")
    void maxDim(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean keepDim) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        Tensor x = TensorArbitraries.distinct(r, shape).requiresGrad(true);
        assertGradients(in -> in[0].max(d, keepDim), x);
    }

    @Property(tries = 30, seed = "208")
    @Covers("max")
    void maxDimOfPermutedView(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean keepDim) {
        SplittableRandom r = new SplittableRandom(seed);
        int rank = shape.length;
        int[] perm = ViewGradTest.randomPermutation(r, rank);
        int d = TensorArbitraries.dim(r, rank);
        Tensor x = TensorArbitraries.distinct(r, shape).requiresGrad(true);
        assertGradients(in -> in[0].permute(perm).max(d, keepDim), x);
    }
}
