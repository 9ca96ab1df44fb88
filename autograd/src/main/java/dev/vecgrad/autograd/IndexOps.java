package dev.vecgrad.autograd;

import java.util.Arrays;

/** Indexing: row selection (embedding lookup), gather, masked fill and where. */
final class IndexOps {
    private IndexOps() {}

    // x (outer, n, inner), index (m) -> out (outer, m, inner); backward scatters with +=
    static Tensor indexSelect(Tensor x, int dim, int[] index) {
        if (x.shape.length == 0) throw new IllegalArgumentException("indexSelect: cannot index a 0-d tensor");
        int d = Shapes.dim("indexSelect", dim, x.shape.length);
        int n = x.shape[d];
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= n) {
                throw new IllegalArgumentException("indexSelect: index " + index[i] + " at position " + i
                        + " is out of range for dimension " + d + " of size " + n + " (shape " + Shapes.str(x.shape) + ")");
            }
        }
        Tensor c = x.isContiguous() ? x : x.detach().contiguous();
        int inner = 1;
        for (int i = d + 1; i < x.shape.length; i++) inner *= x.shape[i];
        int outer = 1;
        for (int i = 0; i < d; i++) outer *= x.shape[i];
        int m = index.length;
        int[] shape = x.shape.clone();
        shape[d] = m;
        float[] out = Workspace.scratch(outer * m * inner);   // every row copied below
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) {
                System.arraycopy(c.data, c.offset + (o * n + index[j]) * inner, out, (o * m + j) * inner, inner);
            }
        }
        int[] idx = index.clone();
        int[] inShape = x.shape;
        final int fInner = inner, fOuter = outer;
        return Engine.record(Tensor.wrap(out, shape), "indexSelect", g -> {
            float[] gs = g.dense();
            float[] dx = Workspace.zeroed(Shapes.numel(inShape));
            for (int o = 0; o < fOuter; o++) {
                for (int j = 0; j < m; j++) {
                    Kernels.axpy(dx, (o * n + idx[j]) * fInner, 1f, gs, (o * m + j) * fInner, fInner);
                }
            }
            return new Tensor[] {Tensor.wrap(dx, inShape.clone())};
        }, x);
    }

    static Tensor gather(Tensor x, int dim, int[] index, int[] indexShape) {
        int r = x.shape.length;
        int d = Shapes.dim("gather", dim, r);
        if (r == 0) throw new IllegalArgumentException("gather: cannot gather from a 0-d tensor");
        if (indexShape.length != r) {
            throw new IllegalArgumentException("gather: index of shape " + Shapes.str(indexShape)
                    + " must have the same rank as the input " + Shapes.str(x.shape));
        }
        if (Shapes.numel(indexShape) != index.length) {
            throw new IllegalArgumentException("gather: " + index.length + " indices do not fill index shape "
                    + Shapes.str(indexShape));
        }
        for (int k = 0; k < r; k++) {
            if (k != d && indexShape[k] > x.shape[k]) {
                throw new IllegalArgumentException("gather: index shape " + Shapes.str(indexShape) + " exceeds input shape "
                        + Shapes.str(x.shape) + " in dimension " + k);
            }
        }
        int[] outStrides = Shapes.contiguousStrides(indexShape);
        float[] out = Workspace.scratch(index.length);
        // Row-major (logical) position of each gathered element in x. Not the storage position:
        // in a broadcast view several positions share one storage slot, and each needs its own gradient.
        int[] src = new int[index.length];
        int[] inDense = Shapes.contiguousStrides(x.shape);
        int[] pos = new int[r];
        for (int i = 0; i < index.length; i++) {
            int rem = i, p = x.offset, q = 0;
            for (int k = 0; k < r; k++) {
                pos[k] = rem / outStrides[k];
                rem %= outStrides[k];
            }
            int v = index[i];
            if (v < 0 || v >= x.shape[d]) {
                throw new IllegalArgumentException("gather: index " + v + " at position " + Arrays.toString(pos)
                        + " is out of range for dimension " + d + " of size " + x.shape[d]);
            }
            for (int k = 0; k < r; k++) {
                int at = k == d ? v : pos[k];
                p += at * x.strides[k];
                q += at * inDense[k];
            }
            src[i] = q;
            out[i] = x.data[p];
        }
        int[] inShape = x.shape;
        return Engine.record(Tensor.wrap(out, indexShape.clone()), "gather", g -> {
            float[] gs = g.dense();
            float[] dx = Workspace.zeroed(Shapes.numel(inShape));
            for (int i = 0; i < gs.length; i++) dx[src[i]] += gs[i];
            return new Tensor[] {Tensor.wrap(dx, inShape.clone())};
        }, x);
    }

    static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        int[] shape = Shapes.broadcast("maskedFill", x.shape, mask.shape);
        if (!Arrays.equals(shape, x.shape)) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + Shapes.str(mask.shape)
                    + " cannot be broadcast to the input shape " + Shapes.str(x.shape));
        }
        return where(mask, Tensor.scalar(value), x, "maskedFill");
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return where(cond, a, b, "where");
    }

    private static Tensor where(Tensor cond, Tensor a, Tensor b, String op) {
        int[] shape = Shapes.broadcast(op, Shapes.broadcast(op, cond.shape, a.shape), b.shape);
        float[] c = cond.detach().expand(shape).dense();
        float[] av = a.detach().expand(shape).dense();
        float[] bv = b.detach().expand(shape).dense();
        float[] out = Workspace.scratch(c.length);
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0 ? av[i] : bv[i];
        return Engine.record(Tensor.wrap(out, shape), op, g -> {
            float[] gs = g.dense();
            float[] ga = Workspace.zeroed(gs.length), gb = Workspace.zeroed(gs.length);
            for (int i = 0; i < gs.length; i++) {
                if (c[i] != 0) ga[i] = gs[i]; else gb[i] = gs[i];
            }
            return new Tensor[] {null, Tensor.wrap(ga, shape.clone()), Tensor.wrap(gb, shape.clone())};
        }, cond, a, b);
    }
}
