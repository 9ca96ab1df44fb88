package org.example.consumer;

import dev.vecgrad.autograd.CustomOp;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.Linear;
import dev.vecgrad.train.optim.AdamW;
import dev.vecgrad.train.optim.ParamGroup;
import java.util.List;

/** Fits y = softplus(2x - 1) with a linear layer followed by a user-written softplus op. */
public final class Fit {
    private Fit() {}

    /** softplus(x) = log(1 + e^x), with its derivative sigmoid(x): an op vecgrad does not have. */
    public static Tensor softplus(Tensor x) {
        float[] v = x.toArray(), y = new float[v.length];
        for (int i = 0; i < v.length; i++) y[i] = (float) Math.log1p(Math.exp(v[i]));
        return CustomOp.of("softplus", y, x.shape(), g -> new Tensor[] {g.mul(x.detach().sigmoid())}, x);
    }

    /** Trains for {@code steps} full-batch AdamW steps; returns the first and the last loss. */
    public static float[] run(int steps) {
        int n = 32;
        float[] xs = new float[n], ys = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -2f + 4f * i / (n - 1);
            ys[i] = (float) Math.log1p(Math.exp(2 * xs[i] - 1));
        }
        Tensor x = Tensor.of(xs, n, 1), y = Tensor.of(ys, n, 1);
        Linear layer = new Linear(1, 1, true);
        AdamW opt = new AdamW(List.of(ParamGroup.of(layer, 0f)), 0.05f, 0.9f, 0.999f, 1e-8f);
        float first = 0, last = 0;
        for (int step = 0; step < steps; step++) {
            Tensor loss = softplus(layer.forward(x)).sub(y).pow(2).mean();
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        return new float[] {first, last};
    }

    public static void main(String[] args) {
        float[] loss = run(300);
        System.out.printf("loss %.5f -> %.5f (%s)%n", loss[0], loss[1], Tensor.class.getModule());
    }
}
