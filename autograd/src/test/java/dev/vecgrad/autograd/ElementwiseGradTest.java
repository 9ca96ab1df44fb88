package dev.vecgrad.autograd;

import static dev.vecgrad.testing.GradAssertions.assertGradients;
import static dev.vecgrad.testing.TensorArbitraries.param;

import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Gradients of the elementwise ops (binary ones over broadcast shape pairs) against finite differences. */
class ElementwiseGradTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape();
    }

    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    private static Tensor[] pair(int[] full, long seed, Values ka, Values kb) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] s = TensorArbitraries.broadcastPair(full, r);
        return new Tensor[] {param(r, ka, s[0]), param(r, kb, s[1])};
    }

    @Property(tries = 50, seed = "101")
    @Covers("add")
    void add(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].add(in[1]), pair(shape, seed, Values.ANY, Values.ANY));
    }

    @Property(tries = 50, seed = "102")
    @Covers("sub")
    void sub(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].sub(in[1]), pair(shape, seed, Values.ANY, Values.ANY));
    }

    @Property(tries = 50, seed = "103")
    @Covers("mul")
    void mul(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].mul(in[1]), pair(shape, seed, Values.ANY, Values.ANY));
    }

    @Property(tries = 50, seed = "104")
    @Covers("div")
    void div(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        // Denominators in [0.5, 2.5] keep 1/b smooth across the finite-difference step.
        assertGradients(in -> in[0].div(in[1]), pair(shape, seed, Values.ANY, Values.POSITIVE));
    }

    @Property(tries = 30, seed = "105")
    @Covers("sub")
    void subWhereOnlyTheSubtrahendRequiresGrad(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        Tensor[] p = pair(shape, seed, Values.ANY, Values.ANY);
        p[0].requiresGrad(false);
        assertGradients(in -> in[0].sub(in[1]), p);
    }

    @Property(tries = 40, seed = "106")
    @Covers({"add", "mul"})
    void scalarForms(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float s = (float) (r.nextDouble() * 4 - 2);
        assertGradients(in -> in[0].add(s).mul(s).sub(s).div(1.5f).neg(), param(r, Values.ANY, shape));
    }

    @Property(tries = 40, seed = "107")
    @Covers("pow")
    void pow(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed,
             @ForAll("exponents") float p) {
        SplittableRandom r = new SplittableRandom(seed);
        // Non-integer and negative exponents need positive bases (and keep away from the pole at 0).
        boolean wholeNonNegative = p >= 0 && p == Math.rint(p);
        assertGradients(in -> in[0].pow(p), param(r, wholeNonNegative ? Values.ANY : Values.POSITIVE, shape));
    }

    @Provide
    Arbitrary<Float> exponents() {
        return Arbitraries.of(0f, 1f, 2f, 3f, 0.5f, 1.5f, -1f, -0.5f, 2.7f);
    }

    @Property(tries = 40, seed = "108")
    @Covers("exp")
    void exp(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].exp(), param(new SplittableRandom(seed), Values.ANY, shape));
    }

    @Property(tries = 40, seed = "109")
    @Covers("log")
    void log(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].log(), param(new SplittableRandom(seed), Values.POSITIVE, shape));
    }

    @Property(tries = 40, seed = "110")
    @Covers("sqrt")
    void sqrt(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].sqrt(), param(new SplittableRandom(seed), Values.POSITIVE, shape));
    }

    @Property(tries = 40, seed = "111")
    @Covers("tanh")
    void tanh(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].tanh(), param(new SplittableRandom(seed), Values.ANY, shape));
    }

    @Property(tries = 40, seed = "112")
    @Covers("sigmoid")
    void sigmoid(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].sigmoid(), param(new SplittableRandom(seed), Values.ANY, shape));
    }

    @Property(tries = 40, seed = "113")
    @Covers("relu")
    void relu(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].relu(), param(new SplittableRandom(seed), Values.AWAY_FROM_ZERO, shape));
    }

    @Property(tries = 40, seed = "114")
    @Covers("gelu")
    void gelu(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        assertGradients(in -> in[0].gelu(), param(new SplittableRandom(seed), Values.ANY, shape));
    }

    @Property(tries = 30, seed = "115")
    @Covers({"mul", "add", "sub", "div", "tanh", "exp", "sigmoid", "gelu", "relu", "pow"})
    void unaryOpsOnNonContiguousViews(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        // A transposed input sends the ops through their strided paths.
        SplittableRandom r = new SplittableRandom(seed);
        int rank = shape.length;
        Tensor x = param(r, Values.AWAY_FROM_ZERO, shape);   // relu's kink stays out of reach
        int d0 = rank < 2 ? 0 : r.nextInt(rank), d1 = rank < 2 ? 0 : r.nextInt(rank);
        boolean narrowed = rank > 0 && shape[0] > 1 && r.nextBoolean();
        assertGradients(in -> {
            // A narrow view also gives the ops a non-zero offset into the storage.
            Tensor v = narrowed ? in[0].narrow(0, 1, shape[0] - 1) : in[0];
            Tensor t = rank < 2 ? v : v.transpose(d0, d1);
            return t.tanh().mul(t.exp().mul(0.25f)).add(t.mul(t)).sub(t.sigmoid().div(t.gelu().add(3f)))
                    .add(t.relu().mul(t.pow(2f)));
        }, x);
    }
}
