package dev.vecgrad.autograd;

import java.util.Arrays;

/**
 * Binary elementwise ops with broadcasting (add, sub, mul, div), their scalar forms, and the
 * in-place updates optimizers use. Each backward returns gradients in the broadcast output shape;
 * the engine sums them back to each input's shape.
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    // out = a + b
    static Tensor add(Tensor a, Tensor b) {
        Tensor out = binary("add", a, b, ElementwiseOps::addRun);
        return Engine.record(out, "add", g -> new Tensor[] {g, g}, a, b);
    }

    // out = a - b
    static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binary("sub", a, b, ElementwiseOps::subRun);
        return Engine.record(out, "sub", g -> new Tensor[] {g, b.requiresGrad ? g.neg() : null}, a, b);
    }

    // out = a * b; backward needs both inputs
    static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binary("mul", a, b, ElementwiseOps::mulRun);
        return Engine.record(out, "mul", g -> new Tensor[] {
            a.requiresGrad ? g.mul(b) : null,
            b.requiresGrad ? g.mul(a) : null}, a, b);
    }

    // out = a / b; d/da = 1/b, d/db = -a/b^2 = -out/b
    static Tensor div(Tensor a, Tensor b) {
        Tensor out = binary("div", a, b, ElementwiseOps::divRun);
        return Engine.record(out, "div", g -> {
            Tensor ga = g.div(b);
            return new Tensor[] {a.requiresGrad ? ga : null, b.requiresGrad ? ga.mul(out.detach()).neg() : null};
        }, a, b);
    }

    static Tensor addScalar(Tensor a, float s) {
        Tensor out = map(a, (dst, di, src, si, n) -> Kernels.addScalar(dst, di, src, si, s, n));
        return Engine.record(out, "add", g -> new Tensor[] {g}, a);
    }

    static Tensor mulScalar(Tensor a, float s) {
        Tensor out = map(a, (dst, di, src, si, n) -> Kernels.mulScalar(dst, di, src, si, s, n));
        return Engine.record(out, "mul", g -> new Tensor[] {g.mul(s)}, a);
    }

    /** Contiguous run of a unary map: dst[di..di+n) = f(src[si..si+n)). */
    @FunctionalInterface
    interface MapRun {
        void run(float[] dst, int di, float[] src, int si, int n);
    }

    /** Applies {@code f} to a contiguous copy of {@code x}'s elements, returning a new tensor. */
    static Tensor map(Tensor x, MapRun f) {
        float[] out = Workspace.scratch(x.numel());                  // every element written below
        if (x.isContiguous()) {
            f.run(out, 0, x.data, x.offset, out.length);
        } else {
            Strided.copy(out, 0, x);
            f.run(out, 0, out, 0, out.length);
        }
        return Tensor.wrap(out, x.shape.clone());
    }

    /** The broadcast result of {@code a op b} as a new contiguous tensor. */
    static Tensor binary(String op, Tensor a, Tensor b, Strided.BinaryRun run) {
        int[] shape = Shapes.broadcast(op, a.shape, b.shape);
        float[] out = Workspace.scratch(Shapes.numel(shape));        // every element written below
        if (Arrays.equals(a.shape, b.shape) && a.isContiguous() && b.isContiguous()) {
            run.run(out, 0, a.data, a.offset, 1, b.data, b.offset, 1, out.length);
        } else {
            Strided.binary(out, shape, a.data, a.offset, Shapes.broadcastStrides(a.shape, a.strides, shape),
                    b.data, b.offset, Shapes.broadcastStrides(b.shape, b.strides, shape), run);
        }
        return Tensor.wrap(out, shape);
    }

    static void addRun(float[] o, int oi, float[] a, int ai, int as, float[] b, int bi, int bs, int n) {
        if (as == 1 && bs == 1) {
            Kernels.add(o, oi, a, ai, b, bi, n);
        } else {
            for (int i = 0; i < n; i++) o[oi + i] = a[ai + i * as] + b[bi + i * bs];
        }
    }

    static void subRun(float[] o, int oi, float[] a, int ai, int as, float[] b, int bi, int bs, int n) {
        if (as == 1 && bs == 1) {
            Kernels.sub(o, oi, a, ai, b, bi, n);
        } else {
            for (int i = 0; i < n; i++) o[oi + i] = a[ai + i * as] - b[bi + i * bs];
        }
    }

    static void mulRun(float[] o, int oi, float[] a, int ai, int as, float[] b, int bi, int bs, int n) {
        if (as == 1 && bs == 1) {
            Kernels.mul(o, oi, a, ai, b, bi, n);
        } else {
            for (int i = 0; i < n; i++) o[oi + i] = a[ai + i * as] * b[bi + i * bs];
        }
    }

    static void divRun(float[] o, int oi, float[] a, int ai, int as, float[] b, int bi, int bs, int n) {
        if (as == 1 && bs == 1) {
            Kernels.div(o, oi, a, ai, b, bi, n);
        } else {
            for (int i = 0; i < n; i++) o[oi + i] = a[ai + i * as] / b[bi + i * bs];
        }
    }

    // ---------------------------------------------------------------- in place, unrecorded

    static void addInPlace(Tensor self, Tensor other, float alpha) {
        int[] target = Shapes.broadcast("addInPlace", self.shape, other.shape);
        if (!Arrays.equals(target, self.shape)) {
            throw new IllegalArgumentException("addInPlace: " + Shapes.str(other.shape)
                    + " cannot be broadcast to the destination shape " + Shapes.str(self.shape));
        }
        int[] os = Shapes.broadcastStrides(other.shape, other.strides, self.shape);
        Strided.unary(self.data, self.offset, self.strides, other.data, other.offset, os, self.shape,
                (dst, di, ds, src, si, ss, n) -> {
                    if (ds == 1 && ss == 1) {
                        Kernels.axpy(dst, di, alpha, src, si, n);
                    } else {
                        for (int i = 0; i < n; i++) dst[di + i * ds] += alpha * src[si + i * ss];
                    }
                });
    }

    static void scaleInPlace(Tensor self, float s) {
        if (self.isContiguous()) {   // gradient clipping scales every gradient each step: SIMD
            Kernels.mulScalar(self.data, self.offset, self.data, self.offset, s, self.numel());
            return;
        }
        Strided.unary(self.data, self.offset, self.strides, self.data, self.offset, self.strides, self.shape,
                (dst, di, ds, src, si, ss, n) -> {
                    for (int i = 0; i < n; i++) dst[di + i * ds] *= s;
                });
    }

    static void fillInPlace(Tensor self, float v) {
        if (self.isContiguous()) {
            Arrays.fill(self.data, self.offset, self.offset + self.numel(), v);
            return;
        }
        Strided.unary(self.data, self.offset, self.strides, self.data, self.offset, self.strides, self.shape,
                (dst, di, ds, src, si, ss, n) -> {
                    for (int i = 0; i < n; i++) dst[di + i * ds] = v;
                });
    }

    static void copyInPlace(Tensor self, Tensor src) {
        int[] target = Shapes.broadcast("copyInPlace", self.shape, src.shape);
        if (!Arrays.equals(target, self.shape)) {
            throw new IllegalArgumentException("copyInPlace: source " + Shapes.str(src.shape)
                    + " cannot be broadcast to the destination shape " + Shapes.str(self.shape));
        }
        // Copy through a temporary when src and self share storage, so overlapping views are safe.
        Tensor from = src.data == self.data ? Tensor.wrap(src.toArray(), src.shape.clone()) : src;
        Strided.copyInto(self, from);
    }
}
