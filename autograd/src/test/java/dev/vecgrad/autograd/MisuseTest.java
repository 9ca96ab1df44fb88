package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The two misuses that used to give wrong numbers silently: a tensor used after the workspace
 * scope that lent its storage closed, and an in-place change to a tensor that a recorded op saved
 * for its backward. Both must now fail with a message naming the op and the shapes.
 */
class MisuseTest {
    private static String fails(Executable e) {
        return assertThrows(IllegalStateException.class, e).getMessage();
    }

    // ---------------------------------------------------------------- use after scope

    @Test
    void workspaceTensorUsedAfterItsScopeThrows() {
        Workspace ws = new Workspace(1L << 30, false);
        Tensor x = Tensor.randn(new SplittableRandom(1), 64, 64);
        Tensor y;
        try (var s = ws.open()) {
            y = x.mul(2f);                       // 4096 elements: lent by the workspace
            assertEquals(2 * x.get(3, 5), y.get(3, 5));
        }
        String msg = fails(y::toArray);
        assertTrue(msg.startsWith("toArray: the tensor [64, 64] was computed inside a Workspace scope that has closed"), msg);
        assertTrue(fails(() -> y.add(1f)).startsWith("add: the tensor [64, 64]"));
        assertTrue(fails(() -> y.transpose(0, 1)).startsWith("transpose"));
        fails(() -> y.get(0, 0));
        fails(() -> y.set(1f, 0, 0));
        fails(y::toString);
        fails(() -> y.addInPlace(x));
        // A later scope reuses the array: the old tensor still refuses, the new one works.
        try (var s = ws.open()) {
            Tensor z = x.mul(3f);
            assertTrue(ws.reusedBytes() > 0, "the second scope should reuse the first one's array");
            assertEquals(3 * x.get(1, 2), z.get(1, 2));
            fails(y::toArray);
            fails(() -> y.narrow(0, 0, 2).sum());   // a view of a dead tensor is dead too
        }
    }

    @Test
    void viewTakenInsideTheScopeDiesWithIt() {
        Workspace ws = new Workspace(1L << 30, false);
        Tensor v;
        try (var s = ws.open()) {
            v = Tensor.randn(new SplittableRandom(2), 32, 64).exp().transpose(0, 1);
        }
        assertTrue(fails(v::toArray).contains("[64, 32]"));
    }

    @Test
    void heapTensorsMadeInsideAScopeOutliveIt() {
        Workspace ws = new Workspace(1L << 30, false);
        Tensor made, small, loss;
        try (var s = ws.open()) {
            made = Tensor.randn(new SplittableRandom(3), 64, 64);              // a factory: heap storage
            small = Tensor.of(1, 2, 3).mul(2f);           // under Workspace.MIN_ELEMENTS: heap
            loss = made.mul(made).mean();                 // a scalar: heap
        }
        assertEquals(made.numel(), made.toArray().length);
        assertArrayEquals(new float[] {2, 4, 6}, small.toArray());
        assertTrue(loss.item() > 0);
    }

    @Test
    void backwardThroughAGraphOfAClosedScopeThrows() {
        Workspace ws = new Workspace(1L << 30, false);
        Tensor w = Tensor.randn(new SplittableRandom(4), 64, 64).requiresGrad(true);
        Tensor x = Tensor.randn(new SplittableRandom(5), 32, 64);
        Tensor loss;
        try (var s = ws.open()) {
            loss = x.matmul(w).tanh().sum();   // the loss is a heap scalar, its graph is not
        }
        String msg = fails(loss::backward);
        assertTrue(msg.startsWith("backward through '"), msg);
        assertTrue(msg.contains("Workspace scope that has closed"), msg);
    }

    @Test
    void poisonedAndPlainWorkspacesAgreeOnWhatIsLive() {
        for (boolean poison : new boolean[] {false, true}) {
            Workspace ws = new Workspace(1L << 30, poison);
            Tensor y;
            try (var s = ws.open()) {
                y = Tensor.randn(new SplittableRandom(6), 2048).relu();
                assertTrue(Float.isFinite(y.sum().item()));
            }
            fails(y::sum);
        }
    }

    // ---------------------------------------------------------------- in place after record

