package dev.vecgrad.examples.demo;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.Linear;
import dev.vecgrad.nn.Module;
import dev.vecgrad.train.optim.ParamGroup;
import dev.vecgrad.train.optim.SGD;
import java.io.PrintStream;
import java.util.List;

/** A two-layer MLP learns XOR with plain SGD: the smallest problem a straight line cannot solve. */
public final class XorMlp extends Module {
    private final Linear hidden = registerModule("hidden", new Linear(2, 8, true));
    private final Linear out = registerModule("out", new Linear(8, 1, true));

    XorMlp(long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (var p : namedParameters().values()) {
            float[] v = p.tensor().storage();
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 0.8);
        }
    }

    Tensor forward(Tensor x) {
        return out.forward(hidden.forward(x).tanh()).sigmoid();
    }

    /** Trains for {@code epochs} full-batch steps, printing the loss; returns the final predictions. */
    public static float[] run(int epochs, PrintStream log) {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        XorMlp model = new XorMlp(42);
        SGD sgd = new SGD(List.of(ParamGroup.of(model, 0f)), 0.5f, 0.9f, false);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor loss = model.forward(x).sub(y).pow(2).mean();   // mean squared error
            sgd.zeroGrad();
            loss.backward();
            sgd.step();
            if (onLogScale(epoch) || epoch == epochs) log.printf("epoch %4d  loss %.5f%n", epoch, loss.item());
        }
        float[] p = model.forward(x).toArray();
        log.printf("xor(0,0)=%.3f  xor(0,1)=%.3f  xor(1,0)=%.3f  xor(1,1)=%.3f%n", p[0], p[1], p[2], p[3]);
        return p;
    }

    /** Epochs 1, 2, 5, 10, 20, 50, ...: the fall is steep early and slow later, so print on a log scale. */
    private static boolean onLogScale(int epoch) {
        int decade = 1;
        while (decade * 10 <= epoch) decade *= 10;
        return epoch == decade || epoch == 2 * decade || epoch == 5 * decade;
    }

    public static void main(String[] args) {
        run(1000, System.out);
    }
}
