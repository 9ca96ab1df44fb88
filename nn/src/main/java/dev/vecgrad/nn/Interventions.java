package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;
import java.util.Arrays;

/**
 * Ready-made interventions for {@link GPT#forward(int[], int, int, ActivationHook)}: head ablation
 * (zero or mean) at {@code blocks.l.attn.hook_z}, and activation patching (replacing one capture
 * point's tensor by the one another prompt produced). Chain several with
 * {@link ActivationHook#andThen}. Heads that are not ablated and points that are not patched pass
 * through unchanged. A forward refuses an intervention aimed at a block or head its model lacks
 * ({@link ActivationHook#checkTargets}), rather than running as if it were not there.
 */
public final class Interventions {
    private Interventions() {}

    /**
     * Zero ablation: sets the output of some heads of one block to zero before {@code c_proj}, to see
     * how much the model's output depends on them.
     *
     * @param layer the block
     * @param heads the heads to silence, each in {@code [0, nHead)}
     * @return the hook to pass to {@link GPT#forward(int[], int, int, ActivationHook)}
     * @throws IllegalArgumentException at once when no head is named or {@code layer} is negative
     */
    public static ActivationHook zeroAblateHeads(int layer, int... heads) {
        return ablate(layer, heads, null);
    }

    /**
     * Mean ablation: sets the output of one head to a fixed vector at every sequence and position,
     * before {@code c_proj}; unlike zero ablation it keeps the head's average contribution and removes
     * only what depends on the input.
     *
     * @param layer the block
     * @param head the head, in {@code [0, nHead)}
     * @param mean {@code hs} values, e.g. {@code headMeans(cache, layer)[head]}
     * @return the hook
     * @throws IllegalArgumentException if {@code mean} is null or {@code layer} negative
     */
    public static ActivationHook meanAblateHead(int layer, int head, float[] mean) {
        if (mean == null) throw new IllegalArgumentException("meanAblateHead: mean must not be null");
        return ablate(layer, new int[] {head}, new float[][] {mean});
    }

