// Measuring tool for bench/RESULTS.md (issue 20, session 9), not part of any build; see the class comment.
import java.lang.invoke.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;

/**
 * Paired A/B timing of two builds of autograd on shakespeare-char's four linear layers (768 rows,
 * forward and backward in a workspace, {@link LinStep}): each build is loaded by its own class
 * loader (with its own compute pool) and the two run in alternating bursts of 20 repetitions, so
 * the host's drift cancels in the paired time ratios. From the repository root, with BUILD_A and
 * BUILD_B two {@code autograd/target/classes} directories (e.g. of two clones):
 * <pre>
 * javac --add-modules jdk.incubator.vector -cp autograd/target/classes -d /tmp/linab bench/compare/linab/*.java
 * java --add-modules jdk.incubator.vector -cp /tmp/linab -Dlinab.harness=/tmp/linab LinAB BUILD_A BUILD_B THREADS PAIRS
 * </pre>
 * Prints both builds' median milliseconds and the median A/B time ratio with its interquartile
 * range (above 1: B is faster). Run it with the same build twice for the noise floor.
 */
public class LinAB {
    public static void main(String[] a) throws Throwable {
        if (a.length != 4 || !a[2].matches("[1-9][0-9]*") || !a[3].matches("[1-9][0-9]*")) {
            System.err.println("usage: LinAB BUILD_A BUILD_B THREADS PAIRS (BUILD_*: autograd/target/classes directories)");
            System.exit(2);
        }
        int threads = Integer.parseInt(a[2]), pairs = Integer.parseInt(a[3]);
        MethodHandle[] run = new MethodHandle[2];
        for (int v = 0; v < 2; v++) {
            URLClassLoader l = new URLClassLoader(new URL[] {Path.of(a[v]).toUri().toURL(), Path.of(System.getProperty("linab.harness", "/tmp/linab")).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> c = l.loadClass("LinStep");
            c.getMethod("setup", int.class).invoke(null, threads);
            run[v] = MethodHandles.publicLookup().findStatic(c, "run", MethodType.methodType(long.class, int.class));
        }
        int reps = 20;
        for (int w = 0; w < 10; w++) for (int v = 0; v < 2; v++) { long t = (long) run[v].invoke(reps); }
        double[] ra = new double[pairs], rb = new double[pairs], ratio = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            boolean aFirst = p % 2 == 0;
            long ta = 0, tb = 0;
            if (aFirst) { ta = (long) run[0].invoke(reps); tb = (long) run[1].invoke(reps); }
            else { tb = (long) run[1].invoke(reps); ta = (long) run[0].invoke(reps); }
            ra[p] = ta / 1e6 / reps; rb[p] = tb / 1e6 / reps; ratio[p] = (double) ta / tb;
        }
        Arrays.sort(ra); Arrays.sort(rb); Arrays.sort(ratio);
        System.out.printf("threads %d: A %.3f ms, B %.3f ms per 4-layer fwd+bwd (medians); A/B time ratio median %.3f (IQR %.3f-%.3f, %d pairs)%n",
            threads, ra[pairs / 2], rb[pairs / 2], ratio[pairs / 2], ratio[pairs / 4], ratio[3 * pairs / 4], pairs);
    }
}
