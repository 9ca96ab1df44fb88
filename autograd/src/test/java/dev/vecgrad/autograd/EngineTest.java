package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The reverse-mode engine: seeding, accumulation, graph release, grad mode and deep graphs. */
class EngineTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v).requiresGrad(true);
    }

    @Test
    void backwardFromAScalarSeedsWithOne() {
        Tensor x = leaf(1, 2, 3);
        x.mul(x).sum().backward();                       // d/dx sum(x^2) = 2x
        assertArrayEquals(new float[] {2, 4, 6}, x.grad().toArray());
    }

    @Test
    void backwardWithAnExplicitUpstreamGradient() {
        Tensor x = leaf(1, 2, 3);
        x.mul(3f).backward(Tensor.of(1f, 10f, 100f));
        assertArrayEquals(new float[] {3, 30, 300}, x.grad().toArray());
    }

    @Test
    void implicitGradientNeedsAOneElementOutput() {
        Tensor x = leaf(1, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> x.mul(2f).backward());
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        var wrong = assertThrows(IllegalArgumentException.class, () -> x.mul(2f).backward(Tensor.ones(3)));
        assertTrue(wrong.getMessage().contains("[3]") && wrong.getMessage().contains("[2]"), wrong.getMessage());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = leaf(1, 2);
        x.mul(2f).sum().backward();
        x.mul(5f).sum().backward();
        assertArrayEquals(new float[] {7, 7}, x.grad().toArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {3, 3}, x.grad().toArray());
    }

    @Test
    void diamondGraphAccumulatesBothPaths() {
        Tensor x = leaf(2, 3);
        Tensor a = x.mul(x), b = x.exp();               // x feeds two branches that meet again
        a.add(b).add(x).sum().backward();
        float[] g = x.grad().toArray();
        assertEquals(2 * 2 + (float) Math.exp(2) + 1, g[0], 1e-5);
        assertEquals(2 * 3 + (float) Math.exp(3) + 1, g[1], 1e-4);
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(1, 2);
        Tensor d = x.mul(2f).detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        x.mul(d).sum().backward();                       // d counts as a constant
        assertArrayEquals(new float[] {2, 4}, x.grad().toArray());
    }

    @Test
    void requiresGradPropagatesOnlyFromInputsThatRequireIt() {
        Tensor c = Tensor.of(1f, 2f), x = leaf(3, 4);
        assertFalse(c.add(c).requiresGrad());
        assertTrue(c.add(x).requiresGrad());
        assertFalse(c.add(x).isLeaf());
        assertEquals("add", c.add(x).gradFn());
        assertNull(c.add(c).gradFn());
        assertThrows(IllegalStateException.class, () -> c.add(c).backward(Tensor.ones(2)));
        assertThrows(IllegalStateException.class, () -> x.add(1f).requiresGrad(false));
    }

    @Test
    void gradModeScopesNestAndRestore() {
        Tensor x = leaf(1, 2);
        assertTrue(Grad.isEnabled());
        try (Grad outer = Grad.disabled()) {
            assertFalse(x.mul(2f).requiresGrad());
            try (Grad inner = Grad.enabled()) {
                assertTrue(x.mul(2f).requiresGrad());
                try (Grad innermost = Grad.disabled()) {
                    assertFalse(x.mul(2f).requiresGrad());
                }
                assertTrue(Grad.isEnabled());
            }
            assertFalse(Grad.isEnabled());
            assertFalse(x.exp().requiresGrad());
        }
        assertTrue(Grad.isEnabled());
        assertTrue(x.exp().requiresGrad());
    }

    @Test
    void gradModeIsPerThread() throws Exception {
        AtomicReference<Boolean> other = new AtomicReference<>();
        try (Grad g = Grad.disabled()) {
            Thread t = new Thread(() -> other.set(Grad.isEnabled()));
            t.start();
            t.join();
        }
        assertTrue(other.get());
    }

    @Test
    void aTenThousandOpChainBackpropagatesOnASmallStack() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Float> grad = new AtomicReference<>();
        Runnable chain = () -> {
            try {
                Tensor x0 = leaf(1f);
                Tensor x = x0;
                for (int i = 0; i < 5000; i++) x = x.mul(1.0001f).add(0.0f);    // 10,000 recorded ops
                x.sum().backward();
                grad.set(x0.grad().item());
            } catch (Throwable t) {
                failure.set(t);
            }
        };
        // 256 KiB is far too small for a recursive walk over 10,000 nodes: this proves the walk is iterative.
        Thread t = new Thread(null, chain, "deep-backward", 256 * 1024);
        t.start();
        t.join();
        if (failure.get() != null) throw new AssertionError("backward over a deep chain failed", failure.get());
        assertEquals((float) Math.pow(1.0001, 5000), grad.get(), 1e-3);
    }

    @Test
    void secondBackwardThroughAReleasedGraphFailsClearly() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward();
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("backward(grad, true)"), e.getMessage());
    }

    @Test
    void retainGraphAllowsASecondPass() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward(null, true);
        y.backward(null, true);
        y.backward();
        assertEquals(3 * (float) Math.exp(1), x.grad().toArray()[0], 1e-5);
        assertEquals(3 * (float) Math.exp(2), x.grad().toArray()[1], 1e-4);
    }

    @Test
    void nonLeafGradIsKeptOnlyWhenRetained() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(3f), k = x.mul(4f).retainGrad();
        h.add(k).mul(h).sum().backward();
        assertNull(h.grad());
        // d/dk sum((h + k) * h) = h
        assertArrayEquals(new float[] {3, 6}, k.grad().toArray());
        // d/dx = 3 * (2h + k) + 4 * h
        assertArrayEquals(new float[] {3 * (6 + 4) + 12, 3 * (12 + 8) + 24}, x.grad().toArray());
    }

    @Test
    void backwardFromALeafAndThroughViewsKeepsLeafShapes() {
        Tensor x = Tensor.randn(new SplittableRandom(1), 2, 3).requiresGrad(true);
        x.backward(Tensor.ones(2, 3));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, x.grad().toArray());
        x.zeroGrad();
        x.transpose(0, 1).reshape(6).narrow(0, 1, 4).sum().backward();
        assertArrayEquals(new int[] {2, 3}, x.grad().shape());
        // transpose order: x00 x10 x01 x11 x02 x12; narrow keeps positions 1..4
        assertArrayEquals(new float[] {0, 1, 1, 1, 1, 0}, x.grad().toArray());
    }

    @Test
    void gradientOfABroadcastInputIsSummedToItsShape() {
        Tensor b = leaf(1, 2, 3);                          // [3] broadcast over [4, 3]
        Tensor x = Tensor.ones(4, 3);
        x.add(b).sum().backward();
        assertArrayEquals(new float[] {4, 4, 4}, b.grad().toArray());
        Tensor s = Tensor.scalar(2f).requiresGrad(true);
        x.mul(s).sum().backward();
        assertEquals(12f, s.grad().item());
        assertEquals(0, s.grad().dim());
    }

    @Test
    void inPlaceUpdatesOfLeavesNeedGradOff() {
        Tensor w = leaf(1, 2);
        assertThrows(IllegalStateException.class, () -> w.addInPlace(Tensor.of(1f, 1f)));
        try (Grad g = Grad.disabled()) {
            w.addInPlace(Tensor.of(1f, 1f), -0.5f);
        }
        assertArrayEquals(new float[] {0.5f, 1.5f}, w.toArray());
        assertSame(w, w.requiresGrad(true));
    }

    @Test
    void everyInPlaceWriteFollowsTheSameRule() {
        Tensor w = leaf(1, 2);
        List<java.util.function.Consumer<Tensor>> writes = List.of(t -> t.set(9f, 0), t -> t.addInPlace(Tensor.of(1f, 1f)),
                t -> t.mulInPlace(2f), t -> t.fillInPlace(0f), t -> t.copyInPlace(Tensor.of(3f, 4f)));
        for (var write : writes) {
            var e = assertThrows(IllegalStateException.class, () -> write.accept(w));
            assertTrue(e.getMessage().contains("requires grad cannot be modified in place"), e.getMessage());
        }
        assertArrayEquals(new float[] {1f, 2f}, w.toArray(), "a refused write changes nothing");
        try (Grad g = Grad.disabled()) {
            w.set(9f, 0);
        }
        assertArrayEquals(new float[] {9f, 2f}, w.toArray());
        // A tensor that does not require grad is plain data: writable any time.
        Tensor d = w.detach();
        d.set(5f, 1);
        assertArrayEquals(new float[] {9f, 5f}, w.toArray(), "detach shares the storage");
    }
}
