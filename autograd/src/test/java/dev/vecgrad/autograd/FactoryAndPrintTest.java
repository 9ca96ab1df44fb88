package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Factories, element access and PyTorch-style printing. */
class FactoryAndPrintTest {

    @Test
    void constantFactories() {
        Tensor z = Tensor.zeros(2, 3);
        assertArrayEquals(new int[] {2, 3}, z.shape());
        assertArrayEquals(new float[6], z.toArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toArray());
        assertArrayEquals(new float[] {7, 7, 7, 7}, Tensor.full(7f, 2, 2).toArray());
        assertEquals(0, Tensor.zeros().dim());
        assertEquals(1, Tensor.zeros().numel());
        assertEquals(0, Tensor.zeros(3, 0).numel());
        assertTrue(z.isContiguous());
        assertFalse(z.requiresGrad());
        assertTrue(z.isLeaf());
    }

    @Test
    void arange() {
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Tensor.arange(5).toArray());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f}, Tensor.arange(0f, 1f, 0.25f).toArray());
        assertArrayEquals(new float[] {3, 1}, Tensor.arange(3f, 0f, -2f).toArray());
        assertEquals(0, Tensor.arange(0).numel());
        assertEquals(10, Tensor.arange(0f, 1f, 0.1f).numel());
    }

    @Test
    void seededRandomFactoriesAreReproducible() {
        assertArrayEquals(Tensor.randn(new SplittableRandom(7), 4, 5).toArray(), Tensor.randn(new SplittableRandom(7), 4, 5).toArray());
        assertArrayEquals(Tensor.rand(new SplittableRandom(7), 4, 5).toArray(), Tensor.rand(new SplittableRandom(7), 4, 5).toArray());
        assertNotEquals(Tensor.randn(new SplittableRandom(7), 20).toArray()[0], Tensor.randn(new SplittableRandom(8), 20).toArray()[0]);
        assertArrayEquals(Tensor.randn(new SplittableRandom(3), 6).toArray(), Tensor.randn(new SplittableRandom(3), 6).toArray());
        float[] n = Tensor.randn(new SplittableRandom(11), 10_000).toArray();
        double mean = 0, sq = 0;
        for (float v : n) {
            mean += v;
            sq += v * v;
        }
        mean /= n.length;
        assertEquals(0, mean, 0.05);
        assertEquals(1, sq / n.length - mean * mean, 0.05);
        for (float v : Tensor.rand(new SplittableRandom(12), 1000).toArray()) assertTrue(v >= 0 && v < 1, "rand value " + v);
    }

    @Test
    void ofCopiesAndScalarIsZeroDimensional() {
        float[] v = {1, 2, 3, 4};
        Tensor t = Tensor.of(v, 2, 2);
        v[0] = 99;
        assertEquals(1f, t.get(0, 0));
        assertArrayEquals(new int[] {3}, Tensor.of(1f, 2f, 3f).shape());
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(0, s.dim());
        assertEquals(2.5f, s.item());
        assertEquals(2.5f, s.get());
        assertEquals(4f, Tensor.of(new float[] {4}, 1, 1).item());
    }

    @Test
    void getAndSetFollowViewsAndNegativeIndices() {
        Tensor t = Tensor.arange(6).reshape(2, 3);
        assertEquals(5f, t.get(1, 2));
        assertEquals(5f, t.get(-1, -1));
        Tensor tt = t.transpose(0, 1);
        assertEquals(t.get(0, 2), tt.get(2, 0));
        tt.set(42f, 2, 0);                    // writes through to the shared storage
        assertEquals(42f, t.get(0, 2));
        t.narrow(1, 1, 2).set(-1f, 1, 0);
        assertEquals(-1f, t.get(1, 1));
        assertArrayEquals(new float[] {0, 3, 1, -1, 42, 5}, tt.toArray());
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("tensor([1.0000, 2.0000, 3.0000])", Tensor.of(1f, 2f, 3f).toString());
        assertEquals("tensor([[1.0000, 2.0000, 3.0000],\n        [4.0000, 5.0000, 6.0000]], shape=[2, 3])",
                Tensor.arange(1f, 7f, 1f).reshape(2, 3).toString());
        assertEquals("tensor([[[0.0000, 1.0000]],\n\n        [[2.0000, 3.0000]]], shape=[2, 1, 2])",
                Tensor.arange(4).reshape(2, 1, 2).toString());
        assertEquals("tensor(3.5000)", Tensor.scalar(3.5f).toString());
        assertEquals("tensor(-0.2500)", Tensor.scalar(-0.25f).toString());
        assertEquals("tensor([])", Tensor.zeros(0).toString());
        // A transposed view prints its logical order.
        assertEquals("tensor([[0.0000, 2.0000],\n        [1.0000, 3.0000]], shape=[2, 2])",
                Tensor.arange(4).reshape(2, 2).transpose(0, 1).toString());
    }

    @Test
    void printsGradInformation() {
        Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
        assertEquals("tensor([1.0000, 2.0000], requires_grad=true)", x.toString());
        assertEquals("tensor([2.0000, 4.0000], grad_fn=<mul>)", x.mul(2f).toString());
        assertTrue(x.exp().sum().toString().endsWith("grad_fn=<sum>)"));
        assertEquals("tensor(2.5000, grad_fn=<mean>)", x.pow(2).mean().toString());
    }

    @Test
    void printingNeverThrowsAndSummarisesLargeTensors() {
        String big = Tensor.arange(2000).toString();
        // Values spanning more than three orders of magnitude switch to scientific notation, as in PyTorch.
        assertTrue(big.startsWith("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00, ..., 1.9970e+03, 1.9980e+03, 1.9990e+03]"), big);
        assertTrue(Tensor.full(0.5f, 1500).toString().startsWith("tensor([0.5000, 0.5000, 0.5000, ..., 0.5000, 0.5000, 0.5000]"));
        assertTrue(big.contains("shape=[2000]"), big);
        String big2 = Tensor.zeros(100, 100).toString();
        assertTrue(big2.contains("...") && big2.length() < 1000, big2);
        assertTrue(Tensor.zeros(3, 4, 5, 6).toString().contains("shape=[3, 4, 5, 6]"));
        assertEquals("tensor([nan, inf, -inf])", Tensor.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY).toString());
        String sci = Tensor.of(1e-6f, 1f).toString();
        assertTrue(sci.contains("e-06") || sci.contains("e-6"), sci);
        for (int[] shape : new int[][] {{}, {0}, {2, 0}, {0, 3}, {1}, {1, 1, 1}, {1001}, {3, 400}}) {
            assertTrue(Tensor.zeros(shape).toString().startsWith("tensor("));
        }
    }
}
