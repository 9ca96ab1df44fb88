package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientsTest {
    private static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data;
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return t;
    }

    /** A loss that uses {@code w} twice (as tied embeddings do) and {@code b} once. */
    private static Tensor loss(Tensor x, Tensor w, Tensor b) {
        Tensor h = x.matmul(w).add(b).tanh();
        return h.matmul(w.transpose(0, 1)).mul(h.sum()).sum();
    }

    @Test
    void passesIntoGradientsThenAddedGiveTheBitsOfPlainBackward() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor w = random(r, 5, 5).requiresGrad(true), b = random(r, 5).requiresGrad(true);
        Tensor x1 = random(r, 4, 5), x2 = random(r, 4, 5);
        // Plain: two passes straight into grad, from a zeroed gradient (as the trainer keeps it).
        loss(x1, w, b).backward();
        loss(x2, w, b).backward();
        float[] plainW = w.grad().toArray(), plainB = b.grad().toArray();
        w.zeroGrad();
        b.zeroGrad();
        // Each pass into its own Gradients, then added in pass order.
        Gradients g1 = new Gradients(), g2 = new Gradients();
        g1.backward(loss(x1, w, b));
        g2.backward(loss(x2, w, b));
        assertNull(w.grad(), "a pass into Gradients leaves grad alone");
        g1.addToGrads();
        g2.addToGrads();
        assertArrayEquals(plainW, w.grad().toArray());
        assertArrayEquals(plainB, b.grad().toArray());
    }

    @Test
    void addingSeveralPartsAtOnceGivesTheBitsOfAddingThemInTurn() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor w = random(r, 6, 6).requiresGrad(true), b = random(r, 6).requiresGrad(true);
        Gradients[] parts = {new Gradients(), new Gradients(), new Gradients()};
        for (Gradients g : parts) g.backward(loss(random(r, 3, 6), w, b));
        w.setGrad(random(r, 6, 6));   // a gradient already there, as the trainer's zeroed one
        Tensor w0 = w.grad().copy();
        for (Gradients g : parts) g.addToGrads();
        float[] inTurnW = w.grad().toArray(), inTurnB = b.grad().toArray();
        w.setGrad(w0);
        b.zeroGrad();
        Gradients.addAllToGrads(java.util.List.of(w, b), parts);
        assertArrayEquals(inTurnW, w.grad().toArray());
        assertArrayEquals(inTurnB, b.grad().toArray());
    }

    @Test
    void aClearedSetStartsAgainFromTheNextPassAndKeepsItsArrays() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor w = random(r, 3, 3).requiresGrad(true), b = random(r, 3).requiresGrad(true);
        Tensor x = random(r, 2, 3);
        Gradients g = new Gradients();
        g.backward(loss(x, w, b));
        g.backward(loss(x, w, b));
        Tensor kept = g.get(w);
        g.clear();
        assertNull(g.get(w), "nothing gathered since the clear");
        g.backward(loss(x, w, b));
        assertSame(kept, g.get(w), "the same array, reused");
        loss(x, w, b).backward();
        assertArrayEquals(w.grad().toArray(), g.get(w).toArray(), "one pass after the clear, not three");
    }

    @Test
    void retainedNonLeafGradientsAreGatheredToo() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor w = random(r, 3, 3).requiresGrad(true);
        Tensor h = random(r, 2, 3).matmul(w).retainGrad();
        Gradients g = new Gradients();
        g.backward(h.tanh().sum());
        assertNull(h.grad());
        Tensor h2 = h.detach().requiresGrad(true);
        h2.tanh().sum().backward();
        assertArrayEquals(h2.grad().toArray(), g.get(h).toArray());
    }

    @Test
    void clearDropsTheEntriesOfRetainedNonLeaves() {
        Tensor w = random(new SplittableRandom(7), 3, 3).requiresGrad(true);
        Gradients g = new Gradients();
        for (int i = 0; i < 50; i++) {
            Tensor h = random(new SplittableRandom(i), 2, 3).matmul(w).retainGrad();
            g.backward(h.tanh().sum());
            g.clear();
        }
        // w's array, and at most the last pass's activation: not one per pass.
        assertTrue(g.entryCount() <= 2, "entries after 50 passes: " + g.entryCount());
    }
}
