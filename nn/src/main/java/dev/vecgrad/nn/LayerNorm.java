package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;

/** Layer normalisation over the last dimension (eps 1e-5), weight 1 and optional bias 0, like nanoGPT's. */
public final class LayerNorm extends Module {
    /** The epsilon added to the variance, as PyTorch's default and nanoGPT use. */
    public static final float EPS = 1e-5f;

    private final Parameter weight;
    private final Parameter bias;

    /**
     * A layer norm with weight 1 (and bias 0).
     *
     * @param dim the size of the last dimension it normalises
     * @param bias whether it has a bias (nanoGPT's {@code bias} setting)
     * @throws IllegalArgumentException if {@code dim} is not positive
     */
    public LayerNorm(int dim, boolean bias) {
        if (dim <= 0) throw new IllegalArgumentException("LayerNorm: dim must be positive, got " + dim);
        this.weight = registerParameter("weight", Tensor.ones(dim));
        this.bias = bias ? registerParameter("bias", Parameter.zeros(dim)) : null;
    }

    /** {@return the scale {@code [dim]}} */
    public Parameter weight() {
        return weight;
    }

    /** {@return the shift {@code [dim]}, or {@code null} when the layer has none} */
    public Parameter bias() {
        return bias;
    }

    /**
     * Normalises each row over the last dimension, then scales and shifts it.
     *
     * @param x {@code [..., dim]}
     * @return the same shape
     */
    public Tensor forward(Tensor x) {
        return x.layerNorm(weight.tensor(), bias == null ? null : bias.tensor(), EPS);
    }
}
