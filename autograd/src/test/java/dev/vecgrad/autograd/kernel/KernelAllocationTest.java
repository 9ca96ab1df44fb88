package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once C2 has compiled them, the SIMD kernels allocate nothing. A kernel whose vectors C2 fails
 * to keep in registers (an un-inlined call taking or returning a vector, an intrinsic that did not
 * apply) boxes them on the heap: the results stay right, but it runs up to 20x slower and feeds
 * the garbage collector. The causal softmax did exactly that (24 KB and 71 us per 64x64 block,
 * against 0 bytes and ~3 us now), which no timing-free test noticed. This one would.
 *
 * <p>Each kernel is warmed up in rounds until a measured round allocates nothing; it fails if
 * that never happens within the budget, which is generous because C2 compiles in the background.
 */
class KernelAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int R = 64, C = 64, N = R * C;

    private static final float[] X = gaussian(1), Y = gaussian(2), Z = new float[N];
    private static final float[] W = ones(C), B = new float[C], DW = new float[C], DB = new float[C];
    private static final float[] MEAN = new float[R], RSTD = new float[R];
    private static final long[] BITS = bits();

    /** Whether this JVM runs C2, the compiler that keeps vectors in registers. */
    private static boolean c2Compiles() {
        var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        if (hotspot == null) return false;
        try {
            return Boolean.parseBoolean(hotspot.getVMOption("UseCompiler").getValue())
                    && Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue()) >= 4;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static float[] gaussian(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[N];
        for (int i = 0; i < N; i++) a[i] = (float) (r.nextDouble() * 4 - 2);
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    private static long[] bits() {
        long[] b = new long[N / 64];
        Arrays.fill(b, 0x5DEECE66DL * 0x9E3779B97F4A7C15L);
        return b;
    }

    /** Words for {@link KeepBits#fill}: N elements (the last word partial, its tail the scalar path). */
    private static final long[] KEEP = new long[N / 64 + 1];

    static Stream<Arguments> kernels() {
        return Stream.of(
                kernel("softmaxRows 64", () -> Softmax.softmaxRows(Z, 0, X, 0, R, C)),
                kernel("softmaxRows 65 (tail)", () -> Softmax.softmaxRows(Z, 0, X, 0, 60, 65)),
                kernel("logSoftmaxRows 65", () -> Softmax.logSoftmaxRows(Z, 0, X, 0, 60, 65)),
                kernel("causalSoftmaxRows 64", () -> Softmax.causalSoftmaxRows(Z, 0, X, 0, R, C, 0)),
                kernel("causalSoftmaxRows 63 (tail)", () -> Softmax.causalSoftmaxRows(Z, 0, X, 0, 63, 63, 0)),
                kernel("softmaxBackwardRows", () -> Softmax.softmaxBackwardRows(Z, 0, X, 0, Y, 0, R, C)),
                kernel("logSumExpRows", () -> Softmax.logSumExpRows(Y, 0, X, 0, R, C)),
                kernel("softmaxFromLogSumExpRows", () -> Softmax.softmaxFromLogSumExpRows(Z, 0, X, 0, Y, 0, 0.5f, R, C)),
                kernel("causalSoftmaxBackwardRows", () -> Softmax.causalSoftmaxBackwardRows(Z, 0, X, 0, Y, 0, R, C, 0)),
                kernel("logSoftmaxBackwardRows", () -> Softmax.logSoftmaxBackwardRows(Z, 0, X, 0, Y, 0, R, C)),
                kernel("layerNorm forward", () -> LayerNormKernel.forward(Z, 0, MEAN, 0, RSTD, 0, X, 0, W, 0, B, 0, R, C, 1e-5f)),
                kernel("layerNorm backward", () -> LayerNormKernel.backward(Z, 0, DW, 0, DB, 0, Y, 0, X, 0, MEAN, 0, RSTD, 0, W, 0, R, C)),
                kernel("gelu", () -> VecFunc.gelu(Z, 0, X, 0, N)),
                kernel("geluBackward", () -> VecFunc.geluBackward(Z, 0, X, 0, Y, 0, N)),
                kernel("geluBackwardInto", () -> VecFunc.geluBackwardInto(Z, 0, X, 0, Y, 0, N)),
                kernel("tanh", () -> VecFunc.tanh(Z, 0, X, 0, N)),
                kernel("exp", () -> VecFunc.exp(Z, 0, X, 0, N)),
                kernel("maskedScale", () -> VecMath.maskedScale(Z, 0, X, 0, BITS, 0, 1.25f, N)),
                kernel("maskedScale causal rows (masked tails)", () -> {
                    for (int r = 0; r < R; r++) VecMath.maskedScale(Z, r * C, X, r * C, BITS, r * (C - 1) + 3, 1.25f, r + 1);
                }),
                kernel("maskedScale tail at the array's end", () -> VecMath.maskedScale(Z, N - 7, X, N - 7, BITS, 100, 1.25f, 7)),
                kernel("KeepBits.fill", () -> KeepBits.fill(KEEP, 0, N - 5, 0x1234_5678L, 3_355_444L)),
                kernel("axpy", () -> VecMath.axpy(Z, 0, 0.5f, X, 0, N)),
                kernel("sum", () -> VecReduce.sum(X, 0, N)),
                kernel("max", () -> VecReduce.max(X, 0, N)),
                kernel("sgemm NT 64x64x32", () -> Gemm.sgemm(false, true, 64, 64, 32, 1f, X, 0, 64, Y, 0, 64, 0f, Z, 0, 64)),
                kernel("sgemm TN 64x32x64", () -> Gemm.sgemm(true, false, 64, 32, 64, 1f, X, 0, 64, Y, 0, 32, 1f, Z, 0, 32)),
                kernel("sgemmRowSums TN 64x32x64", () -> Gemm.sgemmRowSums(true, false, 64, 32, 64, 1f, X, 0, 64, Y, 0, 32, 0f, Z, 0,
                        32, MEAN, 0)));
    }

    private static Arguments kernel(String name, Runnable call) {
        return Arguments.of(name, call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void allocatesNothingOnceCompiled(String name, Runnable call) {
        assumeTrue(c2Compiles() && THREADS.isThreadAllocatedMemorySupported(),
                "needs C2 (no -Xint, TieredStopAtLevel 4) and per-thread allocation counters");
        // A width forced past the CPU's (-Dvecgrad.simd.bits) runs in the Vector API's Java
        // fallback, which allocates by design; what matters is the code at native widths.
        assumeTrue(Simd.F.vectorBitSize() <= jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                "vectors of " + Simd.F.vectorBitSize() + " bits are wider than this CPU's");
        long bytes = -1;
        // Warm up until the kernel stops allocating or 120 s pass: a fixed number of rounds ran
        // out before C2 had compiled the bigger kernels when the machine was busy (a false alarm),
        // and so did 30 s on two cores shared by several builds. A quiet machine leaves the loop
        // after the first round, so the generous limit costs nothing there.
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (bytes != 0 && System.nanoTime() < deadline) {
            for (int i = 0; i < 3_000; i++) call.run();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200; i++) call.run();
            bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, bytes, name + ": bytes allocated by 200 calls after warm-up (boxed vectors?)");
    }
}
