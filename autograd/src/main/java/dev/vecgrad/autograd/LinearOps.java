package dev.vecgrad.autograd;

/**
 * The affine layer as one op, PyTorch's {@code F.linear}: {@code y = x W^T + b} with W stored
 * {@code [out, in]}. One GEMM (NT) and a fused bias add forward; backward {@code dx = g W} (NN),
 * {@code dW = g^T x} (TN, straight into W's layout) and {@code db} as column sums. Compared with
 * {@code x.matmul(W.transpose(0, 1)).add(b)} it saves the broadcast add and its reduction, the
 * transposed gradient of W and its copy, and two graph nodes per layer.
 */
final class LinearOps {
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
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad) {
                float[] dx = Workspace.scratch(fRows * in);
                MatmulOps.gemm(false, false, fRows, in, out, 1f, gs, 0, out, w, 0, in, 0f, dx, 0, in);
                gx = Tensor.wrap(dx, x.shape.clone());
            }
            if (weight.requiresGrad) {
                float[] dw = Workspace.scratch(out * in);
                MatmulOps.gemm(true, false, out, in, fRows, 1f, gs, 0, out, xs, 0, in, 0f, dw, 0, in);
                gw = Tensor.wrap(dw, out, in);
            }
            if (bias != null && bias.requiresGrad) {
                float[] db = Workspace.zeroed(out);
                Kernels.columnSums(db, gs, fRows, out);
                gb = Tensor.wrap(db, out);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
    }
}
