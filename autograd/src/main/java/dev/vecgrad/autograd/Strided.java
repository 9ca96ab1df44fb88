package dev.vecgrad.autograd;

/**
 * Loops over strided (possibly broadcast) layouts. The innermost dimension is handed to a
 * row function as one run with its own strides, so contiguous runs reach the SIMD kernels.
 */
final class Strided {
    private Strided() {}

    /** One innermost run: {@code n} elements of out (stride 1) from a and b at their strides. */
    @FunctionalInterface
    interface BinaryRun {
        void run(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int n);
    }

    /** One innermost run of a unary map: {@code n} elements of {@code dst} at stride ds from src at ss. */
    @FunctionalInterface
    interface UnaryRun {
        void run(float[] dst, int di, int ds, float[] src, int si, int ss, int n);
    }

    /**
     * Walks every element of {@code shape} (row-major) where {@code out} is contiguous from 0 and
     * a, b are read with the given (broadcast) strides.
     */
    static void binary(float[] out, int[] shape, float[] a, int aOff, int[] aStr, float[] b, int bOff, int[] bStr,
                       BinaryRun f) {
        int r = shape.length;
        if (r == 0) {
            f.run(out, 0, a, aOff, 0, b, bOff, 0, 1);
            return;
        }
        int inner = shape[r - 1];
        int outer = Shapes.numel(shape) / Math.max(inner, 1);
        if (inner == 0) return;
        int[] idx = new int[r - 1];
        int ai = aOff, bi = bOff;
        for (int o = 0; o < outer; o++) {
            f.run(out, o * inner, a, ai, aStr[r - 1], b, bi, bStr[r - 1], inner);
            for (int d = r - 2; d >= 0; d--) {
                idx[d]++;
                ai += aStr[d];
                bi += bStr[d];
                if (idx[d] < shape[d]) break;
                ai -= aStr[d] * shape[d];
                bi -= bStr[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /** Walks every element of {@code shape} with dst and src at their own strides. */
    static void unary(float[] dst, int dOff, int[] dStr, float[] src, int sOff, int[] sStr, int[] shape, UnaryRun f) {
        int r = shape.length;
        if (r == 0) {
            f.run(dst, dOff, 0, src, sOff, 0, 1);
            return;
        }
        int inner = shape[r - 1];
        if (inner == 0) return;
        int outer = Shapes.numel(shape) / inner;
        int[] idx = new int[r - 1];
        int di = dOff, si = sOff;
        for (int o = 0; o < outer; o++) {
            f.run(dst, di, dStr[r - 1], src, si, sStr[r - 1], inner);
            for (int d = r - 2; d >= 0; d--) {
                idx[d]++;
                di += dStr[d];
                si += sStr[d];
                if (idx[d] < shape[d]) break;
                di -= dStr[d] * shape[d];
                si -= sStr[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /** Copies the elements of {@code t} in row-major order into {@code out} from {@code outOff}. */
    static void copy(float[] out, int outOff, Tensor t) {
        unary(out, outOff, Shapes.contiguousStrides(t.shape), t.data, t.offset, t.strides, t.shape, Strided::copyRun);
    }

    /** Copies {@code src} (broadcast to dst's shape) into the elements of {@code dst}. */
    static void copyInto(Tensor dst, Tensor src) {
        int[] s = Shapes.broadcastStrides(src.shape, src.strides, dst.shape);
        unary(dst.data, dst.offset, dst.strides, src.data, src.offset, s, dst.shape, Strided::copyRun);
    }

    static void copyRun(float[] dst, int di, int ds, float[] src, int si, int ss, int n) {
        if (ds == 1 && ss == 1) {
            System.arraycopy(src, si, dst, di, n);
        } else {
            for (int i = 0; i < n; i++) dst[di + i * ds] = src[si + i * ss];
        }
    }
}
