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

/** Gradients of softmax, logSoftmax, crossEntropy, layerNorm and dropout. */
class NnGradTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape();
    }

    @Provide
    Arbitrary<int[]> nonScalarShapes() {
        return TensorArbitraries.shape(1, 3);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    @Property(tries = 40, seed = "601")
    @Covers({"softmax", "transpose"})
    void softmax(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        assertGradients(in -> in[0].softmax(d), param(r, Values.ANY, shape));
    }

    @Property(tries = 40, seed = "602")
    @Covers({"logSoftmax", "transpose"})
    void logSoftmax(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        assertGradients(in -> in[0].logSoftmax(d), param(r, Values.ANY, shape));
    }

    @Property(tries = 50, seed = "603")
    @Covers("crossEntropy")
    void crossEntropy(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed,
                      @ForAll("ignoreIndices") int ignoreIndex) {
        SplittableRandom r = new SplittableRandom(seed);
        int classes = shape[shape.length - 1];
        int rows = Shapes.numel(shape) / classes;
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) targets[i] = r.nextInt(4) == 0 ? ignoreIndex : r.nextInt(classes);
        // At least one row counts, or the mean is 0/0 (NaN, as in PyTorch).
        int keep = r.nextInt(rows);
        if (targets[keep] == ignoreIndex) targets[keep] = ignoreIndex == 0 ? classes - 1 : 0;
        if (targets[keep] == ignoreIndex) return;   // one class, and it is the ignored one
        assertGradients(in -> in[0].crossEntropy(targets, ignoreIndex), param(r, Values.ANY, shape));
    }

    @Provide
    Arbitrary<Integer> ignoreIndices() {
        return Arbitraries.of(-100, -1, 0);
    }

    @Property(tries = 30, seed = "604")
    @Covers("crossEntropy")
    void crossEntropyOfTransposedLogits(@ForAll("seeds") long seed) {
        // Logits [B, T, C] built as a transposed view of [B, C, T]: the non-contiguous path.
        SplittableRandom r = new SplittableRandom(seed);
        int b = 1 + r.nextInt(3), t = 1 + r.nextInt(4), c = 2 + r.nextInt(5);
        int[] targets = new int[b * t];
        for (int i = 0; i < targets.length; i++) targets[i] = r.nextInt(c);
        assertGradients(in -> in[0].transpose(1, 2).crossEntropy(targets), param(r, Values.ANY, b, c, t));
    }

    @Property(tries = 50, seed = "605")
    @Covers("layerNorm")
    void layerNorm(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed,
                   @ForAll boolean withWeight, @ForAll boolean withBias) {
        SplittableRandom r = new SplittableRandom(seed);
        int c = shape[shape.length - 1];
        // Values at least 0.3 apart: with two close values in a row the normalised output is nearly a
        // step function and a finite-difference step of 0.01 no longer sees a straight line.
        Tensor x = TensorArbitraries.distinct(r, 0.3f, shape).requiresGrad(true);
        Tensor w = withWeight ? param(r, Values.ANY, c) : null;
        Tensor b = withBias ? param(r, Values.ANY, c) : null;
        // GradCheck takes no null inputs: pass only the present ones and put the nulls back inside.
        Tensor[] present = java.util.stream.Stream.of(x, w, b).filter(java.util.Objects::nonNull).toArray(Tensor[]::new);
        assertGradients(in -> in[0].layerNorm(withWeight ? in[1] : null, withBias ? in[withWeight ? 2 : 1] : null, 1e-5f), present);
    }

    @Property(tries = 40, seed = "606")
    @Covers("dropout")
    void dropout(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed,
                 @ForAll("probabilities") float p, @ForAll boolean training) {
        SplittableRandom r = new SplittableRandom(seed);
        long maskSeed = r.nextLong();
        // A fresh generator per evaluation: every call of the function draws the same mask.
        assertGradients(in -> in[0].dropout(p, training, new SplittableRandom(maskSeed)), param(r, Values.ANY, shape));
    }

    @Provide
    Arbitrary<Float> probabilities() {
        return Arbitraries.of(0f, 0.1f, 0.5f, 0.9f, 1f);
    }
}
