// Single-file program behind bench/RESULTS.md's issue 20 figures; run from the repository root:
//   java --add-modules jdk.incubator.vector -cp examples/target/vecgrad.jar bench/compare/StepBench.java ARGS
// ARGS: ROUNDS STEPS TEXT_FILE. One JVM, shakespeare-char,
// both thread counts warmed up before anything is timed, so the JIT's warm-up is left out.
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.train.run.*;
import java.nio.file.Path;
import java.util.*;
/** Alternates 1 and 2 threads in one JVM: per round STEPS training steps at each count; medians. */
public class StepBench {
    public static void main(String[] a) throws Exception {
        if (a.length != 3 || !a[0].matches("[1-9][0-9]*") || !a[1].matches("[1-9][0-9]*")) {
            System.err.println("usage: StepBench ROUNDS STEPS TEXT_FILE (positive counts)");
            System.exit(2);
        }
        if (!java.nio.file.Files.isRegularFile(Path.of(a[2]))) {
            System.err.println("StepBench: " + a[2] + ": no such file");
            System.exit(2);
        }
        int rounds = Integer.parseInt(a[0]), steps = Integer.parseInt(a[1]);
        TextTask task = TextTask.load(Path.of(a[2]), null);
        Map<Integer, Trainer> trainers = new HashMap<>();
        Map<Integer, List<Double>> tps = new TreeMap<>();
        for (int t = 1; t <= 2; t++) { Parallel.setThreads(t); trainers.put(t, new Trainer(TrainConfig.shakespeareChar(), task)); tps.put(t, new ArrayList<>()); }
        for (int w = 0; w < 2; w++) for (int t = 1; t <= 2; t++) { Parallel.setThreads(t); for (int s = 0; s < 40; s++) trainers.get(t).trainStep(); }
        for (int r = 0; r < rounds; r++) {
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                Trainer tr = trainers.get(t);
                tr.trainStep(); tr.trainStep();
                long t0 = System.nanoTime();
                for (int s = 0; s < steps; s++) tr.trainStep();
                double sec = (System.nanoTime() - t0) / 1e9;
                tps.get(t).add(steps * tr.config().tokensPerStep() / sec);
            }
        }
        double m1 = median(tps.get(1)), m2 = median(tps.get(2));
        System.out.printf("median tokens/s: 1 thread %.0f, 2 threads %.0f, ratio %.2f; rounds 1t %s; 2t %s%n", m1, m2, m2 / m1, fmt(tps.get(1)), fmt(tps.get(2)));
    }
    static double median(List<Double> l) { List<Double> c = new ArrayList<>(l); Collections.sort(c); int n = c.size(); return n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2; }
    static String fmt(List<Double> l) { StringBuilder b = new StringBuilder(); for (double d : l) b.append(String.format("%.0f ", d)); return b.toString().trim(); }
}
