package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;
import java.util.Arrays;

/**
 * {@code y = x W^T + b}, like {@code torch.nn.Linear}: weight {@code [out, in]}, bias {@code [out]}.
 *
 * <p>Initialisation is explicit, so no hidden random state is involved: give the constructor a
 * random generator to start as {@code torch.nn.Linear} does ({@link Init#linearDefault}), or start
 * at zero and initialise with {@link Init} or the model's own scheme (as {@link GPT} does). A
 * network of zero layers never breaks the symmetry between its units.
 */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A layer with fresh zero parameters, to be initialised by the caller.
     *
     * @param in the input features
     * @param out the output features
     * @param bias whether it has a bias {@code [out]}
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int in, int out, boolean bias) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        this.weight = registerParameter("weight", Parameter.zeros(out, in));
        this.bias = bias ? registerParameter("bias", Parameter.zeros(out)) : null;
    }

    /**
     * A layer initialised as {@code torch.nn.Linear} is: weight and bias uniform in
     * {@code [-1/sqrt(in), 1/sqrt(in))} ({@link Init#linearDefault}).
     *
     * @param in the input features
     * @param out the output features
     * @param bias whether it has a bias {@code [out]}
     * @param rng the source of the initial values (weight first, then bias, row-major)
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int in, int out, boolean bias, java.util.random.RandomGenerator rng) {
        this(in, out, bias);
        Init.linearDefault(this, rng);
    }

    /**
     * A layer over existing parameters: how weights are tied, e.g. GPT's {@code lm_head} sharing
     * the token embedding.
     *
     * @param weight {@code [out, in]}, registered by this layer as well as by its other owners
     * @param bias {@code [out]}, or null for none
     * @throws IllegalArgumentException if the weight is not 2-d or the bias does not match it
     */
    public Linear(Parameter weight, Parameter bias) {
        if (weight == null || weight.shape().length != 2) {
            throw new IllegalArgumentException("Linear: weight must be a 2-d [out, in] parameter, got " + weight);
        }
        if (bias != null && !Arrays.equals(bias.shape(), new int[] {weight.shape()[0]})) {
            throw new IllegalArgumentException("Linear: bias shape " + Arrays.toString(bias.shape())
                    + " does not match weight " + Arrays.toString(weight.shape()) + " (expected [" + weight.shape()[0] + "])");
        }
        this.weight = registerParameter("weight", weight);
        this.bias = bias == null ? null : registerParameter("bias", bias);
    }

    /** {@return the weight {@code [out, in]}} */
    public Parameter weight() {
        return weight;
    }

    /** {@return the bias {@code [out]}, or {@code null} when the layer has none} */
    public Parameter bias() {
        return bias;
    }

    /**
     * {@code x W^T + b} over the last dimension.
     *
     * @param x {@code [..., in]}
     * @return {@code [..., out]}
     */
    public Tensor forward(Tensor x) {
        return linear(x, weight.tensor(), bias == null ? null : bias.tensor());
    }

    /**
     * The functional form ({@code torch.nn.functional.linear}): {@code x @ weight^T + bias}. The
     * transpose is a view that the matmul reads in place, so nothing is copied.
     *
     * @param x {@code [..., in]}
     * @param weight {@code [out, in]}
     * @param bias {@code [out]} or null
     * @return {@code [..., out]}
     * @throws IllegalArgumentException if {@code x}'s last size is not {@code in}
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear: weight " + Arrays.toString(weight.shape()) + " must be 2-d [out, in]");
        }
        if (x.dim() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + Arrays.toString(x.shape()) + " does not fit weight "
                    + Arrays.toString(weight.shape()) + " (expected last dimension " + weight.size(1) + ")");
        }
        return x.linear(weight, bias);
    }
}
