package dev.vecgrad.autograd;

import java.util.Arrays;

/**
 * Shape arithmetic and the broadcasting rules, in one place, with error messages that name the
 * op and the shapes involved.
 */
public final class Shapes {
    private Shapes() {}

    /**
     * The number of elements of a shape; the empty shape (a scalar) has one element.
     *
     * @param shape the dimensions
     * @return their product
     * @throws IllegalArgumentException if the product exceeds {@code Integer.MAX_VALUE} (a Java array's limit)
     */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /**
     * Row-major (C order) strides for a shape; a size-0 dimension counts as 1, so strides stay positive.
     *
     * @param shape the dimensions
     * @return the strides in elements, one per dimension
     */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /**
     * Formats a shape as PyTorch users read it, for error messages.
     *
     * @param shape the dimensions
     * @return e.g. {@code [2, 3, 4]}
     */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /**
     * The broadcast shape of {@code a} and {@code b} (NumPy/PyTorch rules: align trailing dims;
     * each pair must be equal or one of them 1).
     *
     * @param op the op name for the error message
     * @param a one shape
     * @param b the other
     * @return the broadcast shape, of the larger rank
     * @throws IllegalArgumentException naming {@code op}, both shapes and the first clashing dim
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + i + " is " + da + " vs " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides that read a tensor of {@code shape}/{@code strides} as if it had {@code target}
     * shape: broadcast dimensions get stride 0. The caller guarantees broadcast compatibility.
     */
    static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            if (i < lead) continue;
            int d = shape[i - lead];
            out[i] = (d == 1 && target[i] != 1) ? 0 : strides[i - lead];
        }
        return out;
    }

    /**
     * Normalises a possibly negative dimension index against {@code rank} (a 0-d tensor accepts 0 and -1, as in PyTorch).
     *
     * @param op the op name for the error message
     * @param dim the index; negative counts from the end
     * @param rank the tensor's number of dimensions
     * @return the index in {@code [0, rank)}
     * @throws IllegalArgumentException if {@code dim} is out of range
     */
    public static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for a tensor of rank "
                    + rank + " (expected " + (-r) + ".." + (r - 1) + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /**
     * Resolves a reshape target (one entry may be -1) against {@code numel}.
     *
     * @throws IllegalArgumentException when the sizes do not match
     */
    static int[] inferShape(String op, int[] from, int[] to) {
        int numel = numel(from);
        int[] out = to.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + str(to));
                }
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + out[i] + " in " + str(to));
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + str(from) + " (" + numel
                        + " elements) into " + str(to));
            }
            out[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": cannot reshape " + str(from) + " (" + numel
                    + " elements) into " + str(to) + " (" + known + " elements)");
        }
        return out;
    }

    static void checkShape(String op, int[] shape) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + str(shape));
        }
        numel(shape);
    }
}
