package dev.vecgrad.autograd;

/**
 * Unary elementwise ops. Each backward is written from what the forward saved: the input where
 * the derivative needs it (log, relu, gelu, pow), the output where that is cheaper (exp, sqrt,
 * tanh, sigmoid).
 */
final class UnaryOps {
    private UnaryOps() {}

    /** dst[i] = f(x[i], g[i]) over two same-shape tensors; used by the backwards below. */
    @FunctionalInterface
    interface Zip {
        float apply(float x, float g);
    }

    static Tensor zip(Tensor x, Tensor g, Zip f) {
        float[] xs = x.dense();
        float[] gs = g.dense();
        float[] out = Workspace.scratch(gs.length);
        for (int i = 0; i < out.length; i++) out[i] = f.apply(xs[i], gs[i]);
        return Tensor.wrap(out, x.shape.clone());
    }

    // y = x^p; dy/dx = p x^(p-1)
    static Tensor pow(Tensor x, float p) {
        Tensor y = ElementwiseOps.map(x, (d, di, s, si, n) -> {
            for (int i = 0; i < n; i++) d[di + i] = powf(s[si + i], p);
        });
        Tensor xs = x.detach();
        return Engine.record(y, "pow", g -> new Tensor[] {zip(xs, g, (v, gv) -> gv * p * powf(v, p - 1))}, x);
    }

    private static float powf(float v, float p) {
        if (p == 2f) return v * v;
        if (p == 1f) return v;
        if (p == 0f) return 1f;
        return (float) Math.pow(v, p);
    }

    // y = e^x; dy/dx = y
    static Tensor exp(Tensor x) {
        Tensor y = ElementwiseOps.map(x, Kernels::exp);
        return Engine.record(y, "exp", g -> new Tensor[] {zip(y.detach(), g, (yv, gv) -> gv * yv)}, x);
    }

    // y = ln x; dy/dx = 1/x
    static Tensor log(Tensor x) {
        Tensor y = ElementwiseOps.map(x, Kernels::log);
        Tensor xs = x.detach();
        return Engine.record(y, "log", g -> new Tensor[] {zip(xs, g, (v, gv) -> gv / v)}, x);
    }

    // y = sqrt x; dy/dx = 1/(2y)
    static Tensor sqrt(Tensor x) {
        Tensor y = ElementwiseOps.map(x, Kernels::sqrt);
        return Engine.record(y, "sqrt", g -> new Tensor[] {zip(y.detach(), g, (yv, gv) -> gv * 0.5f / yv)}, x);
    }

    // y = tanh x; dy/dx = 1 - y^2
    static Tensor tanh(Tensor x) {
        Tensor y = ElementwiseOps.map(x, Kernels::tanh);
        return Engine.record(y, "tanh", g -> new Tensor[] {zip(y.detach(), g, (yv, gv) -> gv * (1f - yv * yv))}, x);
    }

    // y = 1/(1+e^-x); dy/dx = y(1-y)
    static Tensor sigmoid(Tensor x) {
        Tensor y = ElementwiseOps.map(x, Kernels::sigmoid);
        return Engine.record(y, "sigmoid", g -> new Tensor[] {zip(y.detach(), g, (yv, gv) -> gv * yv * (1f - yv))}, x);
    }

    // y = max(x, 0); dy/dx = [x > 0] (PyTorch's choice at 0 is 0)
    static Tensor relu(Tensor x) {
        Tensor y = ElementwiseOps.map(x, Kernels::relu);
        Tensor xs = x.detach();
        return Engine.record(y, "relu", g -> new Tensor[] {zip(xs, g, (v, gv) -> v > 0 ? gv : (Float.isNaN(v) ? v : 0f))}, x);
    }

    // y = 0.5 x (1 + tanh(k (x + 0.044715 x^3))), k = sqrt(2/pi)
    static Tensor gelu(Tensor x) {
        Tensor y = ElementwiseOps.map(x, Kernels::gelu);
        Tensor xs = x.detach();
        return Engine.record(y, "gelu", g -> {
            float[] xv = xs.dense(), gv = g.dense(), dx = Workspace.scratch(gv.length);   // every element written
            Kernels.geluBackwardInto(dx, xv, gv, gv.length);
            return new Tensor[] {Tensor.wrap(dx, xs.shape.clone())};
        }, x);
    }
}
