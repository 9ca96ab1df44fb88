package dev.vecgrad.examples.demo;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.train.optim.ParamGroup;
import dev.vecgrad.train.optim.SGD;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Gradient descent recovers the weight and bias of noisy data drawn from y = 3x - 2. */
public final class LinearRegression {
    private LinearRegression() {}

    /** Fits {@code y = w x + b}; returns {w, b}. */
    public static float[] run(int steps, PrintStream log) {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 200;
        float[] xs = new float[n], ys = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = (float) (rng.nextDouble() * 4 - 2);
            ys[i] = 3f * xs[i] - 2f + (float) (rng.nextGaussian() * 0.1);
        }
        Tensor x = Tensor.of(xs, n, 1), y = Tensor.of(ys, n, 1);
        Tensor w = Tensor.zeros(1, 1).requiresGrad(true), b = Tensor.zeros(1).requiresGrad(true);
        SGD sgd = new SGD(List.of(new ParamGroup(Map.of("w", w, "b", b), 0f)), 0.1f, 0f, false);
        for (int step = 1; step <= steps; step++) {
            Tensor loss = x.matmul(w).add(b).sub(y).pow(2).mean();
            sgd.zeroGrad();
            loss.backward();
            sgd.step();
            if (step % (steps / 5) == 0) log.printf("step %3d  loss %.5f  w %.4f  b %.4f%n", step, loss.item(), w.item(), b.item());
        }
        log.printf("learned y = %.3f x %+.3f (true: y = 3 x - 2)%n", w.item(), b.item());
        return new float[] {w.item(), b.item()};
    }

    public static void main(String[] args) {
        run(200, System.out);
    }
}
