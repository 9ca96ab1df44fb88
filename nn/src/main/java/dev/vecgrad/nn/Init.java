package dev.vecgrad.nn;

import dev.vecgrad.autograd.Grad;
import java.util.random.RandomGenerator;

/**
 * Parameter initialisers ({@code torch.nn.init}). They overwrite the parameter's storage in
 * place, outside the graph; draws are in row-major order so a seed fixes the result.
 */
public final class Init {
    private Init() {}

    /** Fills {@code p} with samples of normal(mean, std) drawn from {@code rng}. */
    public static void normal(Parameter p, double mean, double std, RandomGenerator rng) {
        if (!(std >= 0)) throw new IllegalArgumentException("Init.normal: std must be >= 0, got " + std);
        float[] a = p.tensor().storage();
        for (int i = 0; i < p.numel(); i++) a[i] = (float) (mean + std * rng.nextGaussian());
        p.tensor().markModified("Init.normal");
    }

    /** Fills {@code p} with {@code value}. */
    public static void constant(Parameter p, float value) {
        try (Grad g = Grad.disabled()) {
            p.tensor().fillInPlace(value);
        }
    }
}
