package dev.vecgrad.bench;

import dev.vecgrad.autograd.kernel.Gemm;
import dev.vecgrad.autograd.kernel.GemmScalar;
import dev.vecgrad.autograd.kernel.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM throughput. The secondary result {@code gflop} is GFLOP/s directly (an auxiliary counter
 * that adds 2mnk/1e9 per call); the primary score is calls/s, and GFLOP/s = calls/s * 2mnk / 1e9.
 *
 * <p>All shapes at 1 and 2 threads, NN/NT/TN:
 * {@code java -jar bench/target/benchmarks.jar GemmBench.sgemm}; one shape:
 * {@code ... GemmBench.sgemm -p shape=512x512x512 -p variant=NN}. The scalar baseline:
 * {@code ... GemmBench.scalar}. Shapes are MxNxK: C (M, N) = op(A) (M, K) op(B) (K, N); the GPT
 * shapes are a 768-token batch through 128/384/512-wide layers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {

    /** One product for {@link Gemm#sgemm}. */
    @State(Scope.Benchmark)
    public static class Problem {
        @Param({"64x64x64", "128x128x128", "256x256x256", "512x512x512", "1024x1024x1024",
                "768x384x128", "768x512x128", "768x128x128", "768x128x512"})
        public String shape;

        @Param({"NN", "NT", "TN"})
        public String variant;

        @Param({"1", "2"})
        public int threads;

        Operands x;

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setThreads(threads);
            x = new Operands(shape, variant);
        }
    }

    /** One product for the scalar baseline (small shapes only: it runs at a few GFLOP/s). */
    @State(Scope.Benchmark)
    public static class ScalarProblem {
        @Param({"128x128x128", "256x256x256", "768x128x128"})
        public String scalarShape;

        Operands x;

        @Setup(Level.Trial)
        public void setUp() {
            x = new Operands(scalarShape, "NN");
        }
    }

    /** GFLOP done, reported by JMH as a rate: GFLOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    /** Operands of C (m, n) = op(A) op(B), filled with seeded Gaussian values. */
    static final class Operands {
        final int m;
        final int n;
        final int k;
        final boolean ta;
        final boolean tb;
        final float[] a;
        final float[] b;
        final float[] c;
        final double gflop;

        Operands(String shape, String variant) {
            String[] s = shape.split("x");
            m = Integer.parseInt(s[0]);
            n = Integer.parseInt(s[1]);
            k = Integer.parseInt(s[2]);
            ta = variant.charAt(0) == 'T';
            tb = variant.charAt(1) == 'T';
            Random rnd = new Random(1);
            a = gaussian(rnd, m * k);
            b = gaussian(rnd, k * n);
            c = new float[m * n];
            gflop = 2.0 * m * n * k / 1e9;
        }

        private static float[] gaussian(Random rnd, int len) {
            float[] x = new float[len];
            for (int i = 0; i < len; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            return x;
        }
    }

    @Benchmark
    public float[] sgemm(Problem p, Flops f) {
        Operands x = p.x;
        Gemm.sgemm(x.ta, x.tb, x.m, x.n, x.k, 1f, x.a, 0, x.ta ? x.m : x.k, x.b, 0, x.tb ? x.k : x.n,
                0f, x.c, 0, x.n);
        f.gflop += x.gflop;
        return x.c;
    }

    @Benchmark
    public float[] scalar(ScalarProblem p, Flops f) {
        Operands x = p.x;
        GemmScalar.sgemm(false, false, x.m, x.n, x.k, 1f, x.a, 0, x.k, x.b, 0, x.n, 0f, x.c, 0, x.n);
        f.gflop += x.gflop;
        return x.c;
    }
}
