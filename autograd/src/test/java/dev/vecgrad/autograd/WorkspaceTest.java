package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Storage recycled by a {@link Workspace} gives the heap's results bit for bit, and never leaks out. */
class WorkspaceTest {
    private static final long BIG = 1L << 30;

    /** Loss and every input gradient of a graph that touches each op family the GPT uses, and more. */
    private static List<float[]> run(long seed, int b, int t, int h, int hs) {
        int c = h * hs, vocab = 37;
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.randn(rng, b, t, c).requiresGrad(true);
        Tensor w1 = Tensor.randn(rng, 3 * c, c).mul(0.2f).detach().requiresGrad(true);
        Tensor b1 = Tensor.randn(rng, 3 * c).requiresGrad(true);
        Tensor lnW = Tensor.randn(rng, c).requiresGrad(true);
        Tensor lnB = Tensor.randn(rng, c).requiresGrad(true);
        Tensor head = Tensor.randn(rng, vocab, c).mul(0.2f).detach().requiresGrad(true);
        int[] targets = new int[b * t];
        for (int i = 0; i < targets.length; i++) targets[i] = rng.nextInt(vocab);
        int[] rows = new int[t];
        for (int i = 0; i < t; i++) rows[i] = rng.nextInt(t);

        Tensor n = x.layerNorm(lnW, lnB, 1e-5f);
        Tensor qkv = n.linear(w1, b1);
        Tensor att = Attention.causalPacked(qkv, h, hs % 2 == 0 ? 0f : 0.25f, new SplittableRandom(seed + 1)).output();
        Tensor y = x.add(att.dropout(0.3f, true, new SplittableRandom(seed + 2)));
        Tensor[] halves = y.split(new int[] {c / 2, c - c / 2}, 2);
        Tensor mixed = Tensor.cat(2, halves[1].gelu(), halves[0].tanh().mul(halves[0].sigmoid()));
        Tensor scores = mixed.matmul(mixed.transpose(1, 2)).div((float) c).softmax(-1).matmul(mixed);
        Tensor picked = scores.indexSelect(1, rows).add(mixed.relu().add(1f).log().sqrt());
        Tensor normed = picked.sub(picked.mean(2, true)).div(picked.max(2, true).add(1f).pow(2f));
        Tensor logits = normed.linear(head, null).permute(1, 0, 2).contiguous().permute(1, 0, 2);
        int[] cols = new int[b * t];
        for (int i = 0; i < cols.length; i++) cols[i] = targets[(i * 7) % targets.length];
        Tensor loss = logits.reshape(b * t, vocab).crossEntropy(targets)
                .add(logits.reshape(b * t, vocab).gather(1, cols, b * t, 1).mean())
                .add(logits.logSoftmax(-1).sum(1, false).mean().mul(1e-3f));
        loss.backward();
        List<float[]> out = new ArrayList<>();
        out.add(loss.toArray());
        for (Tensor p : new Tensor[] {x, w1, b1, lnW, lnB, head}) out.add(p.grad().toArray());
        return out;
    }

    @Property(tries = 15, seed = "29")
    void recycledStorageGivesTheHeapsResultsBitForBit(@ForAll @IntRange(min = 1, max = 3) int b,
                                                      @ForAll @IntRange(min = 1, max = 41) int t,
                                                      @ForAll @IntRange(min = 1, max = 3) int h,
                                                      @ForAll @IntRange(min = 2, max = 17) int hs) {
        long seed = b * 100_000L + t * 1000L + h * 100L + hs;
        List<float[]> heap = run(seed, b, t, h, hs);
        // Poisoned on close: an op that read a recycled array before writing it would see NaN.
        Workspace ws = new Workspace(BIG, true);
        for (int step = 0; step < 3; step++) {
            List<float[]> got;
            try (var s = ws.open()) {
                got = run(seed, b, t, h, hs);
            }
            for (int i = 0; i < heap.size(); i++) assertArrayEquals(heap.get(i), got.get(i), "step " + step + ", output " + i);
            if (step > 0) assertEquals(ws.lentBytes(), ws.reusedBytes(), "every request of a repeated step is recycled");
        }
    }

    /** Outputs and input gradients of attention with dropout and of a dropout op, both large enough that their bits are lent. */
    private static List<float[]> dropoutRun() {
        int b = 2, h = 2, t = 128, hs = 8;   // [B, H, T, T] = 65,536 decisions: 1024 words
        Tensor qkv = Tensor.randn(new SplittableRandom(11), b, t, 3 * h * hs).requiresGrad(true);
        Tensor z = Tensor.randn(new SplittableRandom(13), b, t, 512).requiresGrad(true);   // 2048 words
        Tensor att = Attention.causalPacked(qkv, h, 0.2f, new SplittableRandom(14)).output();
        Tensor dropped = z.dropout(0.3f, true, new SplittableRandom(15));
        Tensor y = att.mul(att).sum().add(dropped.tanh().sum());
        y.backward();
        return List.of(y.toArray(), att.toArray(), dropped.toArray(), qkv.grad().toArray(), z.grad().toArray());
    }

