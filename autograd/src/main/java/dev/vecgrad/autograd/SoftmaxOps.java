package dev.vecgrad.autograd;

/**
 * Softmax and log-softmax. The primitive works on rows of the last dimension; any other
 * dimension is moved last with a transpose view (and back), so its gradient needs no extra code.
 */
final class SoftmaxOps {
    private SoftmaxOps() {}

    static Tensor softmax(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        int d = Shapes.dim(op, dim, x.dim());
        if (x.dim() == 0) return softmax(x.reshape(1), 0, log).reshape();
        if (d != x.dim() - 1) return softmax(x.transpose(d, -1), -1, log).transpose(d, -1);
        int cols = x.shape[d];
        Tensor c = x.isContiguous() ? x : x.detach().contiguous();
        int rows = cols == 0 ? 0 : c.numel() / cols;
        float[] y = Workspace.scratch(c.numel());   // every row written; the backward accumulates into zeros
        if (log) {
            Kernels.logSoftmaxRows(y, 0, c.data, c.offset, rows, cols);
        } else {
            Kernels.softmaxRows(y, 0, c.data, c.offset, rows, cols);
        }
        Tensor out = Tensor.wrap(y, x.shape.clone());
        return Engine.record(out, op, g -> {
            float[] gs = g.dense();
            float[] dx = Workspace.zeroed(gs.length);
            if (log) {
                Kernels.logSoftmaxBackwardRows(dx, y, gs, rows, cols);
            } else {
                Kernels.softmaxBackwardRows(dx, y, gs, rows, cols);
            }
            return new Tensor[] {Tensor.wrap(dx, out.shape.clone())};
        }, x);
    }
}
