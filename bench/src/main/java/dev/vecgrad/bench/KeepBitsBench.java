package dev.vecgrad.bench;

import dev.vecgrad.autograd.kernel.KeepBits;
import dev.vecgrad.autograd.kernel.KeepBitsScalar;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dropout's keep/drop words: {@link KeepBits} (several SplitMix64 outputs per vector) against its
 * scalar twin, for one block of 16,384 elements at p = 0.2 (the attention weights of one
 * {@code baby-gpt} (batch, head) are four blocks). Average time per block:
 * {@code java -jar bench/target/benchmarks.jar KeepBitsBench}; at AVX2's width on an AVX-512 CPU
 * add {@code -jvmArgsAppend "--add-modules jdk.incubator.vector -XX:UseAVX=2"} (the option replaces the
 * annotation's arguments).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class KeepBitsBench {
    private static final int COUNT = 1 << 14;
    /** ceil(0.2 * 2^24): drop probability 0.2, baby-gpt's. */
    private static final long LIMIT = (long) Math.ceil(0.2 * (1 << 24));
    private final long[] bits = new long[COUNT / 64];
    private long seed;

    @Benchmark
    public long vector() {
        KeepBits.fill(bits, 0, COUNT, seed++, LIMIT);
        return bits[7];
    }

    @Benchmark
    public long scalar() {
        KeepBitsScalar.fill(bits, 0, COUNT, seed++, LIMIT);
        return bits[7];
    }
}
