package dev.vecgrad.autograd;

/** Concatenation and splitting along one dimension. Splits are narrow views, so their backward is narrow's. */
final class JoinOps {
    private JoinOps() {}

    static Tensor cat(int dim, Tensor[] ts) {
        if (ts.length == 0) throw new IllegalArgumentException("cat: expected at least one tensor");
        int[] first = ts[0].shape;
        if (first.length == 0) throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated");
        int d = Shapes.dim("cat", dim, first.length);
        int total = 0;
        for (int i = 0; i < ts.length; i++) {
            int[] s = ts[i].shape;
            boolean ok = s.length == first.length;
            for (int k = 0; ok && k < s.length; k++) ok = k == d || s[k] == first[k];
            if (!ok) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shapes.str(s)
                        + " but tensor 0 has shape " + Shapes.str(first) + "; all dimensions except " + d + " must match");
            }
            total += s[d];
        }
        int[] shape = first.clone();
        shape[d] = total;
        Tensor out = Tensor.wrap(Workspace.scratch(Shapes.numel(shape)), shape);   // the parts cover it
        int[] starts = new int[ts.length];
        for (int i = 0, at = 0; i < ts.length; i++) {
            starts[i] = at;
            Strided.copyInto(ViewOps.narrowView(out, d, at, ts[i].shape[d]), ts[i]);
            at += ts[i].shape[d];
        }
        return Engine.record(out, "cat", g -> {
            Tensor[] gs = new Tensor[ts.length];
            for (int i = 0; i < ts.length; i++) gs[i] = g.narrow(d, starts[i], ts[i].shape[d]);
            return gs;
        }, ts);
    }

    private static void requireDims(String op, Tensor x) {
        if (x.shape.length == 0) throw new IllegalArgumentException(op + ": cannot split a 0-d tensor");
    }

    static Tensor[] split(Tensor x, int splitSize, int dim) {
        int d = Shapes.dim("split", dim, x.shape.length);
        requireDims("split", x);
        if (splitSize <= 0) throw new IllegalArgumentException("split: split size must be positive, got " + splitSize);
        int n = x.shape[d];
        int pieces = Math.max(1, (n + splitSize - 1) / splitSize);
        int[] sizes = new int[pieces];
        for (int i = 0; i < pieces; i++) sizes[i] = Math.min(splitSize, n - i * splitSize);
        if (n == 0) sizes[0] = 0;
        return split(x, sizes, d);
    }

    static Tensor[] split(Tensor x, int[] sizes, int dim) {
        int d = Shapes.dim("split", dim, x.shape.length);
        requireDims("split", x);
        long sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: negative size " + s + " in " + java.util.Arrays.toString(sizes));
            sum += s;
        }
        if (sum != x.shape[d]) {
            throw new IllegalArgumentException("split: sizes " + java.util.Arrays.toString(sizes) + " add up to " + sum
                    + " but dimension " + d + " of " + Shapes.str(x.shape) + " has size " + x.shape[d]);
        }
        Tensor[] out = new Tensor[sizes.length];
        for (int i = 0, at = 0; i < sizes.length; at += sizes[i], i++) out[i] = x.narrow(d, at, sizes[i]);
        return out;
    }

    static Tensor[] chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: number of chunks must be positive, got " + chunks);
        int d = Shapes.dim("chunk", dim, x.shape.length);
        requireDims("chunk", x);
        int size = Math.max(1, (x.shape[d] + chunks - 1) / chunks);
        return split(x, size, d);
    }
}