    @Test
    void inPlaceChangeOfAnInputSavedForBackwardThrows() {
        Tensor x = Tensor.randn(new SplittableRandom(7), 4, 3);                        // data, no grad: may change in place
        Tensor w = Tensor.randn(new SplittableRandom(8), 3, 2).requiresGrad(true);
        Tensor loss = x.matmul(w).pow(2).sum();
        x.mulInPlace(2f);                                         // matmul's dW needs the old x
        String msg = fails(loss::backward);
        assertTrue(msg.startsWith("backward: one of the tensors needed for gradient computation has been modified"
                + " by an in-place operation: 'matmul' (inputs [4, 3], [3, 2]; output [4, 2])"), msg);
        assertTrue(msg.contains("input 0 [4, 3] (last changed by mulInPlace)"), msg);
    }

    @Test
    void optimizerStyleUpdateBetweenForwardAndBackwardThrows() {
        Tensor x = Tensor.randn(new SplittableRandom(9), 5, 3);
        Tensor w = Tensor.randn(new SplittableRandom(10), 3, 2).requiresGrad(true);
        Tensor loss = x.matmul(w).tanh().sum();
        try (Grad g = Grad.disabled()) {
            w.addInPlace(Tensor.ones(3, 2), -0.1f);
        }
        String msg = fails(loss::backward);
        assertTrue(msg.contains("'matmul'") && msg.contains("input 1 [3, 2] (last changed by addInPlace)"), msg);
    }

    @Test
    void writesThroughStorageCountWhenMarked() {
        Tensor x = Tensor.randn(new SplittableRandom(11), 6);
        Tensor w = Tensor.randn(new SplittableRandom(12), 6).requiresGrad(true);
        Tensor loss = x.mul(w).sum();
        x.storage()[0] += 1f;
        x.markModified("a direct write");
        assertTrue(fails(loss::backward).contains("input 0 [6] (last changed by a direct write)"));
    }

    @Test
    void viewsAndDetachShareTheVersionOfTheirStorage() {
        Tensor x = Tensor.randn(new SplittableRandom(13), 4, 4);
        Tensor w = Tensor.randn(new SplittableRandom(14), 4, 4).requiresGrad(true);
        Tensor loss = x.transpose(0, 1).matmul(w).sum();   // saves the transposed view
        int before = x.version();
        x.detach().set(5f, 1, 2);                          // through another view of the same array
        assertEquals(before + 1, x.version());
        assertEquals(x.version(), x.transpose(0, 1).version());
        assertTrue(fails(loss::backward).contains("last changed by set"));
    }

    @Test
    void inPlaceChangesOutsideTheSavedTensorsDoNotTrip() {
        Tensor x = Tensor.randn(new SplittableRandom(15), 4, 3);
        Tensor w = Tensor.randn(new SplittableRandom(16), 3, 2).requiresGrad(true);
        Tensor other = Tensor.randn(new SplittableRandom(17), 4, 3);
        Tensor loss = x.matmul(w).sum();
        other.mulInPlace(3f);                              // shares nothing with the graph
        loss.backward(null, true);
        Tensor first = w.grad().copy();
        x.mulInPlace(1f);                                  // after backward: allowed, but the graph is stale now
        w.zeroGrad();
        fails(() -> loss.backward(null, true));            // a second backward would use the changed x
        // d sum(x w) / dw[i][j] = sum over rows of x[., i], for every column j
        assertArrayEquals(x.sum(0, false).toArray(), first.narrow(1, 0, 1).reshape(3).toArray(), 1e-5f);
    }

    // ---------------------------------------------------------------- in place into an expanded view

    @Test
    void wholeTensorWritesIntoAnExpandedViewThrowAndChangeNothing() {
        Tensor v = Tensor.of(1, 2, 3);
        Tensor e = v.expand(2, 3);                         // both rows are v's three cells
        String msg = fails(() -> e.addInPlace(Tensor.ones(2, 3)));
        assertEquals("addInPlace: cannot write in place into [2, 3]: it is an expanded view whose dimension 0"
                + " repeats one element 2 times (stride 0); write into the tensor it expands, or into a copy()", msg);
        fails(() -> e.addInPlace(Tensor.ones(3), 2f));
        assertTrue(fails(() -> e.mulInPlace(2f)).startsWith("mulInPlace: cannot write in place into [2, 3]"));
        fails(() -> e.fillInPlace(0f));
        fails(() -> e.copyInPlace(Tensor.zeros(2, 3)));
        assertArrayEquals(new float[] {1, 2, 3}, v.toArray());
        assertEquals(0, v.version());
        e.set(7f, 1, 0);                                   // one element: one cell, written once
        assertArrayEquals(new float[] {7, 2, 3}, v.toArray());
        Tensor ones = Tensor.of(5).expand(1, 1);           // stride 0 over size 1 aliases nothing
        ones.addInPlace(Tensor.ones(1, 1));
        assertEquals(6f, ones.item());
    }
}
