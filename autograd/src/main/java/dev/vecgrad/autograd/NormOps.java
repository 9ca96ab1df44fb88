package dev.vecgrad.autograd;

import java.util.Arrays;

/** Layer normalisation over the last dimension, with the per-row mean and 1/std saved for backward. */
final class NormOps {
    private NormOps() {}

    // x (N, C), weight (C), bias (C) -> out (N, C)
    static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        if (x.dim() == 0) throw new IllegalArgumentException("layerNorm: input must have at least one dimension");
        int cols = x.shape[x.dim() - 1];
        int[] want = {cols};
        if (weight != null && !Arrays.equals(weight.shape, want)) {
            throw new IllegalArgumentException("layerNorm: weight has shape " + Shapes.str(weight.shape)
                    + " but the input " + Shapes.str(x.shape) + " needs " + Shapes.str(want));
        }
        if (bias != null && !Arrays.equals(bias.shape, want)) {
            throw new IllegalArgumentException("layerNorm: bias has shape " + Shapes.str(bias.shape)
                    + " but the input " + Shapes.str(x.shape) + " needs " + Shapes.str(want));
        }
        int rows = cols == 0 ? 0 : x.numel() / cols;
        float[] xs = x.dense();
        float[] w = weight == null ? null : weight.dense();
        float[] bs = bias == null ? null : bias.dense();
        // The forward kernel writes every element of all three; the backward accumulates (+=) into zeros.
        float[] out = Workspace.scratch(xs.length), mean = Workspace.scratch(rows), rstd = Workspace.scratch(rows);
        Kernels.layerNormForward(out, mean, rstd, xs, w, bs, rows, cols, eps);
        return Engine.record(Tensor.wrap(out, x.shape.clone()), "layerNorm", g -> {
            float[] gs = g.dense();
            float[] dx = x.requiresGrad ? Workspace.zeroed(xs.length) : null;
            float[] dw = weight != null && weight.requiresGrad ? Workspace.zeroed(cols) : null;
            float[] db = bias != null && bias.requiresGrad ? Workspace.zeroed(cols) : null;
            Kernels.layerNormBackward(dx, dw, db, gs, xs, mean, rstd, w, rows, cols);
            return new Tensor[] {
                dx == null ? null : Tensor.wrap(dx, x.shape.clone()),
                dw == null ? null : Tensor.wrap(dw, cols),
                db == null ? null : Tensor.wrap(db, cols)};
        }, x, weight, bias);
    }
}
