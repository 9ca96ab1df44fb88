package dev.vecgrad.train.optim;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
 * following {@code torch.optim.SGD} (dampening 0; the first step seeds the momentum buffer
 * with the gradient).
 */
public final class SGD extends Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final Map<String, float[]> buf = new HashMap<>();

    /**
     * SGD with optional momentum; each group's weight decay is an L2 penalty added to the gradient.
     *
     * @param groups parameter groups (each with its weight decay)
     * @param lr learning rate
     * @param momentum the momentum factor (0 for none)
     * @param nesterov use Nesterov momentum (needs momentum &gt; 0)
     * @throws IllegalArgumentException if momentum is negative, or Nesterov is asked for without momentum
     */
    public SGD(List<ParamGroup> groups, float lr, float momentum, boolean nesterov) {
        super(groups, lr);
        if (!(momentum >= 0)) throw new IllegalArgumentException("SGD: momentum must be >= 0, got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    protected void update(String name, float[] p, int po, float[] g, int go, int n, float wd) {
        float[] b = momentum == 0 ? null : buf.get(name);
        boolean first = momentum != 0 && b == null;
        if (first) {
            b = new float[n];
            buf.put(name, b);
        }
        for (int i = 0; i < n; i++) {
            float d = g[go + i] + wd * p[po + i];
            if (b != null) {
                b[i] = first ? d : momentum * b[i] + d;
                d = nesterov ? d + momentum * b[i] : b[i];
            }
            p[po + i] -= lr * d;
        }
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
            float[] b = buf.get(name);
            if (b != null) s.put("momentum_buffer." + name, copy ? b.clone() : b);
        }
        return s;
    }

    @Override
    public void loadState(Map<String, float[]> state, long stepCount) {
        Map<String, float[]> nb = new HashMap<>();
        for (String name : names()) {
            if (state.containsKey("momentum_buffer." + name)) {
                nb.put(name, checked(state, "momentum_buffer." + name, sizeOf(name)));
            }
        }
        buf.clear();
        buf.putAll(nb);
        step = stepCount;
    }
}
