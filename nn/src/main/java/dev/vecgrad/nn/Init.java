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
