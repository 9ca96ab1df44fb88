package dev.vecgrad.autograd;

import static dev.vecgrad.testing.GradAssertions.assertGradients;
import static dev.vecgrad.testing.TensorArbitraries.param;

import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Gradients of matmul over 1-d, 2-d and batched operands with broadcast batch dims, with
 * operands given as transposed views (the GEMM transpose-flag path) and with permuted batch dims
 * (the copy path).
 */
class MatmulGradTest {

    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    @Provide
    Arbitrary<Integer> dims() {
        return Arbitraries.of(1, 2, 3, 5);
    }

    /**
     * How one operand is built: its leaf shape and the view taken of it inside the function.
     * {@code batch == null} means a 1-d operand.
     */
    record Operand(int[] batch, int rows, int cols, boolean transposed, boolean batchReversed) {
        int[] leafShape() {
            if (batch == null) return new int[] {rows * cols};
            int nb = batch.length;
            int[] s = new int[nb + 2];
            for (int i = 0; i < nb; i++) s[i] = batchReversed ? batch[nb - 1 - i] : batch[i];
            s[nb] = transposed ? cols : rows;
            s[nb + 1] = transposed ? rows : cols;
            return s;
        }

        Tensor view(Tensor leaf) {
            if (batch == null) return leaf;
            Tensor t = transposed ? leaf.transpose(-1, -2) : leaf;
            if (!batchReversed) return t;
            int nb = batch.length;
            int[] perm = new int[nb + 2];
            for (int i = 0; i < nb; i++) perm[i] = nb - 1 - i;
            perm[nb] = nb;
            perm[nb + 1] = nb + 1;
            return t.permute(perm);
        }

        static Operand random(SplittableRandom r, int[] batch, int rows, int cols, boolean allowVector) {
            if (allowVector && r.nextInt(5) == 0) return new Operand(null, rows, cols, false, false);
            return new Operand(batch, rows, cols, r.nextBoolean(), batch.length >= 2 && r.nextInt(3) == 0);
        }
    }

    private static void check(Operand a, Operand b, SplittableRandom r) {
        assertGradients(in -> a.view(in[0]).matmul(b.view(in[1])),
                param(r, Values.ANY, a.leafShape()), param(r, Values.ANY, b.leafShape()));
    }

    @Property(tries = 40, seed = "501")
    @Covers("matmul")
    void matrices(@ForAll("dims") int m, @ForAll("dims") int k, @ForAll("dims") int n, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // 1-d operands become a row (left) or a column (right) vector, as in PyTorch.
        Operand a = Operand.random(r, new int[0], m, k, false);
        Operand b = Operand.random(r, new int[0], k, n, false);
        if (r.nextInt(4) == 0) a = new Operand(null, 1, k, false, false);
        if (r.nextInt(4) == 0) b = new Operand(null, k, 1, false, false);
        check(a, b, r);
    }

    @Property(tries = 50, seed = "502")
    @Covers("matmul")
    void batchedWithBroadcastBatchDims(@ForAll("dims") int m, @ForAll("dims") int k, @ForAll("dims") int n,
                                       @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] full = new int[r.nextInt(3)];
        for (int i = 0; i < full.length; i++) full[i] = 1 + r.nextInt(3);
        int[][] batches = TensorArbitraries.broadcastPair(full, r);
        Operand a = Operand.random(r, batches[0], m, k, true);
        Operand b = Operand.random(r, batches[1], k, n, true);
        if (a.batch() == null) a = new Operand(null, 1, k, false, false);
        if (b.batch() == null) b = new Operand(null, k, 1, false, false);
        check(a, b, r);
    }

    @Property(tries = 30, seed = "503")
    @Covers("matmul")
    void batchedTimesMatrix(@ForAll("dims") int m, @ForAll("dims") int k, @ForAll("dims") int n,
                            @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // [..., M, K] @ [K, N] folds the batch into the rows when the left side is contiguous.
        int[] batch = {1 + r.nextInt(3), 1 + r.nextInt(2)};
        int[] aBatch = Arrays.copyOfRange(batch, r.nextInt(2), 2);
        Operand a = new Operand(aBatch, m, k, r.nextInt(3) == 0, false);
        Operand b = new Operand(new int[0], k, n, r.nextBoolean(), false);
        if (r.nextBoolean()) check(a, b, r);
        else check(new Operand(new int[0], n, m, r.nextBoolean(), false), new Operand(aBatch, m, k, r.nextBoolean(), false), r);
    }

    @Property(tries = 20, seed = "504")
    @Covers("matmul")
    void sameTensorOnBothSides(@ForAll("dims") int m, @ForAll("seeds") long seed) {
        // x @ x^T: both gradients land on one leaf and must add up.
        SplittableRandom r = new SplittableRandom(seed);
        int k = 1 + r.nextInt(4);
        assertGradients(in -> in[0].matmul(in[0].transpose(0, 1)), param(r, Values.ANY, m, k));
    }

    @Property(tries = 30, seed = "505")
    @Covers("matmul")
    void narrowedOperandsWithPaddedRows(@ForAll("dims") int m, @ForAll("dims") int k, @ForAll("dims") int n,
                                        @ForAll("seeds") long seed, @ForAll boolean batched) {
        // Narrow views start at an offset and have a leading dimension larger than their width.
        SplittableRandom r = new SplittableRandom(seed);
        int pad = 1 + r.nextInt(2);
        Tensor a = param(r, Values.ANY, batched ? new int[] {2, m + pad, k} : new int[] {m + pad, k});
        Tensor b = param(r, Values.ANY, k, n + pad);
        boolean bTransposed = r.nextBoolean();
        assertGradients(in -> {
            Tensor left = in[0].narrow(-2, pad, m);
            Tensor right = bTransposed ? in[1].narrow(1, pad, n).transpose(0, 1).contiguous().transpose(0, 1)
                    : in[1].narrow(1, pad, n);
            return left.matmul(right);
        }, a, b);
    }
}
