package dev.vecgrad.examples.demo;

import dev.vecgrad.autograd.GradCheck;
import dev.vecgrad.autograd.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import java.util.SplittableRandom;

/**
 * How a user tests their own op over many inputs: a jqwik property that runs {@link GradCheck}
 * on random shapes and values. Copy this pattern for your ops.
 */
class SoftplusTest {
    @Property(tries = 50, seed = "2026")
    void softplusGradientMatchesFiniteDifferences(@ForAll @IntRange(min = 1, max = 5) int rows,
                                                  @ForAll @IntRange(min = 1, max = 7) int cols,
                                                  @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Tensor x = Tensor.randn(new SplittableRandom(seed), rows, cols).mul(4f).requiresGrad(true);
        GradCheck.check(in -> Softplus.softplus(in[0]), x).assertOk();
    }
}
