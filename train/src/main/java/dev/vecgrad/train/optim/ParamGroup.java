package dev.vecgrad.train.optim;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named parameters that share optimizer settings; today that is the weight decay (nanoGPT
 * decays 2-D weights and embeddings, not biases or LayerNorm parameters).
 *
 * @param params      name to tensor, in a stable order (the names key the optimizer state)
 * @param weightDecay decoupled weight decay for AdamW, L2 penalty for SGD
 */
public record ParamGroup(Map<String, Tensor> params, float weightDecay) {
    /**
     * Checks that every parameter is contiguous (the optimizers update the storage as one run) and
     * copies the map, keeping its order.
     *
     * @throws IllegalArgumentException naming a parameter that is not contiguous
     */
    public ParamGroup {
        for (var e : params.entrySet()) {
            Tensor t = e.getValue();
            if (!t.isContiguous()) {
                throw new IllegalArgumentException("optimizer: parameter '" + e.getKey() + "' of shape "
                        + java.util.Arrays.toString(t.shape()) + " is not contiguous");
            }
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * A module's parameters in one group, under the names {@link Module#namedParameters()} gives
     * them (a tied weight once): {@code new SGD(List.of(ParamGroup.of(model, 0f)), lr, 0f, false)}
     * is PyTorch's {@code SGD(model.parameters(), lr)}.
     *
     * @param module the model whose parameters to optimize
     * @param weightDecay the group's decay
     * @return the group
     */
    public static ParamGroup of(Module module, float weightDecay) {
        return new ParamGroup(tensorsOf(module), weightDecay);
    }

    /**
     * {@link #decayTwoDimensional(Map, float)} over a module's parameters, named as
     * {@link Module#namedParameters()} names them.
     *
     * @param module the model whose parameters to optimize
     * @param weightDecay the decay of the first group
     * @return the decay group first, then the no-decay group
     */
    public static ParamGroup[] decayTwoDimensional(Module module, float weightDecay) {
        return decayTwoDimensional(tensorsOf(module), weightDecay);
    }

    private static Map<String, Tensor> tensorsOf(Module module) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> named.put(name, p.tensor()));
        return named;
    }

    /**
     * nanoGPT's grouping: tensors with 2 or more dimensions (weights, embeddings) get
     * {@code weightDecay}, the rest (biases, LayerNorm parameters) none.
     *
     * @param named the parameters by name, e.g. {@code model.namedParameters()}'s tensors
     * @param weightDecay the decay of the first group
     * @return the decay group first, then the no-decay group
     */
    public static ParamGroup[] decayTwoDimensional(Map<String, Tensor> named, float weightDecay) {
        Map<String, Tensor> decay = new LinkedHashMap<>(), noDecay = new LinkedHashMap<>();
        for (var e : named.entrySet()) (e.getValue().dim() >= 2 ? decay : noDecay).put(e.getKey(), e.getValue());
        return new ParamGroup[] {new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0f)};
    }
}
