package dev.vecgrad.autograd;

import java.util.Locale;

/** PyTorch-like printing: nested brackets, 4 decimals, summarised with "..." past 1000 elements. */
final class TensorFormat {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        float[] v = t.toArray();
        boolean summarise = v.length > THRESHOLD;
        boolean sci = needsScientific(v);
        if (t.shape.length == 0) {
            sb.append(num(v[0], sci));
        } else {
            append(sb, v, t.shape, 0, 0, summarise, sci, "tensor(".length());
        }
        if (t.shape.length >= 2 || summarise) sb.append(", shape=").append(Shapes.str(t.shape));
        if (t.node != null) {
            sb.append(", grad_fn=<").append(t.node.op).append(">");
        } else if (t.requiresGrad) {
            sb.append(", requires_grad=true");
        }
        return sb.append(')').toString();
    }

    private static boolean needsScientific(float[] v) {
        float max = 0, min = Float.POSITIVE_INFINITY;
        for (float f : v) {
            float a = Math.abs(f);
            if (Float.isFinite(a) && a > 0) {
                max = Math.max(max, a);
                min = Math.min(min, a);
            }
        }
        return max >= 1e8f || (max > 0 && min < 1e-4f) || (max > 0 && max / min > 1000f && max >= 1000f);
    }

    private static String num(float f, boolean sci) {
        if (Float.isNaN(f)) return "nan";
        if (Float.isInfinite(f)) return f > 0 ? "inf" : "-inf";
        return sci ? String.format(Locale.ROOT, "%.4e", f) : String.format(Locale.ROOT, "%.4f", f);
    }

    private static void append(StringBuilder sb, float[] v, int[] shape, int dim, int base, boolean summarise,
                               boolean sci, int indent) {
        int n = shape[dim];
        int inner = 1;
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarise && n > 2 * EDGE && i == EDGE) {
                sb.append("...");
                i = n - EDGE - 1;
                sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
                continue;
            }
            if (dim == shape.length - 1) {
                sb.append(num(v[base + i], sci));
            } else {
                append(sb, v, shape, dim + 1, base + i * inner, summarise, sci, indent);
            }
            if (i < n - 1) {
                sb.append(dim == shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }
}
