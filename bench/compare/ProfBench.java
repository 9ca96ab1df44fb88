// Single-file program behind bench/RESULTS.md's issue 20 figures; run from the repository root:
//   java --add-modules jdk.incubator.vector -cp examples/target/vecgrad.jar bench/compare/ProfBench.java ARGS
// (StepBench: ROUNDS STEPS TEXT_FILE; ProfBench: STEPS TEXT_FILE). One JVM, shakespeare-char,
// both thread counts warmed up before anything is timed, so the JIT's warm-up is left out.
import dev.vecgrad.autograd.OpProfile;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.train.run.*;
import java.nio.file.Path;
/** Steady-state per-op profile: warm up both thread counts, then profile STEPS steps at 1 and at 2 threads. */
public class ProfBench {
    public static void main(String[] a) throws Exception {
        int steps = Integer.parseInt(a[0]);
        TextTask task = TextTask.load(Path.of(a[1]), null);
        Trainer[] tr = new Trainer[3];
        for (int t = 1; t <= 2; t++) { Parallel.setThreads(t); tr[t] = new Trainer(TrainConfig.shakespeareChar(), task); }
        for (int w = 0; w < 2; w++) for (int t = 1; t <= 2; t++) { Parallel.setThreads(t); for (int s = 0; s < 60; s++) tr[t].trainStep(); }
        for (int t = 1; t <= 2; t++) {
            Parallel.setThreads(t);
            for (int s = 0; s < 5; s++) tr[t].trainStep();
            OpProfile p = new OpProfile();
            tr[t].setProfile(p);
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) tr[t].trainStep();
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            tr[t].setProfile(null);
            System.out.printf("=== %d thread(s): %.2f ms/step wall (profiled)%n%s%n", t, ms, p.table(steps));
        }
    }
}
