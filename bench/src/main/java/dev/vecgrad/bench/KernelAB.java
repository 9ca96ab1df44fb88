package dev.vecgrad.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A/B timing of two builds of the kernel package in one JVM: each build's classes are loaded by
 * their own class loader and the two are timed in alternating short bursts, so drift in the
 * machine's speed (other tenants, clock changes) hits both alike and cancels in the paired ratios.
 * This is how the GEMM and causal-softmax changes in {@code bench/RESULTS.md} were sized; a run of
 * separate processes on this host varies by 15-30 %, the paired ratios by 1-3 %.
 *
 * <p>Usage: {@code KernelAB A_CLASSES B_CLASSES gemm THREADS MxNxK:OP...} (OP is NN, NT or TN),
 * {@code KernelAB A_CLASSES B_CLASSES causal} or {@code KernelAB A_CLASSES B_CLASSES rows} (the
 * row kernels that end in a lane sum, at {@code shakespeare-char}'s shapes), where A_CLASSES and B_CLASSES are directories
 * holding compiled {@code dev/vecgrad/autograd/kernel} classes (e.g. {@code autograd/target/classes}
 * of two checkouts). Prints, per case, both builds' median speed and the median and interquartile
 * range of the B/A speed ratios over {@code -Dpairs=20} bursts of {@code -Dburst.ms=100}.
 */
public final class KernelAB {
    private KernelAB() {}

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Throwable {
        if (args.length < 3 || !(args[2].equals("gemm") && args.length >= 5 || args[2].equals("causal")
                || args[2].equals("rows"))) {
            System.err.println("usage: KernelAB A_CLASSES B_CLASSES gemm THREADS MxNxK:OP... | KernelAB A_CLASSES B_CLASSES causal|rows");
            System.exit(2);
        }
        ClassLoader[] builds = {load(args[0]), load(args[1])};
        if (args[2].equals("gemm")) {
            if (!args[3].matches("[1-9][0-9]*")) {
                fail("KernelAB: THREADS must be a positive integer, got " + args[3]);
            }
            for (int i = 4; i < args.length; i++) {   // every shape checked before the first is timed
                if (!args[i].matches("[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*:(NN|NT|TN)")) {
                    fail("KernelAB: expected MxNxK:OP (OP one of NN, NT, TN), got " + args[i]);
                }
            }
            int threads = Integer.parseInt(args[3]);
            for (int i = 4; i < args.length; i++) {
                gemm(builds, threads, args[i]);
            }
        } else if (args[2].equals("causal")) {
            causal(builds);
        } else {
            rows(builds);
        }
    }

    /** A bad argument: one line on stderr, not a stack trace. */
    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }

    private static ClassLoader load(String dir) throws Exception {
        Path p = Path.of(dir);
        if (!Files.isDirectory(p.resolve("dev/vecgrad/autograd/kernel"))) {
            fail("KernelAB: " + dir + " holds no dev/vecgrad/autograd/kernel classes (a build's autograd/target/classes)");
        }
        return new URLClassLoader(new URL[] {p.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    /** One GEMM shape such as {@code 512x512x512:NT}, both builds at the given thread count. */
    private static void gemm(ClassLoader[] builds, int threads, String spec) throws Throwable {
        String[] p = spec.split("[x:]");
        if (p.length != 4 || !p[3].matches("[NT]N|NT")) {
            throw new IllegalArgumentException("KernelAB: expected MxNxK:OP (OP one of NN, NT, TN), got " + spec);
        }
        int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
        boolean ta = p[3].charAt(0) == 'T', tb = p[3].charAt(1) == 'T';
        MethodType type = MethodType.methodType(void.class, boolean.class, boolean.class, int.class, int.class, int.class,
                float.class, float[].class, int.class, int.class, float[].class, int.class, int.class, float.class,
                float[].class, int.class, int.class);
        Runnable[] calls = new Runnable[2];
        Random rnd = new Random(1);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat();
        int lda = ta ? m : k, ldb = tb ? k : n;
        for (int v = 0; v < 2; v++) {
            Class<?> parallel = builds[v].loadClass("dev.vecgrad.autograd.kernel.Parallel");
            parallel.getMethod("setThreads", int.class).invoke(null, threads);
            MethodHandle sgemm = MethodHandles.publicLookup()
                    .findStatic(builds[v].loadClass("dev.vecgrad.autograd.kernel.Gemm"), "sgemm", type);
            calls[v] = () -> invoke(sgemm, ta, tb, m, n, k, a, lda, b, ldb, c);
        }
        double[][] rates = alternate(calls);
        double flop = 2.0 * m * n * k / 1e9;
        report(String.format(Locale.ROOT, "%s threads=%d GFLOP/s", spec, threads), rates, flop);
    }

    private static void invoke(MethodHandle sgemm, boolean ta, boolean tb, int m, int n, int k, float[] a, int lda,
                               float[] b, int ldb, float[] c) {
        try {
            sgemm.invokeExact(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** 192 causal 64x64 blocks (the attention scores of 192 (batch, head) pairs), one thread. */
    private static void causal(ClassLoader[] builds) throws Throwable {
        int t = 64, blocks = 192;
        float[] in = new float[blocks * t * t], out = new float[in.length];
        Random rnd = new Random(3);
        for (int i = 0; i < in.length; i++) in[i] = (float) rnd.nextGaussian() * 3;
        MethodType type = MethodType.methodType(void.class, float[].class, int.class, float[].class, int.class,
                int.class, int.class, int.class);
        Runnable[] calls = new Runnable[2];
        for (int v = 0; v < 2; v++) {
            MethodHandle h = MethodHandles.publicLookup()
                    .findStatic(builds[v].loadClass("dev.vecgrad.autograd.kernel.Softmax"), "causalSoftmaxRows", type);
            calls[v] = () -> {
                try {
                    for (int blk = 0; blk < blocks; blk++) {
                        h.invokeExact(out, blk * t * t, in, blk * t * t, t, t, 0);
                    }
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        report("causal softmax, 192 blocks of 64x64, blocks/s", alternate(calls), blocks);
    }

    /** A kernel call on prepared arrays; rethrows what the method handle throws, unchecked. */
    private interface Call {
        void run(MethodHandle h) throws Throwable;
    }

    /** One row kernel of both builds, by class, method name and signature. */
    private static void rowCase(ClassLoader[] builds, String what, String cls, String method, MethodType type,
                                Call call) throws Throwable {
        Runnable[] calls = new Runnable[2];
        for (int v = 0; v < 2; v++) {
            MethodHandle h = MethodHandles.publicLookup()
                    .findStatic(builds[v].loadClass("dev.vecgrad.autograd.kernel." + cls), method, type);
            calls[v] = () -> {
                try {
                    call.run(h);
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        report(what + ", calls/s", alternate(calls), 1);
    }

    /**
     * The row kernels whose rows end in a lane sum, one thread, at {@code shakespeare-char}'s
     * shapes: layer norm over 768 rows of 128 (B 12 x T 64, C 128), forward and backward; the
     * cross-entropy's log-sum-exp and probabilities over 768 rows of 65; softmax backward over 48
     * causal 64x64 blocks (12 sequences x 4 heads).
     */
    private static void rows(ClassLoader[] builds) throws Throwable {
        int r = 768, c = 128, v = 65, t = 64, blocks = 48;
        Random rnd = new Random(5);
        float[] x = gaussian(rnd, r * c), out = new float[r * c], w = gaussian(rnd, c), b = gaussian(rnd, c);
        float[] mean = new float[r], rstd = new float[r], dout = gaussian(rnd, r * c), dx = new float[r * c];
        float[] dw = new float[c], db = new float[c], logits = gaussian(rnd, r * v), lse = new float[r];
        float[] y = new float[blocks * t * t], dy = gaussian(rnd, y.length), dscores = new float[y.length];
        for (int i = 0; i < y.length; i++) y[i] = rnd.nextFloat() / t;
        Class<?> f = float[].class, i = int.class;
        rowCase(builds, "layerNorm forward 768x128", "LayerNormKernel", "forward",
                MethodType.methodType(void.class, f, i, f, i, f, i, f, i, f, i, f, i, i, i, float.class),
                h -> {
                    h.invokeExact(out, 0, mean, 0, rstd, 0, x, 0, w, 0, b, 0, r, c, 1e-5f);
                });
        rowCase(builds, "layerNorm backward 768x128", "LayerNormKernel", "backward",
                MethodType.methodType(void.class, f, i, f, i, f, i, f, i, f, i, f, i, f, i, f, i, i, i),
                h -> {
                    h.invokeExact(dx, 0, dw, 0, db, 0, dout, 0, x, 0, mean, 0, rstd, 0, w, 0, r, c);
                });
        rowCase(builds, "logSumExpRows 768x65", "Softmax", "logSumExpRows",
                MethodType.methodType(void.class, f, i, f, i, i, i),
                h -> {
                    h.invokeExact(lse, 0, logits, 0, r, v);
                });
        float[] probs = new float[r * v];
        rowCase(builds, "softmaxFromLogSumExpRows 768x65", "Softmax", "softmaxFromLogSumExpRows",
                MethodType.methodType(void.class, f, i, f, i, f, i, float.class, i, i),
                h -> {
                    h.invokeExact(probs, 0, logits, 0, lse, 0, 1f / r, r, v);
                });
        rowCase(builds, "causal softmax backward, 48 blocks of 64x64", "Softmax", "causalSoftmaxBackwardRows",
                MethodType.methodType(void.class, f, i, f, i, f, i, i, i, i),
                h -> {
                    for (int blk = 0; blk < blocks; blk++) {
                        h.invokeExact(dscores, blk * t * t, y, blk * t * t, dy, blk * t * t, t, t, 0);
                    }
                });
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] a = new float[n];
        for (int k = 0; k < n; k++) a[k] = (float) rnd.nextGaussian();
        return a;
    }

    /** Warms both builds up, then {pairs} alternating bursts; returns calls/s per build per pair. */
    private static double[][] alternate(Runnable[] calls) {
        long burstNs = Long.getLong("burst.ms", 100) * 1_000_000L;
        int pairs = Integer.getInteger("pairs", 20);
        for (Runnable call : calls) {
            burst(call, 15 * burstNs);   // C2 needs a second or more for Vector API code
        }
        double[][] rates = new double[2][pairs];
        for (int i = 0; i < pairs; i++) {
            int first = i % 2;           // alternate which build goes first
            rates[first][i] = burst(calls[first], burstNs);
            rates[1 - first][i] = burst(calls[1 - first], burstNs);
        }
        return rates;
    }

    private static double burst(Runnable call, long ns) {
        long t0 = System.nanoTime(), now;
        long count = 0;
        do {
            call.run();
            count++;
        } while ((now = System.nanoTime()) - t0 < ns);
        return count * 1e9 / (now - t0);
    }

    private static void report(String what, double[][] rates, double unitsPerCall) {
        double[] ratio = new double[rates[0].length];
        for (int i = 0; i < ratio.length; i++) {
            ratio[i] = rates[1][i] / rates[0][i];
        }
        System.out.printf(Locale.ROOT, "%s: A %.1f  B %.1f (medians)  B/A %.3f (median of %d paired ratios, IQR %.3f-%.3f)%n",
                what, quantile(rates[0], 0.5) * unitsPerCall, quantile(rates[1], 0.5) * unitsPerCall,
                quantile(ratio, 0.5), ratio.length, quantile(ratio, 0.25), quantile(ratio, 0.75));
    }

    private static double quantile(double[] x, double q) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[(int) Math.round(q * (s.length - 1))];
    }
}
