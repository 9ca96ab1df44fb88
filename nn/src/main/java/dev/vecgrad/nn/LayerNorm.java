package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;

/** Layer normalisation over the last dimension (eps 1e-5), weight 1 and optional bias 0, like nanoGPT's. */
public final class LayerNorm extends Module {
    /** The epsilon PyTorch and nanoGPT use. */
    public static final float EPS = 1e-5f;

    private final Parameter weight;
    private final Parameter bias;

    /** A layer norm over {@code dim} features, with a bias when {@code bias} is true. */
    public LayerNorm(int dim, boolean bias) {
        if (dim <= 0) throw new IllegalArgumentException("LayerNorm: dim must be positive, got " + dim);
        this.weight = registerParameter("weight", Tensor.ones(dim));
        this.bias = bias ? registerParameter("bias", Parameter.zeros(dim)) : null;
    }

    /** The scale {@code [dim]}. */
    public Parameter weight() {
        return weight;
    }

    /** The shift {@code [dim]}, or {@code null}. */
    public Parameter bias() {
        return bias;
    }

    /** x {@code [..., dim]} -> same shape. */
    public Tensor forward(Tensor x) {
        return x.layerNorm(weight.tensor(), bias == null ? null : bias.tensor(), EPS);
    }
}
