package dev.vecgrad.bench;

import dev.vecgrad.autograd.kernel.FastExp;
import dev.vecgrad.autograd.kernel.VecFunc;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Softmax over rows, SIMD kernel vs its scalar twin, one thread; plus the two candidate vector
 * exps on 4096 non-positive inputs. Time per call: elements/s = elements of the shape / time
 * (3072x64 = 196,608; 768x65 = 49,920; 768x384 = 294,912; causal64x192 = 786,432).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SoftmaxBench {
    @Param({"3072x64", "768x65", "768x384", "causal64x192"})
    public String shape;

    private SoftmaxShape work;
    private final float[] expIn = new float[4096];
    private final float[] expOut = new float[4096];

    @Setup
    public void setup() {
        work = new SoftmaxShape(shape);
        for (int i = 0; i < expIn.length; i++) {
            expIn[i] = -20f * i / expIn.length;
        }
    }

    @Benchmark
    public float[] simd() {
        work.run(true, 0, work.units());
        return work.out;
    }

    @Benchmark
    public float[] scalar() {
        work.run(false, 0, work.units());
        return work.out;
    }

    /** lanewise(EXP) on 4096 inputs in [-20, 0] (independent of the shape parameter). */
    @Benchmark
    public float[] expLanewise() {
        VecFunc.exp(expOut, 0, expIn, 0, expIn.length);
        return expOut;
    }

    /** The polynomial {@link FastExp} on the same 4096 inputs. */
    @Benchmark
    public float[] expPolynomial() {
        FastExp.exp(expOut, 0, expIn, 0, expIn.length);
        return expOut;
    }
}
