// Measuring tool for bench/RESULTS.md (issue 20, session 9), not part of any build: see LinAB.java.
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.autograd.Workspace;
import dev.vecgrad.autograd.kernel.Parallel;
import java.util.SplittableRandom;

/** One build's linear layers of shakespeare-char (768 rows), forward and backward, in a workspace. */
public class LinStep {
    static final int[][] SHAPES = {{128, 384}, {128, 128}, {128, 512}, {512, 128}};   // {in, out}
    static Tensor[] x, w, b;
    static Workspace ws;

    public static void setup(int threads) {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(1);
        x = new Tensor[4]; w = new Tensor[4]; b = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            x[i] = Tensor.randn(r, 768, SHAPES[i][0]).requiresGrad(true);
            w[i] = Tensor.randn(r, SHAPES[i][1], SHAPES[i][0]).requiresGrad(true);
            b[i] = Tensor.randn(r, SHAPES[i][1]).requiresGrad(true);
        }
        ws = new Workspace();
    }

    /** Runs the four layers' forward and backward {@code reps} times; returns the elapsed nanoseconds. */
    public static long run(int reps) {
        long t0 = System.nanoTime();
        for (int rep = 0; rep < reps; rep++) {
            try (var s = ws.open()) {
                for (int i = 0; i < 4; i++) {
                    x[i].linear(w[i], b[i]).sum().backward();
                }
            }
            for (int i = 0; i < 4; i++) { x[i].zeroGrad(); w[i].zeroGrad(); b[i].zeroGrad(); }
        }
        return System.nanoTime() - t0;
    }
}
