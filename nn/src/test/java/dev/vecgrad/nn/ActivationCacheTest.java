package dev.vecgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.autograd.Workspace;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Capture points, the activation cache and interventions. */
class ActivationCacheTest {
    private static final int V = 13, B = 2, T = 9, L = 2, H = 3, C = 24, HS = C / H;

    private static GPT model(float dropout, long seed) {
        GPT g = new GPT(new GPTConfig(L, H, C, 16, V, true, dropout), seed);
        // Non-trivial LayerNorm and bias values, so a recomputation that ignored them would differ.
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (var e : g.namedParameters().entrySet()) {
            if (e.getKey().contains(".ln_") || e.getKey().endsWith(".bias")) {
                Tensor p = e.getValue().tensor();
                float[] v = p.toArray();
                for (int i = 0; i < v.length; i++) v[i] += (float) r.nextGaussian(0, 0.1);
                try (Grad x = Grad.disabled()) {
                    p.copyInPlace(Tensor.of(v, p.shape()));
                }
            }
        }
        return g;
    }

    private static int[] ids(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] idx = new int[B * T];
        for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt(V);
        return idx;
    }

    @Test
    void cachingChangesNothingBitForBit() {
        int[] idx = ids(3);
        for (float dropout : new float[] {0f, 0.2f}) {
            GPT plain = model(dropout, 7), cached = model(dropout, 7);
            plain.train();
            cached.train();
            // Training mode with dropout and inside a workspace, as in the trainer.
            Workspace ws = new Workspace();
            float[] a, b;
            ActivationCache cache = new ActivationCache();
            try (var s = ws.open()) {
                a = plain.forward(idx, B, T).toArray();
            }
            try (var s = ws.open()) {
                b = cached.forward(idx, B, T, cache).toArray();
            }
            assertArrayEquals(a, b, "dropout " + dropout);
            assertEquals(2 + 14 * L + 1, cache.names().size());
            // The cache's copies outlived the scope: a new scope reusing the arrays does not touch them.
            float[] kept = cache.get("blocks.1.hook_resid_post").toArray();
            try (var s = ws.open()) {
                plain.forward(ids(4), B, T);
            }
            assertArrayEquals(kept, cache.get("blocks.1.hook_resid_post").toArray());
        }
    }

    @Test
    void everyCachedTensorEqualsAnIndependentRecomputation() {
        GPT g = model(0f, 11);
        g.eval();
        int[] idx = ids(5);
        ActivationCache c = new ActivationCache();
        float[] logits;
        try (Grad x = Grad.disabled()) {
            logits = g.forward(idx, B, T, c).toArray();
        }
        double[][] wte = mat(g.wte().weight().tensor()), wpe = mat(g.wpe().weight().tensor());
        double[][][] resid = new double[B * T][][];
        double[][] x = new double[B * T][C];
        for (int r = 0; r < B * T; r++) for (int i = 0; i < C; i++) x[r][i] = wte[idx[r]][i] + wpe[r % T][i];
        check(c.get("hook_embed"), rows(B * T, C, (r, i) -> wte[idx[r]][i]));
        check(c.get("hook_pos_embed"), rows(T, C, (r, i) -> wpe[r][i]));
        for (int l = 0; l < L; l++) {
            Block blk = g.blocks().get(l);
            check(c.get(HookPoint.RESID_PRE, l), x);
            double[][] h1 = layerNorm(x, blk.ln1());
            check(c.get(HookPoint.LN1_NORMALIZED, l), h1);
            double[][] qkv = linear(h1, blk.attn().cAttn());
            for (int part = 0; part < 3; part++) {
                int off = part * C;
                check(c.get(new HookPoint[] {HookPoint.ATTN_Q, HookPoint.ATTN_K, HookPoint.ATTN_V}[part], l),
                        rows(B * T, C, (r, i) -> qkv[r][off + i]));
            }
            // The pattern from the cached q and k: softmax(q k^T / sqrt(hs) + causal mask).
            float[] q = c.get(HookPoint.ATTN_Q, l).toArray(), k = c.get(HookPoint.ATTN_K, l).toArray(),
                    v = c.get(HookPoint.ATTN_V, l).toArray();
            double[][] pattern = new double[B * H * T][T];
            double[][] z = new double[B * T][C];
            for (int b = 0; b < B; b++) {
                for (int h = 0; h < H; h++) {
                    for (int i = 0; i < T; i++) {
                        double[] row = pattern[(b * H + h) * T + i];
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int j = 0; j <= i; j++) {
                            double dot = 0;
                            for (int d = 0; d < HS; d++) dot += (double) q[((b * T + i) * H + h) * HS + d] * k[((b * T + j) * H + h) * HS + d];
                            row[j] = dot / Math.sqrt(HS);
                            max = Math.max(max, row[j]);
                        }
                        for (int j = 0; j <= i; j++) sum += row[j] = Math.exp(row[j] - max);
                        for (int j = 0; j <= i; j++) row[j] /= sum;
                        for (int d = 0; d < HS; d++) {
                            double s = 0;
                            for (int j = 0; j <= i; j++) s += row[j] * v[((b * T + j) * H + h) * HS + d];
                            z[b * T + i][h * HS + d] = s;
                        }
                    }
                }
            }
            check(c.get(HookPoint.ATTN_PATTERN, l), pattern);
            check(c.get(HookPoint.ATTN_Z, l), z);
            // The head outputs recombine through c_proj into the attention output.
            double[][] attnOut = linear(rowsOf(c.get(HookPoint.ATTN_Z, l), B * T, C), blk.attn().cProj());
            check(c.get(HookPoint.ATTN_OUT, l), attnOut);
            double[][] mid = add(x, attnOut);
            check(c.get(HookPoint.RESID_MID, l), mid);
            double[][] h2 = layerNorm(mid, blk.ln2());
            check(c.get(HookPoint.LN2_NORMALIZED, l), h2);
            double[][] pre = linear(h2, blk.mlp().cFc());
            check(c.get(HookPoint.MLP_PRE, l), pre);
            double[][] post = new double[B * T][4 * C];
            for (int r = 0; r < B * T; r++) {
                for (int i = 0; i < 4 * C; i++) {
                    double u = pre[r][i];
                    post[r][i] = 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
                }
            }
            check(c.get(HookPoint.MLP_POST, l), post);
            double[][] mlpOut = linear(post, blk.mlp().cProj());
            check(c.get(HookPoint.MLP_OUT, l), mlpOut);
            x = add(mid, mlpOut);
            check(c.get(HookPoint.RESID_POST, l), x);
        }
        double[][] fin = layerNorm(x, g.lnF());
        check(c.get("ln_final.hook_normalized"), fin);
        double[][] lg = new double[B * T][V];
        for (int r = 0; r < B * T; r++) for (int o = 0; o < V; o++) for (int i = 0; i < C; i++) lg[r][o] += fin[r][i] * wte[o][i];
        check(Tensor.of(logits, B * T, V), lg);
        // The logit lens of the last layer is the model's own output.
        try (Grad gd = Grad.disabled()) {
            assertArrayEquals(logits, g.unembed(c.get(HookPoint.RESID_POST, L - 1)).toArray());
        }
    }

    @Test
    void ablatingEveryHeadOfALayerLeavesOnlyTheProjectionBias() {
        GPT g = model(0f, 13);
        g.eval();
        int[] idx = ids(6);
        int layer = 1;
        float[] bias = g.blocks().get(layer).attn().cProj().bias().tensor().toArray();
        float[] full = new float[B * T * C];
        for (int r = 0; r < B * T; r++) System.arraycopy(bias, 0, full, r * C, C);
        try (Grad x = Grad.disabled()) {
            ActivationCache c = new ActivationCache();
            float[] ablated = g.forward(idx, B, T, Interventions.zeroAblateHeads(layer, 0, 1, 2).andThen(c)).toArray();
            assertArrayEquals(full, c.get(HookPoint.ATTN_OUT, layer).toArray());
            // A model whose c_proj output for that layer is its bias.
            float[] biasOnly = g.forward(idx, B, T, (p, l, v) -> p == HookPoint.ATTN_OUT && l == layer
                    ? Tensor.of(full, B, T, C) : v).toArray();
            assertArrayEquals(biasOnly, ablated);
            assertFalse(Arrays.equals(ablated, g.forward(idx, B, T).toArray()));
        }
    }

    @Test
    void patchingAnActivationWithItsOwnValueChangesNothing() {
        GPT g = model(0f, 17);
        g.eval();
        int[] idx = ids(8);
        try (Grad x = Grad.disabled()) {
            ActivationCache c = new ActivationCache();
            float[] clean = g.forward(idx, B, T, c).toArray();
            assertArrayEquals(clean, g.forward(idx, B, T).toArray());
            for (String name : c.names()) {
                float[] patched = g.forward(idx, B, T, Interventions.patch(name, c.get(name))).toArray();
                assertArrayEquals(clean, patched, name);
            }
            float[] some = g.forward(idx, B, T, Interventions.patchPositions("blocks.0.hook_resid_post",
                    c.get("blocks.0.hook_resid_post"), 2, 5)).toArray();
            assertArrayEquals(clean, some);
        }
    }

    @Test
    void patchingFromAnotherPromptMovesExactlyTheLaterPositions() {
        GPT g = model(0f, 19);
        g.eval();
        int[] a = ids(20), b = ids(21);
        try (Grad x = Grad.disabled()) {
            ActivationCache ca = new ActivationCache();
            g.forward(a, B, T, ca);
            float[] clean = g.forward(b, B, T).toArray();
            int pos = 4;
            float[] patched = g.forward(b, B, T, Interventions.patchPositions("blocks.0.hook_resid_pre",
                    ca.get("blocks.0.hook_resid_pre"), pos)).toArray();
            for (int bi = 0; bi < B; bi++) {
                int before = (bi * T + pos) * V;
                // Causal: positions before the patched one are untouched, the patched one moves.
                assertArrayEquals(Arrays.copyOfRange(clean, bi * T * V, before), Arrays.copyOfRange(patched, bi * T * V, before));
                assertFalse(Arrays.equals(Arrays.copyOfRange(clean, before, before + V), Arrays.copyOfRange(patched, before, before + V)));
            }
        }
    }

    @Test
    void meanAblationReplacesOneHeadAndNoOther() {
        GPT g = model(0f, 23);
        g.eval();
        int[] idx = ids(9);
        try (Grad x = Grad.disabled()) {
            ActivationCache clean = new ActivationCache();
            g.forward(idx, B, T, clean);
            float[][] means = Interventions.headMeans(clean, 0);
            ActivationCache after = new ActivationCache();
            g.forward(idx, B, T, Interventions.meanAblateHead(0, 1, means[1]).andThen(after));
            float[] z0 = clean.get(HookPoint.ATTN_Z, 0).toArray(), z1 = after.get(HookPoint.ATTN_Z, 0).toArray();
            for (int r = 0; r < B * T; r++) {
                for (int h = 0; h < H; h++) {
                    for (int d = 0; d < HS; d++) {
                        int i = (r * H + h) * HS + d;
                        assertEquals(h == 1 ? means[1][d] : z0[i], z1[i], 0f);
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> g.forward(idx, B, T, Interventions.zeroAblateHeads(0, H)));
            assertThrows(IllegalArgumentException.class, () -> Interventions.patch("blocks.x.hook_q", clean.get("hook_embed")));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> g.forward(idx, B, T, Interventions.patch("hook_embed", clean.get("hook_pos_embed"))));
            assertTrue(e.getMessage().contains("hook_embed"), e.getMessage());
            var missing = assertThrows(IllegalArgumentException.class, () -> clean.get("blocks.9.hook_resid_pre"));
            assertTrue(missing.getMessage().contains("blocks.9.hook_resid_pre"));
        }
    }

    @Test
    void anInterventionOnABlockTheModelLacksIsRefusedNotSilentlyIgnored() {
        GPT g = model(0f, 29);
        g.eval();
        int[] idx = ids(10);
        try (Grad x = Grad.disabled()) {
            ActivationCache clean = new ActivationCache();
            g.forward(idx, B, T, clean);
            float[] mean = Interventions.headMeans(clean, 0)[0];
            Tensor resid = clean.get("blocks.0.hook_resid_post");
            for (ActivationHook h : new ActivationHook[] {Interventions.zeroAblateHeads(L, 0),
                    Interventions.meanAblateHead(L + 3, 0, mean),
                    Interventions.patch("blocks." + L + ".hook_resid_post", resid),
                    Interventions.patchPositions("blocks.7.hook_resid_pre", resid, 1),
                    new ActivationCache().andThen(Interventions.zeroAblateHeads(5, 0))}) {
                var e = assertThrows(IllegalArgumentException.class, () -> g.forward(idx, B, T, h));
                assertTrue(e.getMessage().contains("but the model has blocks 0.." + (L - 1)), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> Interventions.zeroAblateHeads(-1, 0));
            // model-wide points and the last block are in every model
            g.forward(idx, B, T, Interventions.patch("hook_embed", clean.get("hook_embed")).andThen(Interventions.zeroAblateHeads(L - 1, 0)));
        }
    }

    @Test
    void anAblationOfAHeadTheModelLacksIsRefusedBeforeTheForward() {
        GPTConfig c = model(0f, 29).config();
        // checkTargets is what GPT.forward calls before the first block runs
        for (ActivationHook h : new ActivationHook[] {Interventions.zeroAblateHeads(0, 1, H),
                Interventions.zeroAblateHeads(L - 1, -1),
                Interventions.meanAblateHead(0, H + 2, new float[HS]),
                new ActivationCache().andThen(Interventions.zeroAblateHeads(1, H))}) {
            var e = assertThrows(IllegalArgumentException.class, () -> h.checkTargets(c));
            assertTrue(e.getMessage().contains(" out of range; block ") && e.getMessage().endsWith(" has " + H), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Interventions.meanAblateHead(0, 0, new float[HS + 1]).checkTargets(c));
        assertEquals("ablation: the mean of head 0 has " + (HS + 1) + " values, the head has " + HS, e.getMessage());
        Interventions.zeroAblateHeads(L - 1, 0, H - 1).checkTargets(c);
        Interventions.meanAblateHead(0, H - 1, new float[HS]).checkTargets(c);
    }

    @Test
    void namesRoundTrip() {
        for (HookPoint p : HookPoint.values()) {
            HookPoint.Named n = HookPoint.parse(p.name(p.perBlock() ? 12 : -1));
            assertEquals(p, n.point());
            assertEquals(p.perBlock() ? 12 : -1, n.layer());
        }
        assertEquals("blocks.1.attn.hook_pattern", HookPoint.ATTN_PATTERN.name(1));
        for (String bad : new String[] {"", "blocks..hook_q", "blocks.1.attn.hook_nope", "blocks.-1.hook_resid_pre", "hook_embedx"}) {
            assertThrows(IllegalArgumentException.class, () -> HookPoint.parse(bad), bad);
        }
        // null: one clear error at once, not a NullPointerException (for patchPositions: during a later forward).
        assertThrows(IllegalArgumentException.class, () -> HookPoint.parse(null));
        var noValue = assertThrows(IllegalArgumentException.class, () -> Interventions.patchPositions("blocks.0.hook_resid_pre", null, 1));
        assertTrue(noValue.getMessage().contains("no value for blocks.0.hook_resid_pre"), noValue.getMessage());
    }

    // ------------------------------------------------------------------ double-precision reference

    private interface Cell {
        double at(int r, int i);
    }

    private static double[][] rows(int n, int m, Cell f) {
        double[][] out = new double[n][m];
        for (int r = 0; r < n; r++) for (int i = 0; i < m; i++) out[r][i] = f.at(r, i);
        return out;
    }

    private static double[][] mat(Tensor t) {
        return rowsOf(t, t.size(0), t.size(1));
    }

    private static double[][] rowsOf(Tensor t, int n, int m) {
        float[] v = t.toArray();
        return rows(n, m, (r, i) -> v[r * m + i]);
    }

    private static double[][] add(double[][] a, double[][] b) {
        return rows(a.length, a[0].length, (r, i) -> a[r][i] + b[r][i]);
    }

    private static double[][] linear(double[][] x, Linear lin) {
        double[][] w = mat(lin.weight().tensor());
        float[] bias = lin.bias() == null ? null : lin.bias().tensor().toArray();
        double[][] out = new double[x.length][w.length];
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < w.length; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < w[o].length; i++) s += x[r][i] * w[o][i];
                out[r][o] = s;
            }
        }
        return out;
    }

    private static double[][] layerNorm(double[][] x, LayerNorm ln) {
        float[] w = ln.weight().tensor().toArray(), b = ln.bias() == null ? null : ln.bias().tensor().toArray();
        double[][] out = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            int n = x[r].length;
            double mean = 0, var = 0;
            for (double v : x[r]) mean += v;
            mean /= n;
            for (double v : x[r]) var += (v - mean) * (v - mean);
            var /= n;
            out[r] = new double[n];
            for (int i = 0; i < n; i++) out[r][i] = (x[r][i] - mean) / Math.sqrt(var + LayerNorm.EPS) * w[i] + (b == null ? 0 : b[i]);
        }
        return out;
    }

    private static void check(Tensor got, double[][] want) {
        float[] g = got.toArray();
        int m = want[0].length;
        assertEquals(want.length * m, g.length, "size of " + Arrays.toString(got.shape()));
        for (int r = 0; r < want.length; r++) {
            for (int i = 0; i < m; i++) {
                double w = want[r][i];
                assertTrue(Math.abs(w - g[r * m + i]) <= 2e-4 * Math.max(1, Math.abs(w)), "row " + r + " col " + i + ": " + w + " vs " + g[r * m + i]);
            }
        }
    }
}
