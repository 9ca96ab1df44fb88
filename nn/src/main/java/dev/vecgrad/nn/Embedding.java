package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;

/**
 * A lookup table {@code weight [num, dim]} like {@code torch.nn.Embedding}: with a random
 * generator it starts as PyTorch's does (normal(0, 1)), without one at zero (see {@link Init}).
 */
public final class Embedding extends Module {
    private final Parameter weight;

    /**
     * A table of {@code num} rows of size {@code dim}, all zeros.
     *
     * @param num the number of rows (the vocabulary or the positions)
     * @param dim the size of each row
     * @throws IllegalArgumentException if a size is not positive
     */
    public Embedding(int num, int dim) {
        if (num <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got num=" + num + ", dim=" + dim);
        }
        this.weight = registerParameter("weight", Parameter.zeros(num, dim));
    }

    /**
     * A table initialised as {@code torch.nn.Embedding}'s is: every entry normal(0, 1).
     *
     * @param num the number of rows (the vocabulary or the positions)
     * @param dim the size of each row
     * @param rng the source of the initial values (row-major)
     * @throws IllegalArgumentException if a size is not positive
     */
    public Embedding(int num, int dim, java.util.random.RandomGenerator rng) {
        this(num, dim);
        Init.normal(weight, 0, 1, rng);
    }

    /** {@return the table {@code [num, dim]}} */
    public Parameter weight() {
        return weight;
    }

    /**
     * Rows {@code ids} of the table, shaped {@code [...shape, dim]}; the gradient adds into the rows used.
     *
     * @param ids row indices, each in {@code [0, num)}
     * @param shape the shape of {@code ids} (its product must be {@code ids.length})
     * @return the looked-up rows
     * @throws IllegalArgumentException if the ids do not fill the shape or one is out of range
     */
    public Tensor forward(int[] ids, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        if (n != ids.length) {
            throw new IllegalArgumentException("Embedding.forward: " + ids.length + " ids do not fill shape "
                    + java.util.Arrays.toString(shape));
        }
        int[] out = java.util.Arrays.copyOf(shape, shape.length + 1);
        out[shape.length] = weight.shape()[1];
        return weight.tensor().indexSelect(0, ids).reshape(out);
    }
}
