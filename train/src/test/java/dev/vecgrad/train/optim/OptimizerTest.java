package dev.vecgrad.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    private static Tensor param(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    private static void setGrad(Tensor p, float... g) {
        p.setGrad(Tensor.of(g, g.length));
    }

    @Test
    void zeroGradInPlaceKeepsTheArraysAndTheNextBackwardAddsIntoThem() {
        Tensor p = param(1f, 2f, 3f);
        SGD opt = new SGD(List.of(new ParamGroup(Map.of("p", p), 0f)), 0.1f, 0f, false);
        p.mul(p).sum().backward();
        float[] storage = p.grad().storage();
        opt.zeroGrad(false);
        assertArrayEquals(new float[] {0f, 0f, 0f}, p.grad().toArray());
        p.mul(3f).sum().backward();
        assertTrue(storage == p.grad().storage(), "the gradient array is reused");
        assertArrayEquals(new float[] {3f, 3f, 3f}, p.grad().toArray());
        opt.zeroGrad();
        assertEquals(null, p.grad());
        opt.zeroGrad(false);   // no gradient yet: stays null
        assertEquals(null, p.grad());
    }

    /**
     * Two modules' groups both name their tensors "weight": the optimizers keep state by name, so
     * before the check the two tensors shared one set of moments (and one was left out of the
     * saved state). The same tensor under two names would be stepped twice.
     */
    @Test
    void aNameOrATensorInTwoPlacesIsRefusedNamingBoth() {
        Tensor a = param(1f, 2f), b = param(3f, 4f, 5f);
        var clash = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(
                new ParamGroup(Map.of("weight", a), 0.1f), new ParamGroup(Map.of("weight", b), 0f)), 1e-3f, 0.9f, 0.99f, 1e-8f));
        assertTrue(clash.getMessage().contains("'weight' is in parameter group 0 and in group 1"), clash.getMessage());
        var twice = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(
                new ParamGroup(Map.of("head.weight", a), 0f), new ParamGroup(Map.of("embedding", a), 0f)), 0.1f, 0f, false));
        assertTrue(twice.getMessage().contains("the same tensor is given as 'head.weight' and as 'embedding'"), twice.getMessage());
        var inOneGroup = new LinkedHashMap<String, Tensor>();
        inOneGroup.put("x", b);
        inOneGroup.put("y", b);
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(new ParamGroup(inOneGroup, 0f)), 0.1f, 0f, false));
        // Distinct names and tensors across groups are fine.
        new AdamW(List.of(new ParamGroup(Map.of("body.weight", a), 0.1f), new ParamGroup(Map.of("head.weight", b), 0f)),
                1e-3f, 0.9f, 0.99f, 1e-8f);
    }

    @Test
    void sgdWithMomentumMatchesHandComputation() {
        Tensor p = param(1f, -2f);
        SGD opt = new SGD(List.of(new ParamGroup(Map.of("p", p), 0.1f)), 0.5f, 0.9f, false);
        setGrad(p, 1f, 1f);
        opt.step();
        // d = g + wd p = (1.1, 0.8); buf = d; p -= 0.5 d
        assertArrayEquals(new float[] {1f - 0.55f, -2f - 0.4f}, p.toArray(), 1e-6f);
        float p0 = p.toArray()[0];
        setGrad(p, 1f, 1f);
        opt.step();
        float d = 1f + 0.1f * p0;
        float buf = 0.9f * 1.1f + d;
        assertEquals(p0 - 0.5f * buf, p.toArray()[0], 1e-6f);
    }

    @Test
    void nesterovLooksAhead() {
        Tensor p = param(0f);
        SGD opt = new SGD(List.of(new ParamGroup(Map.of("p", p), 0f)), 1f, 0.5f, true);
        setGrad(p, 2f);
        opt.step();
        // buf = 2, d = 2 + 0.5 * 2 = 3
        assertEquals(-3f, p.item(), 1e-6f);
    }

    @Test
    void adamWMatchesTheReferenceFormula() {
        Tensor p = param(0.5f, -1.5f, 2f);
        float lr = 0.01f, b1 = 0.9f, b2 = 0.99f, eps = 1e-8f, wd = 0.1f;
        AdamW opt = new AdamW(List.of(new ParamGroup(Map.of("p", p), wd)), lr, b1, b2, eps);
        double[] ref = {0.5, -1.5, 2};
        double[] m = new double[3], v = new double[3];
        float[][] grads = {{0.1f, -0.2f, 0.3f}, {0.05f, 0.4f, -0.3f}, {1f, 1f, 1f}};
        for (int t = 1; t <= 3; t++) {
            setGrad(p, grads[t - 1]);
            opt.step();
            for (int i = 0; i < 3; i++) {
                double g = grads[t - 1][i];
                ref[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mh = m[i] / (1 - Math.pow(b1, t)), vh = v[i] / (1 - Math.pow(b2, t));
                ref[i] -= lr * mh / (Math.sqrt(vh) + eps);
            }
        }
        float[] got = p.toArray();
        for (int i = 0; i < 3; i++) assertEquals(ref[i], got[i], 1e-6, "element " + i);
    }

    @Test
    void adamWStateRoundTripsAndContinuesIdentically() {
        Tensor a = param(1f, 2f), b = param(1f, 2f);
        AdamW oa = new AdamW(List.of(new ParamGroup(Map.of("w", a), 0.1f)), 0.1f, 0.9f, 0.99f, 1e-8f);
        AdamW ob = new AdamW(List.of(new ParamGroup(Map.of("w", b), 0.1f)), 0.1f, 0.9f, 0.99f, 1e-8f);
        setGrad(a, 0.3f, -0.7f);
        oa.step();
        try (var g = dev.vecgrad.autograd.Grad.disabled()) {
            b.copyInPlace(a);
        }
        ob.loadState(oa.state(), oa.stepCount());
        setGrad(a, 0.1f, 0.2f);
        setGrad(b, 0.1f, 0.2f);
        oa.step();
        ob.step();
        assertArrayEquals(a.toArray(), b.toArray());
        Map<String, float[]> bad = new LinkedHashMap<>(oa.state());
        bad.put("exp_avg.w", new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ob.loadState(bad, 1));
        assertTrue(e.getMessage().contains("exp_avg.w"), e.getMessage());
    }

    @Test
    void parametersWithoutGradientsAreSkippedAndGroupsSplitByRank() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        named.put("w", Tensor.ones(2, 2).requiresGrad(true));
        named.put("b", Tensor.ones(2).requiresGrad(true));
        ParamGroup[] groups = ParamGroup.decayTwoDimensional(named, 0.1f);
        assertEquals(List.of("w"), List.copyOf(groups[0].params().keySet()));
        assertEquals(List.of("b"), List.copyOf(groups[1].params().keySet()));
        AdamW opt = new AdamW(List.of(groups), 0.1f, 0.9f, 0.99f, 1e-8f);
        opt.step();
        assertArrayEquals(new float[] {1, 1, 1, 1}, named.get("w").toArray());
    }

    @Test
    void clipGradNormScalesToTheMaximumAndReturnsThePreClipNorm() {
        Tensor a = param(0f, 0f), b = param(0f);
        setGrad(a, 3f, 0f);
        setGrad(b, 4f);
        float norm = GradClip.clipGradNorm(List.of(a, b), 1f);
        assertEquals(5f, norm, 1e-6f);
        assertEquals(0.6f, a.grad().toArray()[0], 1e-5f);
        assertEquals(0.8f, b.grad().item(), 1e-5f);
        assertEquals(1f, GradClip.clipGradNorm(List.of(a, b), 10f), 1e-5f);
        assertEquals(0.8f, b.grad().item(), 1e-5f);
        assertEquals(1f, GradClip.clipGradNorm(List.of(a, b), Float.POSITIVE_INFINITY), 1e-5f);
        assertEquals(0.8f, b.grad().item(), 1e-5f);
    }

    @Test
    void aModulesTiedParameterCountsOnceInItsNorm() {
        class Tied extends dev.vecgrad.nn.Module {
            final dev.vecgrad.nn.Linear first = registerModule("first", new dev.vecgrad.nn.Linear(2, 1, true));
            final dev.vecgrad.nn.Linear second = registerModule("second", new dev.vecgrad.nn.Linear(first.weight(), null));
        }
        Tied m = new Tied();
        m.first.weight().tensor().setGrad(Tensor.of(new float[] {3f, 0f}, 1, 2));
        setGrad(m.first.bias().tensor(), 4f);
        assertEquals(5f, GradClip.globalNorm(m), 1e-6f);   // sqrt(9 + 16): the shared weight once
        assertEquals(5f, GradClip.clipGradNorm(m, 1f), 1e-6f);
        assertEquals(0.6f, m.first.weight().tensor().grad().toArray()[0], 1e-5f);
        assertEquals(0.8f, m.first.bias().tensor().grad().item(), 1e-5f);
    }

    /** A bound that is not positive would have scaled the gradients by a negative factor: ascent, silently. */
    @Test
    void aClipBoundThatIsNotPositiveIsRefused() {
        Tensor a = param(0f);
        setGrad(a, 3f);
        for (float bad : new float[] {-1f, 0f, Float.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(a), bad));
            assertTrue(e.getMessage().contains("maxNorm must be positive, got " + bad), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GradClip.coefficient(2f, bad));
        }
        assertEquals(3f, a.grad().item(), 0f);
    }

    /** Parameters of many sizes (small ones, ones spanning chunks, an empty one), two groups, one transposed gradient. */
    private static Map<String, Tensor> mixedParams(long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        Map<String, Tensor> named = new LinkedHashMap<>();
        int[] sizes = {5, 128, 0, 16381, 40000, 3, 70001, 9};
        for (int i = 0; i < sizes.length; i++) {
            Tensor p = Tensor.randn(r, sizes[i]).requiresGrad(true);
            p.setGrad(Tensor.randn(r, sizes[i]).mul(0.3f));
            named.put("p" + i, p);
        }
        Tensor w = Tensor.randn(r, 96, 130).requiresGrad(true);
        w.setGrad(Tensor.randn(r, 130, 96).transpose(0, 1));   // not contiguous
        named.put("w", w);
        return named;
    }

    private static float[][] afterSteps(Map<String, Tensor> named, boolean fused, int steps) {
        AdamW opt = new AdamW(List.of(ParamGroup.decayTwoDimensional(named, 0.1f)), 3e-3f, 0.9f, 0.99f, 1e-8f);
        List<Tensor> params = List.copyOf(named.values());
        List<float[]> grads = new java.util.ArrayList<>();
        for (Tensor p : params) grads.add(p.grad().toArray());
        for (int s = 0; s < steps; s++) {
            if (s > 0) {   // the same gradients again, added into the zeroed arrays as backward would
                try (var g = dev.vecgrad.autograd.Grad.disabled()) {
                    for (int i = 0; i < params.size(); i++) {
                        params.get(i).grad().addInPlace(Tensor.of(grads.get(i), params.get(i).shape()));
                    }
                }
            }
            if (fused) {
                float norm = GradClip.globalNorm(params);
                opt.step(GradClip.coefficient(norm, 1f), true);
            } else {
                GradClip.clipGradNorm(params, 1f);
                opt.step();
                opt.zeroGrad(false);
            }
        }
        float[][] out = new float[params.size() * 2][];
        for (int i = 0; i < params.size(); i++) {
            out[2 * i] = params.get(i).toArray();
            out[2 * i + 1] = params.get(i).grad().toArray();
        }
        return out;
    }

    /**
     * AdamW's fused pass (clipping coefficient, update and zeroing over all parameters at once, in
     * parallel) gives the bits of clipping in place, stepping and zeroing one after another, and
     * the same bits at 1, 2 and 3 threads; so does the gradient norm.
     */
    @Test
    void fusedClipStepAndZeroMatchTheSeparatePassesAtAnyThreadCount() {
        int before = dev.vecgrad.autograd.kernel.Parallel.threads();
        try {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(1);
            float[][] reference = afterSteps(mixedParams(7), false, 3);
            float refNorm = GradClip.globalNorm(mixedParams(8).values());
            for (int threads = 1; threads <= 3; threads++) {
                dev.vecgrad.autograd.kernel.Parallel.setThreads(threads);
                float[][] got = afterSteps(mixedParams(7), true, 3);
                for (int i = 0; i < got.length; i++) assertArrayEquals(reference[i], got[i], "array " + i + " at " + threads + " threads");
                assertEquals(Float.floatToIntBits(refNorm), Float.floatToIntBits(GradClip.globalNorm(mixedParams(8).values())),
                        "norm at " + threads + " threads");
            }
        } finally {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(before);
        }
        float[][] zeroed = afterSteps(mixedParams(7), true, 1);
        for (int i = 1; i < zeroed.length; i += 2) {
            for (float x : zeroed[i]) assertEquals(0, Float.floatToIntBits(x), "gradient " + i / 2 + " is zero-filled (+0)");
        }
    }

    @Test
    void sgdTakesTheScaleAndZeroesLikeTheSeparatePasses() {
        Tensor a = param(1f, 2f), b = param(1f, 2f);
        SGD oa = new SGD(List.of(new ParamGroup(Map.of("w", a), 0.1f)), 0.1f, 0.9f, false);
        SGD ob = new SGD(List.of(new ParamGroup(Map.of("w", b), 0.1f)), 0.1f, 0.9f, false);
        for (int s = 0; s < 2; s++) {
            setGrad(a, 3f, -4f);
            setGrad(b, 3f, -4f);
            GradClip.clipGradNorm(List.of(a), 1f);
            oa.step();
            oa.zeroGrad(false);
            ob.step(GradClip.coefficient(GradClip.globalNorm(List.of(b)), 1f), true);
            assertArrayEquals(a.toArray(), b.toArray());
            assertArrayEquals(new float[] {0f, 0f}, b.grad().toArray());
        }
        assertThrows(IllegalArgumentException.class, () -> ob.step(Float.NaN, false));
    }

    @Test
    void warmupCosineFollowsNanoGpt() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3f, 1e-4f, 100, 2000);
        assertEquals(1e-3f * 1 / 101, s.lr(0), 1e-9f);
        assertEquals(1e-3f * 100 / 101, s.lr(99), 1e-9f);
        assertEquals(1e-3f, s.lr(100), 1e-9f);
        assertEquals(0.55e-3f, s.lr(1050), 1e-7f);
        assertEquals(1e-4f, s.lr(2000), 1e-9f);
        assertEquals(1e-4f, s.lr(5000), 1e-9f);
        assertEquals(0.3f, LrSchedule.constant(0.3f).lr(12345));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1, 0, 10, 5));
    }

    @Test
    void setLrRefusesWhatTheConstructorRefuses() {
        SGD sgd = new SGD(List.of(new ParamGroup(Map.of("p", param(1f)), 0f)), 0.1f, 0f, false);
        for (float bad : new float[] {-1e-3f, Float.NaN, Float.POSITIVE_INFINITY}) {
            String msg = assertThrows(IllegalArgumentException.class, () -> sgd.setLr(bad)).getMessage();
            assertEquals("optimizer: invalid learning rate " + bad, msg);
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), bad, 0f, false));
        }
        assertEquals(0.1f, sgd.lr());
        sgd.setLr(0f);
        assertEquals(0f, sgd.lr());
    }

    @Test
    void aModuleGivesItsParametersToAGroupByName() {
        dev.vecgrad.nn.GPT model = new dev.vecgrad.nn.GPT(dev.vecgrad.nn.GPTConfig.tiny(), 1L);
        ParamGroup all = ParamGroup.of(model, 0.1f);
        assertEquals(List.copyOf(model.namedParameters().keySet()), List.copyOf(all.params().keySet()));   // lm_head tied: once
        model.namedParameters().forEach((name, p) -> assertTrue(p.tensor() == all.params().get(name), name));
        assertEquals(0.1f, all.weightDecay());
        Map<String, Tensor> named = new LinkedHashMap<>(all.params());
        ParamGroup[] byMap = ParamGroup.decayTwoDimensional(named, 0.1f), byModule = ParamGroup.decayTwoDimensional(model, 0.1f);
        for (int g = 0; g < 2; g++) assertEquals(byMap[g], byModule[g]);
    }
}
