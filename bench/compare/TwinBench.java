// Single-file program behind bench/RESULTS.md's issue 20 figures; run from the repository root:
//   java --add-modules jdk.incubator.vector -cp examples/target/vecgrad.jar bench/compare/TwinBench.java ROUNDS STEPS TEXT_FILE
// The ceiling a 2-thread step could reach on this machine: two independent shakespeare-char
// trainers, each on its own core with no pool (--threads 1), share nothing but the hardware.
// Per round: STEPS steps of one trainer alone, then STEPS steps of two at once, then STEPS steps
// of one trainer at 2 threads. If the twins each ran as fast as the one alone, two cores would
// give 2x; what they lose is lost to the machine (clock, shared cache and memory), not to how a
// step is split.
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.train.run.*;
import java.nio.file.Path;
import java.util.*;
import java.util.concurrent.*;
/** Two independent 1-thread trainers at once vs one alone vs one at 2 threads; medians of tokens/s. */
public class TwinBench {
    public static void main(String[] a) throws Exception {
        if (a.length != 3 || !a[0].matches("[1-9][0-9]*") || !a[1].matches("[1-9][0-9]*")) {
            System.err.println("usage: [HALF=1] TwinBench ROUNDS STEPS TEXT_FILE (positive counts)");
            System.exit(2);
        }
        if (!java.nio.file.Files.isRegularFile(Path.of(a[2]))) {
            System.err.println("TwinBench: " + a[2] + ": no such file");
            System.exit(2);
        }
        int rounds = Integer.parseInt(a[0]), steps = Integer.parseInt(a[1]);
        TextTask task = TextTask.load(Path.of(a[2]), null);
        TrainConfig cfg = TrainConfig.shakespeareChar();
        // HALF=1: the twins train half batches each (the shards of one batch), so together they do
        // the work of one step of the trainer alone.
        boolean half = "1".equals(System.getenv("HALF"));
        TrainConfig twinCfg = half ? cfg.toBuilder().batchSize(cfg.batchSize() / 2).build() : cfg;
        Parallel.setThreads(1);
        Trainer one = new Trainer(cfg, task), other = new Trainer(twinCfg, task), first = new Trainer(twinCfg, task);
        Parallel.setThreads(2);
        Trainer pooled = new Trainer(cfg, task);
        ExecutorService second = Executors.newSingleThreadExecutor();
        List<Double> solo = new ArrayList<>(), twins = new ArrayList<>(), twoThreads = new ArrayList<>();
        double tokens = steps * (double) cfg.tokensPerStep();
        for (int r = -2; r < rounds; r++) {   // two rounds of warm-up
            Parallel.setThreads(1);
            long t0 = System.nanoTime();
            run(one, steps);
            double s1 = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            Future<?> f = second.submit(() -> run(other, steps));
            run(first, steps);
            f.get();
            double s2 = (System.nanoTime() - t0) / 1e9;
            Parallel.setThreads(2);
            t0 = System.nanoTime();
            run(pooled, steps);
            double s3 = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) {
                solo.add(tokens / s1);
                twins.add((half ? 1 : 2) * tokens / s2);
                twoThreads.add(tokens / s3);
            }
        }
        second.shutdown();
        double m1 = median(solo), m2 = median(twins), m3 = median(twoThreads);
        System.out.printf("median tokens/s: one trainer alone %.0f; two at once %.0f together (%.2fx); one at 2 threads %.0f (%.2fx)%n",
                m1, m2, m2 / m1, m3, m3 / m1);
        System.out.printf("rounds: alone %s; twins %s; 2 threads %s%n", fmt(solo), fmt(twins), fmt(twoThreads));
    }
    static void run(Trainer t, int steps) { for (int s = 0; s < steps; s++) t.trainStep(); }
    static double median(List<Double> l) { List<Double> c = new ArrayList<>(l); Collections.sort(c); int n = c.size(); return n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2; }
    static String fmt(List<Double> l) { StringBuilder b = new StringBuilder(); for (double d : l) b.append(String.format("%.0f ", d)); return b.toString().trim(); }
}
