package dev.vecgrad.nn;

import dev.vecgrad.autograd.Grad;
import java.util.random.RandomGenerator;

/**
 * Parameter initialisers ({@code torch.nn.init}). They overwrite the parameter's storage in
 * place, outside the graph; draws are in row-major order so a seed fixes the result.
 */
public final class Init {
    private Init() {}

    /**
     * Fills {@code p} with samples of normal(mean, std), drawn in row-major order.
     *
     * @param p the parameter, overwritten in place
     * @param mean the distribution's mean
     * @param std its standard deviation ({@code >= 0}; 0 gives the constant {@code mean})
     * @param rng the source of the samples
     * @throws IllegalArgumentException if {@code std} is negative or NaN
     */
    public static void normal(Parameter p, double mean, double std, RandomGenerator rng) {
        if (!(std >= 0)) throw new IllegalArgumentException("Init.normal: std must be >= 0, got " + std);
        float[] a = p.tensor().storage();
        for (int i = 0; i < p.numel(); i++) a[i] = (float) (mean + std * rng.nextGaussian());
        p.tensor().markModified("Init.normal");
    }

    /**
     * Fills {@code p} with samples of uniform[low, high), drawn in row-major order.
     *
     * @param p the parameter, overwritten in place
     * @param low the smallest value
     * @param high the bound above every value ({@code > low})
     * @param rng the source of the samples
     * @throws IllegalArgumentException if {@code high <= low} or a bound is not finite
     */
    public static void uniform(Parameter p, double low, double high, RandomGenerator rng) {
        if (!Double.isFinite(low) || !Double.isFinite(high) || !(high > low)) {
            throw new IllegalArgumentException("Init.uniform: expected finite bounds with low < high, got [" + low + ", " + high + ")");
        }
        float[] a = p.tensor().storage();
        for (int i = 0; i < p.numel(); i++) a[i] = (float) rng.nextDouble(low, high);
        p.tensor().markModified("Init.uniform");
    }

    /**
     * Initialises a layer as {@code torch.nn.Linear} does by default: weight and bias uniform in
     * {@code [-1/sqrt(in), 1/sqrt(in))} (PyTorch's {@code kaiming_uniform_(a=sqrt(5))} gives that
     * bound for the weight). The same distribution as PyTorch's, not its numbers: the random
     * generators differ.
     *
     * @param layer the layer, overwritten in place (weight first, then bias)
     * @param rng the source of the samples
     */
    public static void linearDefault(Linear layer, RandomGenerator rng) {
        double bound = 1 / Math.sqrt(layer.weight().shape()[1]);
        uniform(layer.weight(), -bound, bound, rng);
        if (layer.bias() != null) uniform(layer.bias(), -bound, bound, rng);
    }

    /**
     * Fills {@code p} with {@code value} (LayerNorm weights start at 1, biases at 0).
     *
     * @param p the parameter, overwritten in place
     * @param value every element's new value
     */
    public static void constant(Parameter p, float value) {
        try (Grad g = Grad.disabled()) {
            p.tensor().fillInPlace(value);
        }
    }
}
