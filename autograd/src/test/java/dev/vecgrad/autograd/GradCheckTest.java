package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The checker itself: it must catch a wrong gradient (otherwise every gradient property is
 * vacuous), name the worst element, and leave its inputs untouched.
 */
class GradCheckTest {

    /** y = x^2 with a deliberately wrong backward (3x instead of 2x). */
    private static Tensor wrongSquare(Tensor x) {
        Tensor y;
        try (Grad g = Grad.disabled()) {
            y = x.mul(x);
        }
        Tensor xs = x.detach();
        return Engine.record(y, "wrongSquare", gy -> new Tensor[] {gy.mul(xs).mul(3f)}, x);
    }

    @Test
    void catchesAWrongGradientAndNamesTheWorstElement() {
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f, 0.25f}, 2, 2).requiresGrad(true);
        GradCheck.Result r = GradCheck.check(in -> wrongSquare(in[0]), x);
        assertFalse(r.ok());
        assertEquals(0, r.worstInput());
        assertArrayEquals(new int[] {1, 0}, r.worstIndex());   // |x| largest at [1, 0]: the largest error
        assertEquals(4, r.checked());
        assertTrue(r.report().contains("FAILED") && r.report().contains("[1, 0]"), r.report());
        var e = assertThrows(AssertionError.class, r::assertOk);
        assertEquals(r.report(), e.getMessage());
    }

    /** What jshell prints for a result: the worst element's index as numbers, not the array's identity. */
    @Test
    void toStringShowsTheWorstIndex() {
        GradCheck.Result r = new GradCheck.Result(false, 1, new int[] {1, 0}, 2.5, 0.5, 2.0, 1e-3, 4);
        assertEquals("Result[ok=false, worstInput=1, worstIndex=[1, 0], analytic=2.5, numeric=0.5, error=2.0, allowed=0.001,"
                + " checked=4]", r.toString());
    }

    @Test
    void passesACorrectGradientAndLeavesInputsAlone() {
        Tensor x = Tensor.of(0.5f, -1f, 2f).requiresGrad(true);
        Tensor c = Tensor.of(3f, 4f, 5f);
        GradCheck.Result r = GradCheck.check(in -> in[0].mul(in[0]).mul(in[1]), x, c);
        r.assertOk();
        assertEquals(3, r.checked());                    // c does not require grad: not checked
        assertArrayEquals(new float[] {0.5f, -1f, 2f}, x.toArray());
        assertNull(x.grad());
        assertTrue(r.report().startsWith("gradcheck passed"), r.report());
        assertTrue(r.report().endsWith("; 3 elements checked)"), r.report());
        String one = GradCheck.check(in -> in[0].mul(in[0]), Tensor.scalar(2f).requiresGrad(true)).report();
        assertTrue(one.endsWith("; 1 element checked)"), one);
    }

    @Test
    void aCheckWithNoInputThatRequiresGradIsRefused() {
        // The easy mistake: tensors made without requiresGrad(true). A check that compared nothing
        // used to pass, wrong gradient and all.
        Tensor x = Tensor.of(0.5f, -1f, 2f);
        var e = assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> wrongSquare(in[0]), x));
        assertTrue(e.getMessage().contains("requiresGrad(true)"), e.getMessage());
        // Inputs that require grad but hold no element (a property's random shape with a 0
        // dimension): nothing to compare, and the report says so.
        Tensor empty = Tensor.zeros(0, 3).requiresGrad(true);
        GradCheck.Result r = GradCheck.check(in -> in[0].mul(2f), empty);
        assertTrue(r.ok());
        assertEquals(0, r.checked());
        assertTrue(r.report().contains("no elements to check"), r.report());
    }

    @Test
    void settingsAreCopies() {
        GradCheck base = GradCheck.defaults();
        GradCheck strict = base.tolerance(1e-9, 1e-9).eps(1e-3).seed(7);
        Tensor x = Tensor.of(0.3f, 0.7f).requiresGrad(true);
        // Exact to float rounding: passes the default tolerance, fails a 1e-9 one on a curved function.
        assertTrue(base.run(in -> in[0].exp(), x).ok());
        assertFalse(strict.run(in -> in[0].exp(), x).ok());
    }

    @Test
    void geluMatchesPyTorchTanhApproximation() {
        // torch.nn.functional.gelu(x, approximate='tanh') and its derivative, computed in float64.
        Tensor x = Tensor.of(-3f, -1f, -0.5f, 0f, 0.5f, 1f, 3f).requiresGrad(true);
        Tensor y = x.gelu();
        y.sum().backward();
        assertArrayEquals(new float[] {-0.0036374f, -0.1588080f, -0.1542860f, 0f, 0.3457140f, 0.8411920f, 2.9963626f},
                y.toArray(), 2e-6f);
        assertArrayEquals(new float[] {-0.0115842f, -0.0829641f, 0.1326301f, 0.5f, 0.8673699f, 1.0829641f, 1.0115842f},
                x.grad().toArray(), 2e-6f);
    }
}
