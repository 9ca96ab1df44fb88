package dev.vecgrad.autograd;

import static dev.vecgrad.testing.GradAssertions.assertGradients;
import static dev.vecgrad.testing.TensorArbitraries.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The fused linear op: gradients, and agreement with matmul + add. */
class LinearGradTest {
    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    @Provide
    Arbitrary<Integer> dims() {
        return Arbitraries.of(1, 2, 3, 5, 17);
    }

    @Property(tries = 60, seed = "601")
    @Covers("linear")
    void gradients(@ForAll("dims") int in, @ForAll("dims") int out, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] lead = new int[r.nextInt(3)];
        for (int i = 0; i < lead.length; i++) lead[i] = 1 + r.nextInt(3);
        int[] xShape = java.util.Arrays.copyOf(lead, lead.length + 1);
        xShape[lead.length] = in;
        boolean withBias = r.nextBoolean(), transposedInput = lead.length > 0 && r.nextBoolean();
        if (transposedInput) {
            // A non-contiguous input: built as [in, lead0] and transposed inside the function.
            xShape = new int[] {in, lead[0]};
        }
        boolean tx = transposedInput;
        Tensor x = param(r, Values.ANY, xShape), w = param(r, Values.ANY, out, in);
        if (withBias) {
            assertGradients(t -> (tx ? t[0].transpose(0, 1) : t[0]).linear(t[1], t[2]), x, w, param(r, Values.ANY, out));
        } else {
            assertGradients(t -> (tx ? t[0].transpose(0, 1) : t[0]).linear(t[1], null), x, w);
        }
    }

    @Test
    void equalsMatmulPlusBias() {
        Tensor x = Tensor.randn(new SplittableRandom(1L), 2, 7, 19), w = Tensor.randn(new SplittableRandom(2L), 11, 19), b = Tensor.randn(new SplittableRandom(3L), 11);
        float[] fused = x.linear(w, b).toArray(), plain = x.matmul(w.transpose(0, 1)).add(b).toArray();
        for (int i = 0; i < fused.length; i++) {
            assertTrue(Math.abs(fused[i] - plain[i]) <= 1e-5f * (1 + Math.abs(plain[i])), i + ": " + fused[i] + " vs " + plain[i]);
        }
        assertArrayEquals(new int[] {2, 7, 11}, x.linear(w, b).shape());
    }

    /**
     * Products big enough for the pool: dx and dW at once as tiles taken from both ends of one
     * task list (shapes of one GEMM block), or one after the other, each split over the pool (dW
     * deeper than a block: 1100 rows). The gradients must be the bits of the one-thread run, which
     * computes the products one after the other on one thread, at 2 and 3 threads, for every
     * combination of what requires a gradient.
     */
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void backwardAtTwoAndThreeThreadsEqualsOneThreadBitForBit() {
        int defaultThreads = dev.vecgrad.autograd.kernel.Parallel.threads();
        int[][] shapes = {{96, 96, 352}, {768, 128, 65}, {200, 40, 520}, {1100, 48, 48}};
        try {
            for (int[] s : shapes) {
                assertTrue(2L * s[0] * s[1] * s[2] >= LinearOps.BOTH_AT_ONCE_FLOPS, "the shape must take a concurrent path");
                for (int mask = 1; mask < 8; mask++) {
                    float[][] one = linearGrads(1, mask, s[0], s[1], s[2]);
                    for (int threads = 2; threads <= 3; threads++) {
                        float[][] many = linearGrads(threads, mask, s[0], s[1], s[2]);
                        for (int i = 0; i < 3; i++) {
                            assertArrayEquals(one[i], many[i], "gradient " + i + " of " + java.util.Arrays.toString(s)
                                    + " with requiresGrad mask " + mask + " at " + threads + " threads");
                        }
                    }
                }
            }
        } finally {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(defaultThreads);
        }
    }

    /** Gradients of x, W, b (null where not required) for a rows x in -> out linear (rows as 2 x rows/2). */
    private static float[][] linearGrads(int threads, int mask, int rows, int in, int out) {
        dev.vecgrad.autograd.kernel.Parallel.setThreads(threads);
        Tensor x = Tensor.randn(new SplittableRandom(11L), 2, rows / 2, in).requiresGrad((mask & 1) != 0);
        Tensor w = Tensor.randn(new SplittableRandom(12L), out, in).requiresGrad((mask & 2) != 0);
        Tensor b = Tensor.randn(new SplittableRandom(13L), out).requiresGrad((mask & 4) != 0);
        x.linear(w, b).mul(Tensor.randn(new SplittableRandom(14L), 2, rows / 2, out)).sum().backward();
        return new float[][] {
            x.grad() == null ? null : x.grad().toArray(),
            w.grad() == null ? null : w.grad().toArray(),
            b.grad() == null ? null : b.grad().toArray()};
    }

    @Test
    void badShapesNameTheOp() {
        Tensor x = Tensor.zeros(3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> x.linear(Tensor.zeros(5, 3), null));
        assertTrue(e.getMessage().startsWith("linear: input [3, 4] does not fit weight [5, 3]"), e.getMessage());
        var b = assertThrows(IllegalArgumentException.class, () -> x.linear(Tensor.zeros(5, 4), Tensor.zeros(4)));
        assertTrue(b.getMessage().contains("bias [4]"), b.getMessage());
    }
}
