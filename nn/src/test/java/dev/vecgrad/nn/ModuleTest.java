package dev.vecgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** Two linears sharing one weight, plus a layer norm: enough to exercise naming and tying. */
    static final class Net extends Module {
        final Linear a;
        final Linear tied;
        final LayerNorm ln;

        Net() {
            a = registerModule("a", new Linear(3, 2, true));
            ln = registerModule("ln", new LayerNorm(2, true));
            tied = registerModule("tied", new Linear(a.weight(), null));
            registerIgnoredKey("mask");
        }
    }

    private static Map<String, Tensor> values(Net n, float v) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        n.stateDict().forEach((k, t) -> m.put(k, Tensor.full(v, t.shape())));
        return m;
    }

    @Test
    void namedParametersAreDottedInRegistrationOrderWithTiedOnce() {
        Net n = new Net();
        assertEquals(List.of("a.weight", "a.bias", "ln.weight", "ln.bias"), List.copyOf(n.namedParameters().keySet()));
        assertEquals(4, n.parameters().size());
        assertEquals(6 + 2 + 2 + 2, n.numParameters());
        Map<String, Tensor> sd = n.stateDict();
        assertEquals(List.of("a.weight", "a.bias", "ln.weight", "ln.bias", "tied.weight"), List.copyOf(sd.keySet()));
        assertSame(sd.get("a.weight"), sd.get("tied.weight"));
        assertFalse(sd.get("a.weight").requiresGrad());
        assertSame(n.a.weight().tensor().storage(), sd.get("a.weight").storage());
    }

    @Test
    void loadCopiesInPlaceAndAcceptsEitherTiedName() {
        Net n = new Net();
        Tensor before = n.a.weight().tensor();
        Map<String, Tensor> m = values(n, 0.5f);
        m.remove("a.weight");                        // only the alias is given
        m.put("tied.weight", Tensor.full(7f, 2, 3));
        LoadResult r = n.loadStateDict(m, true);
        assertSame(before, n.a.weight().tensor());
        assertEquals(7f, n.tied.weight().tensor().get(1, 2));
        assertEquals(0.5f, n.ln.bias().tensor().get(0));
        assertTrue(r.unexpectedKeys().isEmpty());

        Map<String, Tensor> both = values(n, 1f);
        both.put("tied.weight", Tensor.full(9f, 2, 3));
        n.loadStateDict(both, true);
        assertEquals(1f, n.a.weight().tensor().get(0, 0), "the first registered name wins");
    }

    @Test
    void missingTensorsAreNamed() {
        Net n = new Net();
        Map<String, Tensor> m = values(n, 1f);
        m.remove("a.weight");
        m.remove("tied.weight");
        m.remove("ln.bias");
        var e = assertThrows(IllegalArgumentException.class, () -> n.loadStateDict(m, false));
        assertTrue(e.getMessage().contains("missing tensors: a.weight (or tied.weight), ln.bias"), e.getMessage());
        assertEquals(0f, n.a.bias().tensor().get(0), "nothing is copied when the load fails");
    }

    @Test
    void wrongShapeNamesTensorAndBothShapes() {
        Net n = new Net();
        Map<String, Tensor> m = values(n, 1f);
        m.put("a.bias", Tensor.zeros(3));
        var e = assertThrows(IllegalArgumentException.class, () -> n.loadStateDict(m, true));
        assertTrue(e.getMessage().contains("a.bias: got shape [3], expected [2]"), e.getMessage());
    }

    @Test
    void unexpectedKeysFailStrictAndAreReportedOtherwise() {
        Net n = new Net();
        Map<String, Tensor> m = values(n, 1f);
        m.put("extra.weight", Tensor.zeros(1));
        m.put("mask", Tensor.zeros(4, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> n.loadStateDict(m, true));
        assertTrue(e.getMessage().contains("unexpected tensors (strict mode): extra.weight"), e.getMessage());
        assertFalse(e.getMessage().contains("mask"), e.getMessage());
        LoadResult r = n.loadStateDict(m, false);
        assertEquals(List.of("extra.weight"), r.unexpectedKeys());
        assertEquals(List.of("mask"), r.ignoredKeys());
        assertEquals(1f, n.a.weight().tensor().get(0, 0));
    }

    @Test
    void trainEvalIsRecursiveAndZeroGradClears() {
        Net n = new Net();
        assertTrue(n.a.isTraining());
        n.eval();
        assertFalse(n.isTraining());
        assertFalse(n.ln.isTraining());
        n.train();
        assertTrue(n.tied.isTraining());
        Tensor x = Tensor.ones(4, 3);
        n.tied.forward(n.a.forward(x).transpose(0, 1).matmul(Tensor.ones(4, 3))).sum().backward();
        assertArrayEquals(new int[] {2, 3}, n.a.weight().grad().shape());
        n.zeroGrad();
        assertNull(n.a.weight().grad());
    }

    @Test
    void registrationRejectsBadNames() {
        class Bad extends Module {
            Bad(String name) {
                registerParameter(name, Tensor.zeros(1));
                registerParameter("w", Tensor.zeros(1));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad("a.b"));
        assertThrows(IllegalArgumentException.class, () -> new Bad(""));
        var e = assertThrows(IllegalArgumentException.class, () -> new Bad("w"));
        assertTrue(e.getMessage().contains("'w' is already registered"), e.getMessage());
    }

    @Test
    void parameterOwnsContiguousStorage() {
        Tensor t = Tensor.arange(6).reshape(2, 3).transpose(0, 1);
        Parameter p = new Parameter(t);
        assertArrayEquals(new int[] {3, 2}, p.shape());
        assertTrue(p.tensor().requiresGrad());
        assertEquals(6, p.tensor().storage().length);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, p.tensor().storage());
        Tensor w = Tensor.zeros(2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> new Parameter(w.mul(2f)));
    }

    /**
     * A detached weight of another model (what {@code stateDict()} hands out) is contiguous and
     * spans its whole storage, yet another tensor owns that storage: wrapped as is, the new
     * parameter and the old weight were one array, and a step of either moved both.
     */
    @Test
    void aParameterNeverSharesStorageWithAnotherTensorOrAWorkspaceScope() {
        Linear src = new Linear(3, 2, true);
        Tensor detached = src.stateDict().get("weight");
        assertTrue(detached.isView());
        Parameter p = new Parameter(detached);
        try (var off = dev.vecgrad.autograd.Grad.disabled()) {
            p.tensor().fillInPlace(7f);
        }
        assertTrue(src.weight().tensor().toArray()[0] != 7f, "the source model's weight is unchanged");
        assertFalse(detached.requiresGrad(), "the argument, copied, is not marked either");

        Tensor own = Tensor.zeros(2, 2);
        assertFalse(own.isView());
        assertSame(own, new Parameter(own).tensor(), "a tensor owning its heap storage is used as is");

        var ws = new dev.vecgrad.autograd.Workspace();
        Tensor big = Tensor.zeros(64, 64);   // large enough for a workspace to lend (Workspace.MIN_ELEMENTS)
        Parameter fromScope;
        try (var scope = ws.open(); var off = dev.vecgrad.autograd.Grad.disabled()) {
            Tensor lent = big.add(1f);   // a leaf (no grad recorded) on the scope's storage
            assertTrue(lent.isWorkspaceStorage());
            fromScope = new Parameter(lent);
        }
        try (var scope = ws.open(); var off = dev.vecgrad.autograd.Grad.disabled()) {
            big.add(5f);   // takes the storage the first scope lent
        }
        float[] ones = new float[64 * 64];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, fromScope.tensor().toArray(), "the parameter outlives the scope");
    }
}
