package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import java.util.SplittableRandom;

class AnomalyTest {
    @Test
    void forwardNamesTheFirstOpThatProducesNaNWithItsShapes() {
        Tensor x = Tensor.of(new float[] {1, -1, 4, 2, 3, 5}, 2, 3).requiresGrad(true);
        try (var a = Anomaly.detect()) {
            Tensor ok = x.mul(2f);
            var e = assertThrows(NonFiniteException.class, () -> ok.log().sum());
            assertEquals("log", e.op());
            assertEquals("forward", e.pass());
            assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void backwardNamesTheOpWhoseGradientIsNotFinite() {
        // sqrt(0) is finite, its derivative 1 / (2 sqrt(0)) is not.
        Tensor x = Tensor.of(new float[] {0, 1, 4}, 3).requiresGrad(true);
        try (var a = Anomaly.detect()) {
            Tensor loss = x.sqrt().mul(3f).sum();
            var e = assertThrows(NonFiniteException.class, loss::backward);
            assertEquals("sqrt", e.op());
            assertEquals("backward", e.pass());
            assertTrue(e.getMessage().contains("Infinity") && e.getMessage().contains("finite incoming gradient"),
                    e.getMessage());
        }
    }

    @Test
    void aParameterThatAlreadyHoldsNaNIsReportedAsAnInput() {
        Tensor w = Tensor.of(new float[] {1, Float.NaN}, 2).requiresGrad(true);
        try (var a = Anomaly.detect()) {
            var e = assertThrows(NonFiniteException.class, () -> w.add(1f));
            assertTrue(e.getMessage().contains("input 0 [2] already holds NaN"), e.getMessage());
        }
    }

    @Test
    void withoutTheScopeNothingIsCheckedAndScopesRestoreTheirState() {
        Tensor x = Tensor.of(new float[] {0, -1}, 2).requiresGrad(true);
        Tensor y = x.log().sum();
        assertTrue(Float.isNaN(y.item()));
        y.backward();
        assertFalse(Anomaly.isEnabled());
        try (var a = Anomaly.detect()) {
            try (var b = Anomaly.detect()) {
                assertTrue(Anomaly.isEnabled());
            }
            assertTrue(Anomaly.isEnabled());
        }
        assertFalse(Anomaly.isEnabled());
    }

    @Test
    void aFiniteGraphPassesUnchanged() {
        Tensor x = Tensor.randn(new SplittableRandom(3L), 4, 5).requiresGrad(true);
        Tensor w = Tensor.randn(new SplittableRandom(4L), 5, 3).requiresGrad(true);
        Tensor plain = x.matmul(w).tanh().sum();
        plain.backward();
        float[] gx = x.grad().toArray();
        x.zeroGrad();
        try (var a = Anomaly.detect()) {
            Tensor checked = x.matmul(w).tanh().sum();
            checked.backward();
            assertEquals(plain.item(), checked.item());
        }
        assertEquals(java.util.Arrays.toString(gx), java.util.Arrays.toString(x.grad().toArray()));
    }
}