    @Test
    void dropoutBitsAreLentAndGiveTheHeapsResults() {
        List<float[]> heap = dropoutRun();
        Workspace ws = new Workspace(BIG, true);
        for (int step = 0; step < 3; step++) {
            List<float[]> got;
            try (var s = ws.open()) {
                got = dropoutRun();
            }
            for (int i = 0; i < heap.size(); i++) assertArrayEquals(heap.get(i), got.get(i), "step " + step + ", output " + i);
            if (step > 0) assertEquals(ws.lentBytes(), ws.reusedBytes(), "every request of a repeated step is recycled");
        }
    }

    @Test
    void longArraysFollowTheFloatArraysRules() {
        int n = 2048;
        Workspace ws = new Workspace(8L * n + 100, false);
        long[] lent;
        try (var s = ws.open()) {
            lent = Workspace.longScratch(n);                             // lent: fits the cap
            assertNotSame(lent, Workspace.longScratch(n));               // beyond the cap: heap
            Workspace.longScratch(Workspace.MIN_ELEMENTS - 1);           // too small: heap
            assertEquals(8L * n, ws.lentBytes());
        }
        assertEquals(8L * n, ws.heldBytes());
        try (var s = ws.openKeeping()) {
            Tensor.randn(new SplittableRandom(1), 16).exp();             // uses nothing: keeps the words
        }
        try (var s = ws.open()) {
            assertSame(lent, Workspace.longScratch(n));
            assertEquals(8L * n, ws.reusedBytes());
        }
        try (var s = ws.open()) {
            Workspace.longScratch(n + 1);                                // a size the last scope did not use
        }
        assertEquals(8L * (n + 1), ws.heldBytes());
        assertNotSame(lent, Workspace.longScratch(n), "outside a scope, the heap");
    }

