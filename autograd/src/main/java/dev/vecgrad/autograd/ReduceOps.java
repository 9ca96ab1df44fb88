package dev.vecgrad.autograd;

/** Reductions over one dimension or all elements: sum, mean (a sum times 1/n) and max. */
final class ReduceOps {
    private ReduceOps() {}

    static Tensor sumAll(Tensor x) {
        int[] inShape = x.shape;
        return Engine.record(sumAllValue(x), "sum", g -> new Tensor[] {g.reshape(ones(inShape.length)).expand(inShape)}, x);
    }

    /**
     * The mean of all elements. Its arithmetic is that of {@code sum().mul(1f / n)}, which mean
     * used to be, forward and backward, so results are the same bits; recorded as one op so that
     * {@code grad_fn} (and an op profile) says mean, as PyTorch's MeanBackward does, not mul.
     */
    static Tensor meanAll(Tensor x) {
        float s = 1f / x.numel();
        Tensor out = sumAllValue(x);
        Kernels.mulScalar(out.data, out.offset, out.data, out.offset, s, 1);
        int[] inShape = x.shape;
        return Engine.record(out, "mean", g -> new Tensor[] {g.mul(s).reshape(ones(inShape.length)).expand(inShape)}, x);
    }

    /** The sum of all elements as a 0-d tensor, not recorded. */
    private static Tensor sumAllValue(Tensor x) {
        Tensor c = x.isContiguous() ? x : x.detach().contiguous();
        return Tensor.scalar(Kernels.sum(c.data, c.offset, c.numel()));
    }

    private static int[] ones(int n) {
        int[] s = new int[n];
        java.util.Arrays.fill(s, 1);
        return s;
    }

    /** Shape with dimension d removed (or kept as 1). */
    static int[] reducedShape(int[] shape, int d, boolean keepDim) {
        if (shape.length == 0) return shape;
        if (keepDim) {
            int[] s = shape.clone();
            s[d] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) s[j++] = shape[i];
        return s;
    }

    static Tensor sum(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.dim("sum", dim, x.shape.length);
        if (x.shape.length == 0) return sumAll(x);
        int[] kept = reducedShape(x.shape, d, true), inShape = x.shape;
        return Engine.record(sumValues(x, d, keepDim), "sum", g -> new Tensor[] {g.reshape(kept).expand(inShape)}, x);
    }

    /** Mean over one dimension: as {@link #meanAll}, the arithmetic of {@code sum(dim).mul(1f / n)}, recorded as one op. */
    static Tensor mean(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.dim("mean", dim, x.shape.length);
        if (x.shape.length == 0) return meanAll(x);
        float s = 1f / x.shape[d];
        Tensor out = sumValues(x, d, keepDim);
        Kernels.mulScalar(out.data, out.offset, out.data, out.offset, s, out.numel());
        int[] kept = reducedShape(x.shape, d, true), inShape = x.shape;
        return Engine.record(out, "mean", g -> new Tensor[] {g.mul(s).reshape(kept).expand(inShape)}, x);
    }

    // x viewed as (outer, n, inner) -> out (outer, inner), not recorded
    private static Tensor sumValues(Tensor x, int d, boolean keepDim) {
        Tensor c = x.isContiguous() ? x : x.detach().contiguous();
        int n = x.shape[d], inner = 1;
        for (int i = d + 1; i < x.shape.length; i++) inner *= x.shape[i];
        int outer = x.numel() / Math.max(n * inner, 1);
        if (n * inner == 0) outer = 1;
        int[] kept = reducedShape(x.shape, d, true);
        float[] out = Workspace.zeroed(Shapes.numel(kept));
        for (int o = 0; o < outer && n > 0; o++) {
            int base = c.offset + o * n * inner;
            System.arraycopy(c.data, base, out, o * inner, inner);
            for (int j = 1; j < n; j++) Kernels.add(out, o * inner, out, o * inner, c.data, base + j * inner, inner);
        }
        return Tensor.wrap(out, reducedShape(x.shape, d, keepDim));
    }

    static Tensor max(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.dim("max", dim, x.shape.length);
        if (x.shape.length == 0) return x.add(0f);
        int n = x.shape[d];
        if (n == 0) {
            throw new IllegalArgumentException("max: cannot reduce over dimension " + d + " of size 0 (shape "
                    + Shapes.str(x.shape) + ")");
        }
        Tensor c = x.isContiguous() ? x : x.detach().contiguous();
        int inner = 1, outer = 1;
        for (int i = d + 1; i < x.shape.length; i++) inner *= x.shape[i];
        for (int i = 0; i < d; i++) outer *= x.shape[i];   // not numel / (n * inner): inner may be 0
        float[] out = Workspace.zeroed(outer * inner);
        int[] arg = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = c.offset + o * n * inner + i;
                float best = c.data[base];
                int bestJ = 0;
                for (int j = 1; j < n && !Float.isNaN(best); j++) {
                    float v = c.data[base + j * inner];
                    if (v > best || Float.isNaN(v)) {
                        best = v;
                        bestJ = j;
                    }
                }
                out[o * inner + i] = best;
                arg[o * inner + i] = bestJ;
            }
        }
        Tensor result = Tensor.wrap(out, reducedShape(x.shape, d, keepDim));
        int[] inShape = x.shape;
        final int fInner = inner, fOuter = outer;
        return Engine.record(result, "max", g -> {
            float[] gs = g.dense();
            float[] dx = Workspace.zeroed(Shapes.numel(inShape));
            for (int o = 0; o < fOuter; o++) {
                for (int i = 0; i < fInner; i++) {
                    int k = o * fInner + i;
                    dx[o * n * fInner + arg[k] * fInner + i] = gs[k];
                }
            }
            return new Tensor[] {Tensor.wrap(dx, inShape.clone())};
        }, x);
    }
}
