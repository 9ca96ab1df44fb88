package dev.vecgrad.train.optim;

import dev.vecgrad.autograd.kernel.AdamWKernel;
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
     * An AdamW over the given groups, with empty moment estimates.
     *
     * @param groups parameter groups (each with its weight decay)
     * @param lr     learning rate
     * @param beta1  first-moment decay (0.9)
     * @param beta2  second-moment decay (0.999; nanoGPT's small runs use 0.99)
     * @param eps    denominator guard (1e-8)
     * @throws IllegalArgumentException if a beta is outside {@code [0, 1)}, {@code eps} is negative or {@code lr} is invalid
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
        AdamWKernel.Step s = new AdamWKernel.Step(beta1, beta2, eps, (float) (lr / bc1), (float) Math.sqrt(bc2),
                1f - lr * wd);
        AdamWKernel.update(p, po, g, go, mm, vv, n, s);
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
