package dev.vecgrad.autograd.kernel;

/**
 * The scalar twin of {@link Gemm}: the same signature and semantics, written as a plain triple
 * loop. It is the reference the SIMD kernel is tested against and the fallback where the Vector
 * API is not intrinsified.
 *
 * <p>Arithmetic: each C element accumulates {@code a(i,p) * b(p,j)} in a float, p ascending, with
 * separate multiply and add (no FMA); then {@code alpha*acc} (beta == 0) or
 * {@code alpha*acc + beta*C}. {@link Gemm} sums the same terms with FMA in k blocks of 256, so the
 * two differ by rounding only: each result is within {@code ~k*eps*sum|a||b|} of the exact value
 * (standard forward error bound for a recursive dot product), hence of each other within twice that.
 */
public final class GemmScalar {
    private GemmScalar() {}

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, row-major; the shapes are those of
     * {@link Gemm#sgemm}. Modifies {@code c}; {@code a} and {@code b} are not modified.
     *
     * @throws IllegalArgumentException as {@link Gemm#sgemm}
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        GemmChecks.check("sgemm", transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, 1);
        // op(A)(i, p) = a[i*lda + p] or a[p*lda + i]; op(B)(p, j) = b[p*ldb + j] or b[j*ldb + p].
        int aRow = transA ? 1 : lda;
        int aCol = transA ? lda : 1;
        int bRow = transB ? 1 : ldb;
        int bCol = transB ? ldb : 1;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int ci = cOff + i * ldc + j;
                if (k == 0 || alpha == 0f) {
                    c[ci] = beta == 0f ? 0f : c[ci] * beta;
                    continue;
                }
                float acc = 0f;
                int ai = aOff + i * aRow;
                int bi = bOff + j * bCol;
                for (int p = 0; p < k; p++) {
                    acc += a[ai + p * aCol] * b[bi + p * bRow];
                }
                c[ci] = beta == 0f ? alpha * acc : alpha * acc + beta * c[ci];
            }
        }
    }
}
