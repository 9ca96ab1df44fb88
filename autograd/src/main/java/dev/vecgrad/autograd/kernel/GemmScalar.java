package dev.vecgrad.autograd.kernel;

/**
 * The scalar twin of {@link Gemm}: the same contract in a plain triple loop, the reference the
 * SIMD kernel is tested against and the baseline it is benchmarked against.
 */
public final class GemmScalar {
    private GemmScalar() {}

    /** Same contract as {@link Gemm#sgemm}. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        GemmChecks.check("sgemm", transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (k == 0 || alpha == 0f) {
            GemmChecks.scale(m, n, beta, c, cOff, ldc);
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
            }
        }
    }
}
