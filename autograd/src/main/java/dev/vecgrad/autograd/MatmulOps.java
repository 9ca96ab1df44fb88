package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Gemm;
import dev.vecgrad.autograd.kernel.Gemv;
import java.util.Arrays;

/**
 * Matrix products. Operands are read in place whenever their last two dimensions are row-major
 * or transposed row-major (a {@code transpose} view costs nothing: it becomes a GEMM flag), and
 * backward uses the NT/TN forms so no transpose is ever materialised.
 */
final class MatmulOps {
    private MatmulOps() {}

    /** One operand stack: matrix b of the batch starts at off + b * batchStride. */
    private record Operand(float[] data, int off, int batchStride, boolean trans, int ld) {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got "
                    + Shapes.str(a.shape) + " and " + Shapes.str(b.shape));
        }
        if (a.dim() == 1 && b.dim() == 1) {
            checkInner(a, b, a.shape[0], b.shape[0]);
            return a.mul(b).sum();
        }
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(-1)).squeeze(-1);
        int m = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1];
        int k2 = b.shape[b.dim() - 2], n = b.shape[b.dim() - 1];
        checkInner(a, b, k, k2);
        int[] batchA = Arrays.copyOf(a.shape, a.dim() - 2), batchB = Arrays.copyOf(b.shape, b.dim() - 2);
        int[] batch;
        try {
            batch = Shapes.broadcast("matmul", batchA, batchB);
        } catch (IllegalArgumentException e) {
            // Name the operands' full shapes, not just their batch parts.
            throw new IllegalArgumentException("matmul: cannot multiply " + Shapes.str(a.shape) + " by "
                    + Shapes.str(b.shape) + ": batch dimensions " + Shapes.str(batchA) + " and " + Shapes.str(batchB)
                    + " cannot be broadcast", e);
        }
        if (b.dim() == 2 && a.dim() > 2 && a.isContiguous()) {
            // [..., M, K] @ [K, N]: fold the batch into the rows, one big GEMM.
            int[] outShape = Arrays.copyOf(batch, batch.length + 2);
            outShape[batch.length] = m;
            outShape[batch.length + 1] = n;
            return matmul(a.reshape(-1, k), b).reshape(outShape);
        }
        int nb = Shapes.numel(batch);
        Tensor ae = a.detach().expand(withMatrix(batch, m, k));
        Tensor be = b.detach().expand(withMatrix(batch, k, n));
        Operand oa = operand(ae, batch.length), ob = operand(be, batch.length);
        float[] out = Workspace.scratch(nb * m * n);   // beta 0: bmm overwrites
        bmm(out, nb, m, n, k, oa, ob, 0f);
        Tensor result = Tensor.wrap(out, withMatrix(batch, m, n));
        return Engine.record(result, "matmul", g -> {
            Tensor gc = g.contiguous();
            Operand og = new Operand(gc.data, gc.offset, m * n, false, n);
            Tensor ga = null, gb = null;
            if (a.requiresGrad) {
                // dA = g @ op(B)^T : (M,N) x (N,K)
                float[] da = Workspace.scratch(nb * m * k);
                bmm(da, nb, m, k, n, og, new Operand(ob.data, ob.off, ob.batchStride, !ob.trans, ob.ld), 0f);
                ga = Tensor.wrap(da, withMatrix(batch, m, k));
            }
            if (b.requiresGrad) {
                // dB = op(A)^T @ g : (K,M) x (M,N)
                float[] db = Workspace.scratch(nb * k * n);
                bmm(db, nb, k, n, m, new Operand(oa.data, oa.off, oa.batchStride, !oa.trans, oa.ld), og, 0f);
                gb = Tensor.wrap(db, withMatrix(batch, k, n));
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    private static void checkInner(Tensor a, Tensor b, int k, int k2) {
        if (k != k2) {
            throw new IllegalArgumentException("matmul: cannot multiply " + Shapes.str(a.shape) + " by "
                    + Shapes.str(b.shape) + ": inner dimensions " + k + " and " + k2 + " differ");
        }
    }

    private static int[] withMatrix(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }

    /**
     * Describes the last two dims of {@code t} as a (possibly transposed) row-major matrix with a
     * single batch stride, copying only when the layout has no such description.
     */
    private static Operand operand(Tensor t, int batchDims) {
        int r = t.dim();
        int rows = t.shape[r - 2], cols = t.shape[r - 1];
        int rs = t.strides[r - 2], cs = t.strides[r - 1];
        int batchStride = batchStride(t, batchDims);
        if (batchStride != -1) {
            if ((cs == 1 || cols == 1) && rs >= cols) return new Operand(t.data, t.offset, batchStride, false, Math.max(rs, 1));
            if ((rs == 1 || rows == 1) && cs >= rows) return new Operand(t.data, t.offset, batchStride, true, Math.max(cs, 1));
        }
        Tensor c = Tensor.wrap(t.toArray(), t.shape.clone());
        return new Operand(c.data, 0, rows * cols, false, Math.max(cols, 1));
    }

    /** The one stride that walks the (flattened) batch dims, or -1 when they do not flatten. */
    private static int batchStride(Tensor t, int batchDims) {
        int stride = -1;
        for (int i = batchDims - 1; i >= 0; i--) {
            if (t.shape[i] == 1) continue;
            if (stride == -1) {
                stride = t.strides[i];
                continue;
            }
            int inner = 1;
            for (int j = i + 1; j < batchDims; j++) if (t.shape[j] != 1) inner *= t.shape[j];
            if (t.strides[i] != stride * inner) return -1;
        }
        return stride == -1 ? 0 : stride;
    }

    // out (nb, m, n) = op(A) (nb, m, k) x op(B) (nb, k, n) [+ beta * out]
    private static void bmm(float[] out, int nb, int m, int n, int k, Operand a, Operand b, float beta) {
        for (int i = 0; i < nb; i++) {
            gemm(a.trans, b.trans, m, n, k, 1f, a.data, a.off + i * a.batchStride, a.ld,
                    b.data, b.off + i * b.batchStride, b.ld, beta, out, i * m * n, n);
        }
    }

    /** {@code C = op(A) op(B) + bias} per row, bias fused into the GEMM's store (see {@link Gemm#sgemmBias}). */
    static void gemmBias(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, float[] bias, float[] c, int cOff, int ldc) {
        if (m == 1 && !ta && tb) {   // one token through a linear layer (sampling with a KV cache)
            Gemv.gemvNT(n, k, a, aOff, b, bOff, ldb, bias, 0, c, cOff);
            return;
        }
        Gemm.sgemmBias(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, bias, 0, c, cOff, ldc);
    }

    /** The one GEMM entry point of the op layer (see {@link Gemm#sgemm}). */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m == 1 && !ta && tb && alpha == 1f && beta == 0f) {   // see gemmBias
            Gemv.gemvNT(n, k, a, aOff, b, bOff, ldb, null, 0, c, cOff);
            return;
        }
        Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
