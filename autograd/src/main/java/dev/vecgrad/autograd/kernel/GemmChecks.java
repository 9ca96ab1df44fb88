package dev.vecgrad.autograd.kernel;

/** Argument validation shared by {@link Gemm} and {@link GemmScalar}. Package-private. */
final class GemmChecks {
    private GemmChecks() {}

    /**
     * Checks sizes, leading dimensions, offsets and array lengths of a (batched) GEMM call; a plain
     * call passes strides 0 and batch 1. Messages name the operation and every size involved.
     *
     * @throws IllegalArgumentException naming {@code op}, the shapes and what was expected
     */
    static void check(String op, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                      float[] c, int cOff, int ldc, int strideC, int batch) {
        // Messages are built only on failure: this runs on every product, thousands per step.
        String problem = null;
        if (m < 0 || n < 0 || k < 0) {
            problem = "sizes must be >= 0";
        } else if (batch < 0 || strideA < 0 || strideB < 0 || strideC < 0) {
            problem = "batch=" + batch + ", strides (" + strideA + ", " + strideB + ", " + strideC + ") must be >= 0";
        } else {
            // Stored shapes: A is (m, k) or (k, m) when transposed; B is (k, n) or (n, k).
            problem = matrix("A", a, aOff, lda, strideA, transA ? k : m, transA ? m : k, batch);
            if (problem == null) problem = matrix("B", b, bOff, ldb, strideB, transB ? n : k, transB ? k : n, batch);
            if (problem == null) problem = matrix("C", c, cOff, ldc, strideC, m, n, batch);
        }
        if (problem != null) {
            throw new IllegalArgumentException(op + "(transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n
                    + ", k=" + k + "): " + problem);
        }
    }

    /** What is wrong with one stored matrix, or null when nothing is. */
    private static String matrix(String name, float[] x, int off, int ld, int stride, int rows, int cols, int batch) {
        if (x == null) {
            return name + " is null";
        }
        if (ld < Math.max(1, cols)) {
            String ldName = "ld" + name.toLowerCase();
            return ldName + "=" + ld + " is too small for stored " + name + " [" + rows + ", " + cols + "], expected "
                    + ldName + " >= " + Math.max(1, cols);
        }
        if (off < 0) {
            return "offset of " + name + " is " + off + ", expected >= 0";
        }
        if (rows == 0 || cols == 0 || batch == 0) {
            return null;
        }
        long need = off + (long) (batch - 1) * stride + (long) (rows - 1) * ld + cols;
        if (need > x.length) {
            return name + " has " + x.length + " elements, but [" + rows + ", " + cols + "] with ld"
                    + name.toLowerCase() + "=" + ld + ", offset " + off
                    + (batch > 1 ? ", batch " + batch + " x stride " + stride : "") + " needs " + need;
        }
        return null;
    }
}
