package dev.vecgrad.autograd;

import java.util.Arrays;

/**
 * View ops: a new (offset, shape, strides) over the same storage, and a backward that maps the
 * gradient back through the same reinterpretation.
 */
final class ViewOps {
    private ViewOps() {}

    private static Tensor viewOf(Tensor x, int offset, int[] shape, int[] strides) {
        return Tensor.viewOf(x, offset, shape, strides);
    }

    static Tensor reshape(Tensor x, int[] newShape) {
        int[] shape = Shapes.inferShape("reshape", x.shape, newShape);
        Tensor src = x.isContiguous() ? x : x.copy();
        Tensor out = viewOf(src, src.offset, shape, Shapes.contiguousStrides(shape));
        int[] inShape = src.shape;
        return Engine.record(out, "reshape", g -> new Tensor[] {g.reshape(inShape)}, src);
    }

    static Tensor view(Tensor x, int[] newShape) {
        if (!x.isContiguous()) {
            throw new IllegalArgumentException("view: tensor of shape " + Shapes.str(x.shape) + " with strides "
                    + Arrays.toString(x.strides) + " is not contiguous; use reshape() (which copies) or contiguous()");
        }
        return reshape(x, Shapes.inferShape("view", x.shape, newShape));
    }

    static Tensor transpose(Tensor x, int dim0, int dim1) {
        int r = x.shape.length;
        int a = Shapes.dim("transpose", dim0, r), b = Shapes.dim("transpose", dim1, r);
        if (r == 0) return x;
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm, "transpose");
    }

    static Tensor permute(Tensor x, int[] dims) {
        return permute(x, dims, "permute");
    }

    private static Tensor permute(Tensor x, int[] dims, String op) {
        int r = x.shape.length;
        if (dims.length != r) {
            throw new IllegalArgumentException(op + ": " + dims.length + " dimensions given for a tensor of shape "
                    + Shapes.str(x.shape));
        }
        int[] shape = new int[r], strides = new int[r], inverse = new int[r];
        boolean[] used = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shapes.dim(op, dims[i], r);
            if (used[d]) {
                throw new IllegalArgumentException(op + ": dimension " + d + " repeated in " + Arrays.toString(dims));
            }
            used[d] = true;
            shape[i] = x.shape[d];
            strides[i] = x.strides[d];
            inverse[d] = i;
        }
        Tensor out = viewOf(x, x.offset, shape, strides);
        return Engine.record(out, op, g -> new Tensor[] {g.permute(inverse)}, x);
    }

    static Tensor narrow(Tensor x, int dim, int startArg, int length) {
        int d = Shapes.dim("narrow", dim, x.shape.length);
        if (x.shape.length == 0) throw new IllegalArgumentException("narrow: cannot narrow a 0-d tensor");
        int size = x.shape[d];
        // A negative start counts from the end, as torch.narrow's does: -size is the first entry.
        if (startArg < -size || startArg > size) {
            throw badNarrow(x, dim, d, startArg, length, "start must be in " + -size + ".." + size + " for");
        }
        if (length < 0) throw badNarrow(x, dim, d, startArg, length, "length must not be negative, for");
        int start = startArg < 0 ? startArg + size : startArg;
        if ((long) start + length > size) {
            String from = startArg < 0 ? " (start " + startArg + " is entry " + start + ")" : "";
            throw badNarrow(x, dim, d, startArg, length, "entries [" + start + ", " + ((long) start + length) + ")" + from
                    + " do not fit");
        }
        int[] shape = x.shape.clone();
        shape[d] = length;
        Tensor out = viewOf(x, x.offset + (length == 0 ? 0 : start * x.strides[d]), shape, x.strides.clone());
        int[] inShape = x.shape;
        return Engine.record(out, "narrow", g -> {
            Tensor full = Tensor.wrap(Workspace.zeroed(Shapes.numel(inShape)), inShape.clone());
            Strided.copyInto(narrowView(full, d, start, length), g);
            return new Tensor[] {full};
        }, x);
    }

    /**
     * A narrow's error, naming the call, the dimension and the shape. Built only when thrown:
     * narrow runs several times per layer in every step and once per sampled token.
     */
    private static IllegalArgumentException badNarrow(Tensor x, int dim, int d, int start, int length, String what) {
        return new IllegalArgumentException("narrow(dim " + dim + ", start " + start + ", length " + length + "): " + what
                + " dimension " + d + " of size " + x.shape[d] + " (shape " + Shapes.str(x.shape) + ")");
    }

    /** A narrow of one entry without its dimension: two views, so the gradient needs no code of its own. */
    static Tensor select(Tensor x, int dim, int index) {
        if (x.shape.length == 0) throw new IllegalArgumentException("select: cannot select from a 0-d tensor");
        int d = Shapes.dim("select", dim, x.shape.length);
        int i = index < 0 ? index + x.shape[d] : index;
        if (i < 0 || i >= x.shape[d]) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for dimension " + d
                    + " of size " + x.shape[d] + " (shape " + Shapes.str(x.shape) + ")");
        }
        return squeeze(narrow(x, d, i, 1), d);
    }

    /** An unrecorded narrow view (for writing into). */
    static Tensor narrowView(Tensor x, int d, int start, int length) {
        int[] shape = x.shape.clone();
        shape[d] = length;
        return viewOf(x, x.offset + start * x.strides[d], shape, x.strides.clone());
    }

    static Tensor expand(Tensor x, int[] newShape) {
        int r = newShape.length;
        if (r < x.shape.length) {
            throw new IllegalArgumentException("expand: cannot expand " + Shapes.str(x.shape) + " to fewer dimensions "
                    + Arrays.toString(newShape));
        }
        int[] shape = new int[r], strides = new int[r];
        int lead = r - x.shape.length;
        for (int i = 0; i < r; i++) {
            int want = newShape[i];
            if (i < lead) {
                if (want < 0) {
                    throw new IllegalArgumentException("expand: size " + want + " is not allowed in a new leading dimension ("
                            + Shapes.str(x.shape) + " to " + Arrays.toString(newShape) + ")");
                }
                shape[i] = want;
                strides[i] = 0;
                continue;
            }
            int have = x.shape[i - lead];
            if (want == -1) want = have;
            if (want < 0) {
                throw new IllegalArgumentException("expand: invalid size " + newShape[i] + " in " + Arrays.toString(newShape)
                        + " for a tensor of shape " + Shapes.str(x.shape));
            }
            if (have != want && have != 1) {
                throw new IllegalArgumentException("expand: cannot expand " + Shapes.str(x.shape) + " to "
                        + Arrays.toString(newShape) + ": dimension " + i + " has size " + have + " (only size 1 expands)");
            }
            shape[i] = want;
            strides[i] = have == want ? x.strides[i - lead] : 0;
        }
        Tensor out = viewOf(x, x.offset, shape, strides);
        // The engine's sumToShape folds the broadcast dimensions back.
        return Engine.record(out, "expand", g -> new Tensor[] {g}, x);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.shape.length;
        int d = Shapes.dim("unsqueeze", dim, r + 1);
        int[] shape = new int[r + 1], strides = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = j < r ? x.strides[j] * x.shape[j] : 1;
            } else {
                shape[i] = x.shape[j];
                strides[i] = x.strides[j];
                j++;
            }
        }
        Tensor out = viewOf(x, x.offset, shape, strides);
        int[] inShape = x.shape;
        return Engine.record(out, "unsqueeze", g -> new Tensor[] {g.reshape(inShape)}, x);
    }

    static Tensor squeeze(Tensor x, int dim) {
        // Validate first: a 0-d tensor accepts dims 0 and -1 only, as in PyTorch.
        int d = Shapes.dim("squeeze", dim, x.shape.length);
        if (x.shape.length == 0) return x;
        if (x.shape[d] != 1) return x;
        return drop(x, new boolean[x.shape.length], d);
    }

    static Tensor squeezeAll(Tensor x) {
        boolean[] drop = new boolean[x.shape.length];
        for (int i = 0; i < drop.length; i++) drop[i] = x.shape[i] == 1;
        return drop(x, drop, -1);
    }

    private static Tensor drop(Tensor x, boolean[] drop, int also) {
        if (also >= 0) drop[also] = true;
        int n = 0;
        for (boolean b : drop) if (!b) n++;
        int[] shape = new int[n], strides = new int[n];
        for (int i = 0, j = 0; i < drop.length; i++) {
            if (drop[i]) continue;
            shape[j] = x.shape[i];
            strides[j++] = x.strides[i];
        }
        Tensor out = viewOf(x, x.offset, shape, strides);
        int[] inShape = x.shape;
        return Engine.record(out, "squeeze", g -> new Tensor[] {g.reshape(inShape)}, x);
    }
}
