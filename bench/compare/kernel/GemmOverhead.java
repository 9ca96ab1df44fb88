// A measuring tool for bench/RESULTS.md (issue 20, session 9), not part of any build; see the class comment.
package dev.vecgrad.autograd.kernel;
import static dev.vecgrad.autograd.kernel.GemmKernels.MR;
import static dev.vecgrad.autograd.kernel.GemmKernels.NR;
/**
 * How much of a product's time {@link Gemm#sgemm} spends outside the micro-kernel: per shape, the
 * whole product at 1 thread against a sweep of the same kernel and merge calls over panels packed
 * beforehand, the two alternating in one JVM (300 rounds, the first 60 dropped), so the host's
 * drift cancels in the paired ratio. sgemm / sweep = 1 would mean packing, blocking and the
 * calls around the kernel cost nothing. It reads package-private kernel classes, so it is
 * compiled into their package, next to autograd's classes (from the repository root, after
 * {@code mvn -B -q -pl autograd -am compile}, which makes {@code autograd/target/classes}):
 * <pre>
 * javac --add-modules jdk.incubator.vector -cp autograd/target/classes -d /tmp/overhead bench/compare/kernel/GemmOverhead.java
 * java --add-modules jdk.incubator.vector -cp /tmp/overhead:autograd/target/classes \
 *     dev.vecgrad.autograd.kernel.GemmOverhead 768x384x128:NT 384x128x768:TN ...
 * </pre>
 */
public class GemmOverhead {
    public static void main(String[] args) {
        if (args.length == 0 || !java.util.Arrays.stream(args).allMatch(s -> s.matches("[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*:(NN|NT|TN)"))) {
            System.err.println("usage: GemmOverhead MxNxK:OP... (OP one of NN, NT, TN)");
            System.exit(2);
        }
        Parallel.setThreads(1);
        String[] shapes = args;
        for (String sh : shapes) {
            String[] p = sh.split("[x:]");
            int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
            boolean tA = p[3].charAt(0) == 'T', tB = p[3].charAt(1) == 'T';
            var rnd = new java.util.Random(1);
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], bias = new float[n];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat();
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat();
            int lda = tA ? m : k, ldb = tB ? k : n;
            // pure kernel: pre-packed panels, every (row block, panel, micro tile) the product has
            int mc = 96, panels = (n + NR - 1) / NR;
            float[] ap = new float[((m + MR - 1) / MR) * MR * k], bp = new float[panels * NR * k], tile = new float[MR * NR];
            for (int i = 0; i < ap.length; i++) ap[i] = rnd.nextFloat();
            for (int i = 0; i < bp.length; i++) bp[i] = rnd.nextFloat();
            double flops = 2.0 * m * n * k;
            int reps = Math.max(1, (int) (3e7 / flops));
            java.util.List<Double> ra = new java.util.ArrayList<>(), rb = new java.util.ArrayList<>(), ratio = new java.util.ArrayList<>();
            for (int round = 0; round < 300; round++) {
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) Gemm.sgemm(tA, tB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
                long t1 = System.nanoTime();
                for (int r = 0; r < reps; r++) {
                    for (int q = 0; q < panels; q++) for (int ir = 0; ir < m; ir += MR) {
                        GemmKernels.kernel(k, ap, ir * k, bp, q * NR * k, tile);
                        GemmKernels.merge(c, ir * n + q * NR, n, Math.min(MR, m - ir), Math.min(NR, n - q * NR), tile, 1f, 0f, true, null, 0);
                    }
                }
                long t2 = System.nanoTime();
                if (round < 60) continue;
                double ga = flops * reps / (t1 - t0), gb = flops * reps / (t2 - t1);
                ra.add(ga); rb.add(gb); ratio.add(ga / gb);
            }
            java.util.Collections.sort(ra); java.util.Collections.sort(rb); java.util.Collections.sort(ratio);
            int h = ra.size() / 2;
            System.out.printf("%-16s sgemm %.1f GFLOP/s, kernel+merge sweep %.1f, sgemm/sweep median %.3f [q1 %.3f q3 %.3f]%n",
                sh, ra.get(h), rb.get(h), ratio.get(h), ratio.get(ratio.size() / 4), ratio.get(ratio.size() * 3 / 4));
        }
    }
}