    /**
     * Each head's output of one block averaged over sequences and positions: the values mean
     * ablation uses.
     *
     * @param cache a cache that kept {@code blocks.l.attn.hook_z} for this layer (from a forward over reference text)
     * @param layer the block
     * @return {@code [H][hs]}, the mean of each head's output vector
     * @throws IllegalArgumentException if the cache does not hold that point
     */
    public static float[][] headMeans(ActivationCache cache, int layer) {
        Tensor z = cache.get(HookPoint.ATTN_Z, layer);                  // [B, T, H, hs]
        int rows = z.size(0) * z.size(1), nh = z.size(2), hs = z.size(3);
        float[] v = z.toArray();
        double[][] sum = new double[nh][hs];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < nh; h++) for (int d = 0; d < hs; d++) sum[h][d] += v[(r * nh + h) * hs + d];
        }
        float[][] mean = new float[nh][hs];
        for (int h = 0; h < nh; h++) for (int d = 0; d < hs; d++) mean[h][d] = (float) (sum[h][d] / rows);
        return mean;
    }

    // heads of one layer replaced by fill[i] (null: zeros). Done as z * keep + fill with keep 0/1
    // per head, so it stays differentiable and leaves the other heads' values exactly as they were.
    private static ActivationHook ablate(int layer, int[] heads, float[][] fill) {
        if (heads == null || heads.length == 0) throw new IllegalArgumentException("ablation: name at least one head");
        int[] hs = heads.clone();
        if (layer < 0) throw new IllegalArgumentException("ablation: layer must be >= 0, got " + layer);
        ActivationHook hook = (point, l, z) -> {
            if (point != HookPoint.ATTN_Z || l != layer) return z;
            int nh = z.size(2), d = z.size(3);
            float[] keep = new float[nh];
            Arrays.fill(keep, 1f);
            float[] add = new float[nh * d];
            checkHeads(layer, hs, fill, nh, d);
            for (int i = 0; i < hs.length; i++) {
                keep[hs[i]] = 0f;
                if (fill != null) System.arraycopy(fill[i], 0, add, hs[i] * d, d);
            }
            Tensor out = z.mul(Tensor.of(keep, nh, 1));
            return fill == null ? out : out.add(Tensor.of(add, nh, d));
        };
        // Checked before the forward, once the model is known, and again where the hook sees the
        // heads (a caller may apply the hook by hand).
        return checked(hook, config -> {
            checkBlock(layer, config);
            checkHeads(layer, hs, fill, config.nHead(), config.nEmbd() / config.nHead());
        });
    }

    /** Refuses a head outside {@code [0, nh)} and a mean that is not {@code d} values long. */
    private static void checkHeads(int layer, int[] heads, float[][] fill, int nh, int d) {
        for (int i = 0; i < heads.length; i++) {
            int h = heads[i];
            if (h < 0 || h >= nh) throw new IllegalArgumentException("ablation: head " + h + " out of range; block " + layer + " has " + nh);
            if (fill != null && fill[i].length != d) {
                throw new IllegalArgumentException("ablation: the mean of head " + h + " has " + fill[i].length + " values, the head has " + d);
            }
        }
    }

    /** {@code hook}, whose {@link ActivationHook#checkTargets} runs {@code check}. */
    private static ActivationHook checked(ActivationHook hook, java.util.function.Consumer<GPTConfig> check) {
        return new ActivationHook() {
            @Override
            public Tensor apply(HookPoint point, int l, Tensor value) {
                return hook.apply(point, l, value);
            }

            @Override
            public void checkTargets(GPTConfig config) {
                check.accept(config);
            }
        };
    }

    /** Refuses a model without block {@code layer} (-1, a model-wide point, is in every model). */
    private static void checkBlock(int layer, GPTConfig config) {
        if (layer >= config.nLayer()) {
            throw new IllegalArgumentException("intervention on block " + layer + ", but the model has blocks 0.."
                    + (config.nLayer() - 1));
        }
    }

    /**
     * Activation patching: the tensor at one capture point is replaced by {@code value}, typically
     * taken from an {@link ActivationCache} of another prompt.
     *
     * @param name the full capture-point name, e.g. {@code blocks.0.hook_resid_post}
     * @param value the replacement, of the activation's shape
     * @return the hook
     * @throws IllegalArgumentException at once when {@code name} is not a capture point or {@code
     *     value} is null, and during the forward when the shapes differ
     */
    public static ActivationHook patch(String name, Tensor value) {
        HookPoint.Named at = HookPoint.parse(name);
        if (value == null) throw new IllegalArgumentException("patch: no value for " + name);
        return checked((point, l, v) -> {
            if (point != at.point() || l != at.layer()) return v;
            if (!Arrays.equals(v.shape(), value.shape())) {
                throw new IllegalArgumentException("patch " + name + ": the replacement is " + Arrays.toString(value.shape())
                        + " but the activation is " + Arrays.toString(v.shape()));
            }
            return value;
        }, config -> checkBlock(at.layer(), config));
    }

    /**
     * Patching at some positions only: the tensor at {@code name}, whose dimension 1 is the
     * position (every capture point except {@code hook_pos_embed}, {@code hook_pattern}), takes
     * {@code value}'s entries at {@code positions} and keeps its own elsewhere.
     *
     * @param name the full capture-point name
     * @param value the source of the patched entries, of the activation's shape
     * @param positions the positions (dimension 1) to take from {@code value}
     * @return the hook
     * @throws IllegalArgumentException at once for a point not indexed by position or a null
     *     {@code value}, and during the forward when the shapes differ or a position is out of range
     */
    public static ActivationHook patchPositions(String name, Tensor value, int... positions) {
        HookPoint.Named at = HookPoint.parse(name);
        if (value == null) throw new IllegalArgumentException("patchPositions: no value for " + name);
        if (at.point() == HookPoint.POS_EMBED || at.point() == HookPoint.ATTN_PATTERN) {
            throw new IllegalArgumentException("patchPositions: " + name + " is not indexed [B, T, ...]; use patch");
        }
        int[] pos = positions.clone();
        return checked((point, l, v) -> {
            if (point != at.point() || l != at.layer()) return v;
            if (!Arrays.equals(v.shape(), value.shape())) {
                throw new IllegalArgumentException("patch " + name + ": the replacement is " + Arrays.toString(value.shape())
                        + " but the activation is " + Arrays.toString(v.shape()));
            }
            int t = v.size(1);
            float[] m = new float[t];
            for (int p : pos) {
                if (p < 0 || p >= t) throw new IllegalArgumentException("patch " + name + ": position " + p + " out of range 0.." + (t - 1));
                m[p] = 1f;
            }
            int[] maskShape = new int[v.dim() - 1];
            Arrays.fill(maskShape, 1);
            maskShape[0] = t;
            Tensor mask = Tensor.of(m, maskShape);
            Tensor keepMask = Tensor.of(invert(m), maskShape);
            return v.mul(keepMask).add(value.mul(mask));
        }, config -> checkBlock(at.layer(), config));
    }

    private static float[] invert(float[] m) {
        float[] r = new float[m.length];
        for (int i = 0; i < m.length; i++) r[i] = 1f - m[i];
        return r;
    }
}
