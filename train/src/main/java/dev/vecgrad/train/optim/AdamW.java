package dev.vecgrad.train.optim;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.autograd.kernel.AdamWKernel;
import dev.vecgrad.autograd.kernel.Parallel;
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
        AdamWKernel.update(p, po, g, go, mm, vv, n, constants(wd));
    }

    private AdamWKernel.Step constants(float wd) {
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        return new AdamWKernel.Step(beta1, beta2, eps, (float) (lr / bc1), (float) Math.sqrt(bc2), 1f - lr * wd);
    }

    /**
     * All parameters in one parallel pass: their elements, laid end to end, are cut into fixed
     * chunks of {@link AdamWKernel#CHUNK} (a chunk may span the end of one small parameter and the
     * start of the next), and each chunk reads its gradients times {@code gradScale}, updates the
     * moments and the parameters and, with {@code zeroGrads}, zero-fills the gradients. One pass
     * over the gradients instead of three (clip, update, zero), on every core: the update was a
     * serial loop over ~50 mostly small tensors. Each element's result does not depend on the
     * split, so it is the same at any thread count and the same as the one-parameter-at-a-time path.
     */
    @Override
    protected void updateAll(List<Slot> slots, float gradScale, boolean zeroGrads) {
        int k = slots.size();
        float[][] ps = new float[k][], gs = new float[k][], ms = new float[k][], vs = new float[k][];
        int[] po = new int[k], go = new int[k], start = new int[k + 1];
        boolean[] copied = new boolean[k];
        AdamWKernel.Step[] steps = new AdamWKernel.Step[k];
        long total = 0;
        for (int i = 0; i < k; i++) {
            Slot s = slots.get(i);
            Tensor p = s.param(), g = s.grad();
            int n = p.numel();
            ps[i] = p.storage();
            po[i] = p.offset();
            copied[i] = !g.isContiguous();
            gs[i] = copied[i] ? g.toArray() : g.storage();
            go[i] = copied[i] ? 0 : g.offset();
            ms[i] = m.computeIfAbsent(s.name(), x -> new float[n]);
            vs[i] = v.computeIfAbsent(s.name(), x -> new float[n]);
            steps[i] = i > 0 && slots.get(i - 1).weightDecay() == s.weightDecay() ? steps[i - 1] : constants(s.weightDecay());
            total += n;
            if (total > Integer.MAX_VALUE) {
                // Beyond one int range of elements: one parameter at a time (each still parallel inside).
                super.updateAll(slots, gradScale, zeroGrads);
                return;
            }
            start[i + 1] = (int) total;
        }
        int all = (int) total;
        Parallel.forRange(all, AdamWKernel.CHUNK, all >= 2 * AdamWKernel.CHUNK, (lo, hi) -> {
            int i = firstSlot(start, lo);
            for (; i < k && start[i] < hi; i++) {
                int a = Math.max(lo, start[i]) - start[i], b = Math.min(hi, start[i + 1]) - start[i];
                if (a < b) {
                    AdamWKernel.updateRun(ps[i], po[i] + a, gs[i], go[i] + a, ms[i], a, vs[i], a, b - a, steps[i],
                            gradScale, zeroGrads && !copied[i]);
                }
            }
        });
        for (int i = 0; i < k; i++) {
            Tensor g = slots.get(i).grad();
            if (zeroGrads && copied[i]) {
                g.fillInPlace(0f);
            } else if (zeroGrads) {
                g.markModified("optimizer step (zeroed the gradient)");
            }
        }
    }

    /** The last slot whose range starts at or before {@code at} (slots of size 0 share a start). */
    private static int firstSlot(int[] start, int at) {
        int lo = 0, hi = start.length - 2;   // slots 0 .. k-1
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (start[mid] <= at) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    @Override
    public Map<String, float[]> state() {
        return state(true);
    }

    @Override
    public Map<String, float[]> stateView() {
        return state(false);
    }

    private Map<String, float[]> state(boolean copy) {
        Map<String, float[]> s = new LinkedHashMap<>();
        for (String name : names()) {
            int n = sizeOf(name);
            float[] mm = m.get(name), vv = v.get(name);
            s.put("exp_avg." + name, mm == null ? new float[n] : copy ? mm.clone() : mm);
            s.put("exp_avg_sq." + name, vv == null ? new float[n] : copy ? vv.clone() : vv);
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
