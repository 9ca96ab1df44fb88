package dev.vecgrad.autograd.kernel;

/** Argument checks and the degenerate cases shared by {@link Gemm} and {@link GemmScalar}. */
final class GemmChecks {
    private GemmChecks() {}

    static void check(String op, boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": negative size m=" + m + " n=" + n + " k=" + k);
        }
        if (aOff < 0 || bOff < 0 || cOff < 0) {
            throw new IllegalArgumentException(op + ": negative offset (a " + aOff + ", b " + bOff + ", c " + cOff + ")");
        }
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        matrix(op, "A", a, aOff, lda, aRows, aCols, m, n, k);
        matrix(op, "B", b, bOff, ldb, bRows, bCols, m, n, k);
        matrix(op, "C", c, cOff, ldc, m, n, m, n, k);
    }

    private static void matrix(String op, String name, float[] x, int off, int ld, int rows, int cols, int m, int n, int k) {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) {
            throw new IllegalArgumentException(op + ": leading dimension of " + name + " is " + ld + " but it has " + cols
                    + " columns (m=" + m + " n=" + n + " k=" + k + ")");
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (x == null || last > x.length) {
            throw new IllegalArgumentException(op + ": " + name + " (" + rows + "x" + cols + ", ld " + ld + ", offset " + off
                    + ") needs " + last + " elements but the array has " + (x == null ? 0 : x.length));
        }
    }

    /** C = beta * C (C = 0 when beta is 0, whatever C held). */
    static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? 0f : beta * c[ci];
            }
        }
    }
}