    @Test
    void aBackwardPassReusesTheGradientsItIsDoneWith() {
        int n = 64 * 64, depth = 10;
        Tensor x = Tensor.randn(new SplittableRandom(1), 64, 64).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < depth; i++) y = y.tanh();
        y.exp().sum().backward();
        float[] heapGrad = x.grad().toArray();
        x.zeroGrad();
        Workspace ws = new Workspace(BIG, true);
        try (var s = ws.open()) {
            Tensor z = x;
            Tensor[] acts = new Tensor[depth];
            for (int i = 0; i < depth; i++) acts[i] = z = z.tanh();
            Tensor out = z.exp();
            out.sum().backward();
            // Poisoned on release: activations must not have been given back by the backward pass.
            for (Tensor a : acts) assertFalse(Float.isNaN(a.get(3, 7)), "an activation was released");
            assertFalse(Float.isNaN(out.get(63, 63)));
        }
        assertArrayEquals(heapGrad, x.grad().toArray());
        // Forward: depth + 1 results. Backward: each gradient is given back once the next one is
        // computed from it, so a handful are live at a time instead of one per op.
        long held = ws.heldBytes() / (4L * n);
        assertTrue(held >= depth + 1 && held <= depth + 4, "arrays held: " + held);
    }

    @Test
    void theNextScopeGetsTheSameArraysBack() {
        Workspace ws = new Workspace(BIG, false);
        Tensor a = Tensor.randn(new SplittableRandom(1), 64, 64), bb = Tensor.randn(new SplittableRandom(2), 64, 64);
        float[] first;
        try (var s = ws.open()) {
            first = a.add(bb).storage();
            assertEquals(0, ws.reusedBytes());
            assertEquals(4L * 64 * 64, ws.lentBytes());
        }
        assertEquals(4L * 64 * 64, ws.heldBytes());
        try (var s = ws.open()) {
            Tensor r = a.add(bb);
            assertSame(first, r.storage());
            assertArrayEquals(Tensor.randn(new SplittableRandom(1), 64, 64).add(Tensor.randn(new SplittableRandom(2), 64, 64)).toArray(), r.toArray());
            assertEquals(4L * 64 * 64, ws.reusedBytes());
        }
        assertNotSame(first, a.add(bb).storage(), "outside a scope, ops allocate on the heap");
    }

    /**
     * Closing an outer scope while an inner one (of another workspace) is open used to succeed and
     * leave the outer workspace current with no scope open: ops outside any scope then took its
     * storage, and their results died at its next scope.
     */
    @Test
    void scopesCloseInnermostFirst() {
        Workspace outer = new Workspace(BIG, false), inner = new Workspace(BIG, false);
        Tensor a = Tensor.randn(new SplittableRandom(1), 64, 64);
        var s1 = outer.open();
        var s2 = inner.open();
        var e = assertThrows(IllegalStateException.class, s1::close);
        assertTrue(e.getMessage().contains("close scopes innermost first"), e.getMessage());
        s2.close();
        s1.close();
        Tensor kept = a.mul(2f);
        assertFalse(kept.isWorkspaceStorage(), "after both scopes, ops allocate on the heap");
        try (var s = outer.open()) {
            a.mul(3f);
        }
        assertArrayEquals(Tensor.randn(new SplittableRandom(1), 64, 64).mul(2f).toArray(), kept.toArray());
    }

    /** What a trainer does after running out of memory: let go of the kept arrays, allocating nothing. */
    @Test
    void clearLetsGoOfTheKeptArrays() {
        Workspace ws = new Workspace(BIG, false);
        Tensor a = Tensor.randn(new SplittableRandom(1), 64, 64);
        float[] first;
        try (var s = ws.open()) {
            first = a.mul(2f).storage();
            assertThrows(IllegalStateException.class, ws::clear, "not while a scope is open");
        }
        assertEquals(4L * 64 * 64, ws.heldBytes());
        ws.clear();
        assertEquals(0, ws.heldBytes());
        try (var s = ws.open()) {
            Tensor r = a.mul(2f);
            assertNotSame(first, r.storage(), "the next scope takes new arrays");
            assertEquals(0, ws.reusedBytes());
        }
    }

    @Test
    void smallArraysAndRequestsBeyondTheCapComeFromTheHeap() {
        int n = 2048;
        Workspace ws = new Workspace(4L * n + 100, false);
        Tensor a = Tensor.randn(new SplittableRandom(1), n);
        try (var s = ws.open()) {
            a.mul(2f);                                           // lent: fits the cap
            a.mul(3f);                                           // beyond the cap: heap
            Tensor.randn(new SplittableRandom(2), Workspace.MIN_ELEMENTS - 1).exp();   // too small: heap
            assertEquals(4L * n, ws.lentBytes());
        }
        assertEquals(4L * n, ws.heldBytes());
    }

    @Test
    void sizesTheLastScopeDidNotUseAreDropped() {
        Workspace ws = new Workspace(BIG, false);
        try (var s = ws.open()) {
            Tensor.randn(new SplittableRandom(1), 3000).exp();
        }
        try (var s = ws.open()) {
            Tensor.randn(new SplittableRandom(1), 5000).exp();
        }
        assertEquals(4L * 5000, ws.heldBytes());
    }

    @Test
    void gradientsFactoriesAndCopiesOutlastTheScope() {
        Workspace ws = new Workspace(BIG, true);
        Tensor w = Tensor.randn(new SplittableRandom(3), 64, 64).requiresGrad(true);
        Tensor made, loss;
        float[] copied;
        try (var s = ws.open()) {
            loss = w.mul(w).tanh().sum();
            loss.backward();
            made = Tensor.zeros(64, 64);
            copied = w.exp().toArray();
        }
        assertFalse(Float.isNaN(w.grad().get(0, 0)), "parameter gradients are heap arrays");
        assertEquals(0f, made.get(5, 5), "factories allocate on the heap");
        assertEquals((float) Math.exp(w.get(1, 2)), copied[66], 1e-6f);
    }

    @Test
    void poisonFillsTheArraysOfTensorsUsedAfterTheirScope() {
        Workspace ws = new Workspace(BIG, true);
        Tensor kept;
        try (var s = ws.open()) {
            kept = Tensor.randn(new SplittableRandom(4), 64, 64).exp();
        }
        // The public API refuses the dead tensor (MisuseTest); underneath, its array is poisoned.
        assertThrows(IllegalStateException.class, () -> kept.get(10, 10));
        assertTrue(Float.isNaN(kept.data[10 * 64 + 10]));
    }

    @Test
    void scopesOfOneWorkspaceDoNotNestButDifferentWorkspacesDo() {
        Workspace outer = new Workspace(BIG, false), inner = new Workspace(BIG, false);
        try (var s = outer.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, outer::open);
            assertTrue(e.getMessage().contains("already has an open scope"), e.getMessage());
            try (var t = inner.open()) {
                Tensor.randn(new SplittableRandom(5), 4096).exp();
            }
            Tensor.randn(new SplittableRandom(6), 2048).exp();
        }
        assertEquals(4L * 4096, inner.heldBytes());
        assertEquals(4L * 2048, outer.heldBytes());
    }

    @Test
    void aScopeClosesOnlyOnItsOwnThread() throws Exception {
        Workspace ws = new Workspace(BIG, false);
        try (var s = ws.open()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    s.close();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            other.start();
            other.join();
            assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        }
        assertThrows(IllegalArgumentException.class, () -> new Workspace(-1, false));
    }
}
