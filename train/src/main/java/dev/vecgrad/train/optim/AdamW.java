package dev.vecgrad.train.optim;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam with decoupled weight decay and bias correction, with the
 * same arithmetic as {@code torch.optim.AdamW} so results match PyTorch closely.
 */
public final class AdamW extends Optimizer {
    private final float beta1, beta2, eps;
    private final Map<String, float[]> m = new HashMap<>(), v = new HashMap<>();

    /**
     * @param groups parameter groups (each with its weight decay)
     * @param lr     learning rate
     * @param beta1  first-moment decay (0.9)
     * @param beta2  second-moment decay (0.999; nanoGPT's small runs use 0.99)
     * @param eps    denominator guard (1e-8)
     */
    public AdamW(List<ParamGroup> groups, float lr, float beta1, float beta2, float eps) {
        super(groups, lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW: betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("AdamW: eps must be >= 0, got " + eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    protected void update(String name, float[] p, int po, float[] g, int go, int n, float wd) {
        float[] mm = m.computeIfAbsent(name, k -> new float[n]);
        float[] vv = v.computeIfAbsent(name, k -> new float[n]);
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = 1f - lr * wd;
        float b1 = beta1, b2 = beta2, omb1 = 1f - beta1, omb2 = 1f - beta2;
        for (int i = 0; i < n; i++) {
            float gi = g[go + i];
            float mi = b1 * mm[i] + omb1 * gi;
            float vi = b2 * vv[i] + omb2 * gi * gi;
            mm[i] = mi;
            vv[i] = vi;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            p[po + i] = p[po + i] * decay - stepSize * (mi / denom);
        }
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> s = new LinkedHashMap<>();
        for (String name : names()) {
            int n = sizeOf(name);
            s.put("exp_avg." + name, m.containsKey(name) ? m.get(name).clone() : new float[n]);
            s.put("exp_avg_sq." + name, v.containsKey(name) ? v.get(name).clone() : new float[n]);
        }
        return s;
    }

    @Override
    public void loadState(Map<String, float[]> state, long stepCount) {
        Map<String, float[]> nm = new HashMap<>(), nv = new HashMap<>();
        for (String name : names()) {
            nm.put(name, checked(state, "exp_avg." + name, sizeOf(name)));
            nv.put(name, checked(state, "exp_avg_sq." + name, sizeOf(name)));
        }
        m.clear();
        m.putAll(nm);
        v.clear();
        v.putAll(nv);
        step = stepCount;
    }
}
