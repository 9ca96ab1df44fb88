package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Gemm;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.VecMath;

/**
 * The affine layer as one op, PyTorch's {@code F.linear}: {@code y = x W^T + b} with W stored
 * {@code [out, in]}. One GEMM (NT) and a fused bias add forward; backward {@code dx = g W} (NN),
 * {@code dW = g^T x} (TN, straight into W's layout) and {@code db} as column sums of g (taken by
 * the dW product as it packs g^T when the products are deeper than one GEMM block), as one task
 * list for both threads where the products fit one GEMM block. Compared with
 * {@code x.matmul(W.transpose(0, 1)).add(b)} it saves the broadcast add and its reduction, the
 * transposed gradient of W and its copy, and two graph nodes per layer.
 */
final class LinearOps {
    /**
     * From this many flops per product (2 rows in out), backward runs its two products at once
     * from one task list; below, each runs alone (then serially, being small). The
     * shakespeare-char training products are 12-100 MFLOP.
     */
    static final long BOTH_AT_ONCE_FLOPS = 4_000_000L;

    private LinearOps() {}

    /** Tiles each backward product is cut into (when its shape allows). */
    static final int TILES_PER_PRODUCT = 8;
    /** Columns per task of the bias gradient's column sums. */
    static final int BIAS_COLUMNS = 64;

    /**
     * Linear backward as one list of tasks: the tiles of {@code dx = g W} at the front, the tiles
     * of {@code dW = g^T x} and the bias's column sums at the back, run from both ends at once
     * ({@link Parallel#fromBothEnds}). Each thread mostly works on its own product (its packed
     * operands stay in its core's cache), and the one that finishes first takes the other's
     * remaining tiles: the two products cost the same flops but not the same time (dW packs a
     * transposed A and adds the bias sums), and running them one per thread left the faster
     * thread idle at the end, 7 of 35 ms per shakespeare-char step. Every element is computed by
     * one tile with the arithmetic of the sequential products, so the bits do not change.
     */
    private static void backwardByTiles(float[] gs, float[] w, float[] xs, float[] dx, float[] dw, float[] db,
                                        int rows, int in, int out) {
        long before = Workspace.mark();
        float[] packForDx = Workspace.scratch(Gemm.planBuffer(in, out));
        float[] packForDw = dw == null ? null : Workspace.scratch(Gemm.planBuffer(in, rows));
        Gemm.Plan inputGrad = Gemm.plan(false, false, rows, in, out, 1f, gs, 0, out, w, 0, in, 0f, dx, 0, in, packForDx,
                TILES_PER_PRODUCT);
        Gemm.Plan weightGrad = dw == null ? null : Gemm.plan(true, false, out, in, rows, 1f, gs, 0, out, xs, 0, in, 0f,
                dw, 0, in, packForDw, TILES_PER_PRODUCT);
        int t0 = inputGrad.tiles(), t1 = weightGrad == null ? 0 : weightGrad.tiles();
        int biasTasks = db == null ? 0 : (out + BIAS_COLUMNS - 1) / BIAS_COLUMNS;
        Parallel.fromBothEnds(t0 + t1 + biasTasks, t -> {
            if (t < t0) {
                inputGrad.tile(t);
            } else if (t < t0 + t1) {
                weightGrad.tile(t - t0);
            } else {
                // db (zeroed) += the rows of g in order, over one block of columns.
                int lo = (t - t0 - t1) * BIAS_COLUMNS, hi = Math.min(out, lo + BIAS_COLUMNS);
                for (int r = 0; r < rows; r++) VecMath.addInPlace(db, lo, gs, r * out + lo, hi - lo);
            }
        });
        Workspace.release(packForDx, before);
        if (packForDw != null) Workspace.release(packForDw, before);
    }

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
                if (dw != null && db != null) {
                    // db (zeroed) takes g's column sums as the product packs g^T: no second pass over g.
                    Gemm.sgemmRowSums(true, false, out, in, fRows, 1f, gs, 0, out, xs, 0, in, 0f, dw, 0, in, db, 0);
                    return;
                }
                if (dw != null) MatmulOps.gemm(true, false, out, in, fRows, 1f, gs, 0, out, xs, 0, in, 0f, dw, 0, in);
                if (db != null) Kernels.columnSums(db, gs, fRows, out);
            };
            boolean bothAtOnce = dx != null && (dw != null || db != null) && Parallel.available()
                    && 2L * fRows * in * out >= BOTH_AT_ONCE_FLOPS;
            if (bothAtOnce && Gemm.fitsPlan(fRows, in, out, 1f) && Gemm.fitsPlan(out, in, fRows, 1f)) {
                backwardByTiles(gs, w, xs, dx, dw, db, fRows, in, out);
            } else {
                // One product after the other, each split over the pool by sgemm when it is big
                // enough. This is the path of products deeper than one block (baby-gpt's dW has
                // k = 16384 rows): run one per thread instead, dW (a transposed A to pack, then
                // the bias sums) took about 1 s longer per baby-gpt step than dx, and the other
                // core waited for it.
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
