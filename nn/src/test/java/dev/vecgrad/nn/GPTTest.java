package dev.vecgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GPTTest {
    static final GPTConfig SMALL = new GPTConfig(1, 2, 8, 4, 5, true, 0f);

    static int[] tokens(long seed, int n, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
        return ids;
    }

    @Test
    void shakespeareCharHas809856Parameters() {
        assertEquals(809_856L, new GPT(GPTConfig.shakespeareChar(65), 0).numParameters());
    }

    /** The mode setters return the GPT itself (a Module before), so a model can be made and set in one line. */
    @Test
    void modeSettersReturnTheModelAndReachEveryBlock() {
        GPT g = new GPT(GPTConfig.shakespeareChar(65), 0).eval();
        assertFalse(g.isTraining());
        assertFalse(g.blocks().get(0).isTraining());
        GPT same = g.train();
        assertSame(g, same);
        assertTrue(g.blocks().get(3).isTraining());
        assertFalse(g.train(false).lnF().isTraining());
    }

    @Test
    void parameterNamesAndShapesAreNanoGpts() {
        List<String> got = new ArrayList<>();
        new GPT(SMALL, 1).namedParameters().forEach((n, p) -> got.add(n + " " + Arrays.toString(p.shape())));
        String h = "transformer.h.0.";
        assertEquals(List.of(
                "transformer.wte.weight [5, 8]", "transformer.wpe.weight [4, 8]",
                h + "ln_1.weight [8]", h + "ln_1.bias [8]",
                h + "attn.c_attn.weight [24, 8]", h + "attn.c_attn.bias [24]",
                h + "attn.c_proj.weight [8, 8]", h + "attn.c_proj.bias [8]",
                h + "ln_2.weight [8]", h + "ln_2.bias [8]",
                h + "mlp.c_fc.weight [32, 8]", h + "mlp.c_fc.bias [32]",
                h + "mlp.c_proj.weight [8, 32]", h + "mlp.c_proj.bias [8]",
                "transformer.ln_f.weight [8]", "transformer.ln_f.bias [8]"), got);
        GPT noBias = new GPT(new GPTConfig(2, 2, 8, 4, 5, false, 0f), 1);
        assertTrue(noBias.namedParameters().keySet().stream().noneMatch(n -> n.endsWith(".bias")));
        assertEquals(2 * 6, noBias.namedParameters().size() - 3);
    }

    @Test
    void stateDictExposesTiedHeadAndLoadsFromEitherName() {
        GPT a = new GPT(SMALL, 1), b = new GPT(SMALL, 2);
        Map<String, Tensor> sd = a.stateDict();
        assertSame(sd.get("transformer.wte.weight"), sd.get("lm_head.weight"));
        assertEquals(a.namedParameters().size() + 1, sd.size());
        sd.remove("transformer.wte.weight");
        b.loadStateDict(sd, true);
        assertArrayEquals(a.wte().weight().tensor().toArray(), b.lmHead().weight().tensor().toArray());
        int[] idx = tokens(3, 8, 5);
        assertArrayEquals(a.forward(idx, 2, 4).toArray(), b.forward(idx, 2, 4).toArray());
        sd.put("transformer.h.0.attn.bias", Tensor.ones(1, 1, 4, 4));   // nanoGPT's mask buffer
        assertEquals(List.of("transformer.h.0.attn.bias"), b.loadStateDict(sd, true).ignoredKeys());
    }

    @Test
    void initIsGpt2sAndSeeded() {
        GPT g = new GPT(GPTConfig.shakespeareChar(65), 7);
        Map<String, Parameter> p = g.namedParameters();
        assertEquals(0.02, std(p.get("transformer.h.0.mlp.c_fc.weight")), 0.001);
        assertEquals(0.02 / Math.sqrt(8), std(p.get("transformer.h.3.mlp.c_proj.weight")), 0.0005);
        assertEquals(0.02 / Math.sqrt(8), std(p.get("transformer.h.1.attn.c_proj.weight")), 0.0005);
        assertEquals(0.02, std(p.get("transformer.wte.weight")), 0.001);
        assertTrue(Arrays.equals(new float[384], p.get("transformer.h.2.attn.c_attn.bias").tensor().toArray()));
        float[] ln = p.get("transformer.ln_f.weight").tensor().toArray();
        for (float f : ln) assertEquals(1f, f);
        GPT same = new GPT(GPTConfig.shakespeareChar(65).withDropout(0.1f), 7);
        assertArrayEquals(g.wpe().weight().tensor().toArray(), same.wpe().weight().tensor().toArray());
    }

    private static double std(Parameter p) {
        float[] a = p.tensor().toArray();
        double s = 0, s2 = 0;
        for (float f : a) {
            s += f;
            s2 += (double) f * f;
        }
        double m = s / a.length;
        return Math.sqrt(s2 / a.length - m * m);
    }

    @Test
    void forwardShapesAndLossAtInitIsAboutLnV() {
        GPTConfig c = GPTConfig.tiny(50);
        GPT g = new GPT(c, 3);
        int b = 3, t = 16;
        Tensor logits = g.forward(tokens(1, b * t, 50), b, t);
        assertArrayEquals(new int[] {b, t, 50}, logits.shape());
        float loss = g.loss(logits, tokens(2, b * t, 50)).item();
        assertEquals(Math.log(50), loss, 0.1);
        assertArrayEquals(new int[] {1, 5, 50}, g.forward(tokens(1, 5, 50), 1, 5).shape());
    }

    @Test
    void earlierLogitsDoNotSeeLaterTokens() {
        GPT g = new GPT(GPTConfig.tiny(11), 5);
        int t = 8;
        int[] idx = tokens(4, t, 11);
        float[] before = g.forward(idx, 1, t).toArray();
        idx[5] = (idx[5] + 1) % 11;
        float[] after = g.forward(idx, 1, t).toArray();
        int v = 11;
        assertArrayEquals(Arrays.copyOf(before, 5 * v), Arrays.copyOf(after, 5 * v));
        assertFalse(Arrays.equals(Arrays.copyOfRange(before, 5 * v, 6 * v), Arrays.copyOfRange(after, 5 * v, 6 * v)));
    }

    @Test
    void capturedAttentionRowsSumToOneAndAreCausal() {
        GPT g = new GPT(GPTConfig.tiny(11), 5);
        ActivationCache cache = new ActivationCache(n -> n.endsWith("hook_pattern"));
        g.forward(tokens(4, 2 * 6, 11), 2, 6, cache);
        assertEquals(2, cache.names().size());
        for (int l = 0; l < 2; l++) {
            Tensor att = cache.get(HookPoint.ATTN_PATTERN, l);
            assertArrayEquals(new int[] {2, 2, 6, 6}, att.shape());
            for (int b = 0; b < 2; b++) {
                for (int h = 0; h < 2; h++) {
                    for (int i = 0; i < 6; i++) {
                        double s = 0;
                        for (int j = 0; j < 6; j++) {
                            if (j > i) assertEquals(0f, att.get(b, h, i, j));
                            s += att.get(b, h, i, j);
                        }
                        assertEquals(1.0, s, 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void dropoutOnlyInTrainingMode() {
        GPTConfig c = GPTConfig.tiny(11).withDropout(0.3f);
        GPT g = new GPT(c, 9);
        GPT plain = new GPT(c.withDropout(0f), 9);
        int[] idx = tokens(1, 8, 11);
        assertNotEquals(Arrays.toString(g.forward(idx, 1, 8).toArray()), Arrays.toString(g.forward(idx, 1, 8).toArray()));
        g.eval();
        float[] e1 = g.forward(idx, 1, 8).toArray();
        assertArrayEquals(e1, g.forward(idx, 1, 8).toArray());
        assertArrayEquals(plain.forward(idx, 1, 8).toArray(), e1, 1e-6f);
    }

    @Test
    void inputErrorsNameTheProblem() {
        GPT g = new GPT(SMALL, 1);
        int[] idx = {0, 1, 2, 3, 4, 0, 7, 1};
        var e = assertThrows(IllegalArgumentException.class, () -> g.forward(idx, 2, 4));
        assertEquals("GPT.forward: token id 7 at (batch 1, time 2) is out of range for vocabulary size 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.forward(new int[10], 2, 5));
        assertEquals("GPT.forward: cannot forward a sequence of length 5, block size is only 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.forward(new int[7], 2, 4));
        assertTrue(e.getMessage().contains("7 token ids do not fill [B=2, T=4]"));
        Tensor logits = g.forward(new int[8], 2, 4);
        e = assertThrows(IllegalArgumentException.class, () -> g.loss(logits, new int[] {0, 0, 0, 0, 0, 9, 0, 0}));
        assertTrue(e.getMessage().contains("target 9 at (batch 1, time 1)"), e.getMessage());
    }

    @Test
    void ignoredTargetsAreLeftOut() {
        GPT g = new GPT(SMALL, 1);
        Tensor logits = g.forward(new int[] {1, 2, 3, 4}, 1, 4);
        float all = g.loss(logits, new int[] {2, 3, 4, 0}).item();
        float part = g.loss(logits, new int[] {2, -1, -1, -1}).item();
        float first = logits.narrow(1, 0, 1).reshape(1, 5).crossEntropy(new int[] {2}).item();
        assertEquals(first, part, 1e-6f);
        assertNotEquals(all, part);
    }

    @Test
    void tinyGptOverfitsOneBatchWithPlainSgd() {
        GPT g = new GPT(new GPTConfig(2, 2, 32, 8, 10, true, 0f), 11);
        int b = 4, t = 8;
        int[] idx = tokens(21, b * t, 10), targets = new int[b * t];
        for (int i = 0; i < targets.length; i++) targets[i] = (idx[i] + 3) % 10;   // learnable from the current token
        float first = Float.NaN, last = Float.NaN;
        for (int step = 0; step < 30; step++) {
            g.zeroGrad();
            Tensor loss = g.loss(g.forward(idx, b, t), targets);
            loss.backward();
            if (step == 0) first = loss.item();
            last = loss.item();
            try (Grad off = Grad.disabled()) {
                for (Parameter p : g.parameters()) p.tensor().addInPlace(p.grad(), -0.3f);
            }
        }
        assertEquals(Math.log(10), first, 0.2);
        assertTrue(last < 0.25 * first, "loss went from " + first + " to " + last);
    }
}
