package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;

/**
 * The affine layer as one op, PyTorch's {@code F.linear}: {@code y = x W^T + b} with W stored
 * {@code [out, in]}. One GEMM (NT) and a fused bias add forward; backward {@code dx = g W} (NN),
 * {@code dW = g^T x} (TN, straight into W's layout) and {@code db} as column sums, the first and
 * the other two on different threads. Compared with
 * {@code x.matmul(W.transpose(0, 1)).add(b)} it saves the broadcast add and its reduction, the
 * transposed gradient of W and its copy, and two graph nodes per layer.
 */
final class LinearOps {
    /**
     * From this many flops per product (2 rows in out), backward runs its two products at once,
     * one per thread; below, each runs alone (then serially, being small). The training
     * products are 12-100 MFLOP.
     */
    static final long BOTH_AT_ONCE_FLOPS = 4_000_000L;

    private LinearOps() {}

    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear: weight must be 2-d [out, in], got " + Shapes.str(weight.shape));
        }
        int out = weight.shape[0], in = weight.shape[1];
        if (x.dim() == 0 || x.shape[x.dim() - 1] != in) {
            throw new IllegalArgumentException("linear: input " + Shapes.str(x.shape) + " does not fit weight "
                    + Shapes.str(weight.shape) + " (expected last dimension " + in + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.shape[0] != out)) {
            throw new IllegalArgumentException("linear: bias " + Shapes.str(bias.shape) + " does not fit weight "
                    + Shapes.str(weight.shape) + " (expected [" + out + "])");
        }
        int rows = Shapes.numel(java.util.Arrays.copyOf(x.shape, x.dim() - 1));
        float[] xs = x.dense(), w = weight.dense(), b = bias == null ? null : bias.dense();
        float[] y = Workspace.scratch(rows * out);   // GEMMs with beta 0 overwrite; db accumulates into zeros
        if (b != null) {
            MatmulOps.gemmBias(false, true, rows, out, in, xs, 0, in, w, 0, in, b, y, 0, out);
        } else {
            MatmulOps.gemm(false, true, rows, out, in, 1f, xs, 0, in, w, 0, in, 0f, y, 0, out);
        }
        int[] shape = x.shape.clone();
        shape[shape.length - 1] = out;
        int fRows = rows;
        return Engine.record(Tensor.wrap(y, shape), "linear", g -> {
            float[] gs = g.dense();
            // Results come from this thread's workspace, before any work is handed to the pool.
            float[] dx = x.requiresGrad ? Workspace.scratch(fRows * in) : null;
            float[] dw = weight.requiresGrad ? Workspace.scratch(out * in) : null;
            float[] db = bias != null && bias.requiresGrad ? Workspace.zeroed(out) : null;
            Runnable inputGrad = () -> MatmulOps.gemm(false, false, fRows, in, out, 1f, gs, 0, out, w, 0, in, 0f, dx, 0, in);
            Runnable weightGrad = () -> {
                if (dw != null) MatmulOps.gemm(true, false, out, in, fRows, 1f, gs, 0, out, xs, 0, in, 0f, dw, 0, in);
                if (db != null) Kernels.columnSums(db, gs, fRows, out);
            };
            if (dx != null && (dw != null || db != null) && Parallel.threads() > 1
                    && 2L * fRows * in * out >= BOTH_AT_ONCE_FLOPS) {
                // The two products have equal flops (2 rows in out each) and are independent: one
                // per thread, each running serially inside (nested pool calls run inline), beats
                // splitting each small product over both threads in turn (the training shapes,
                // 768 x 128 x 128 and the like, scale 1.2-1.4x on two threads one at a time).
                Parallel.forRange(2, 1, true, (lo, hi) -> {
                    for (int t = lo; t < hi; t++) (t == 0 ? inputGrad : weightGrad).run();
                });
            } else {
                if (dx != null) inputGrad.run();
                weightGrad.run();
            }
            return new Tensor[] {
                dx == null ? null : Tensor.wrap(dx, x.shape.clone()),
                dw == null ? null : Tensor.wrap(dw, out, in),
                db == null ? null : Tensor.wrap(db, out)};
        }, x, weight, bias);
    }
}
