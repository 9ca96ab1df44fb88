// Single-file program behind Trainer.laneBytes's figures (bench/RESULTS.md, session 15); run from the repository root:
//   java --add-modules jdk.incubator.vector -Xmx12g -cp examples/target/vecgrad.jar bench/compare/LaneMemory.java TEXT_FILE [shakespeare-char|baby-gpt]
// baby-gpt runs as 32 x 2 (its preset is 64 x 1, which never runs micro-batches at once) and needs ~6 GB of heap.
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.Trainer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The live heap a second micro-batch at once adds, against the trainer's estimate of it. */
public class LaneMemory {
    /** Live heap after full collections (a few, so what is unreachable has gone). */
    static long live() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static void main(String[] a) throws Exception {
        if (a.length < 1 || a.length > 2 || a.length == 2 && !a[1].matches("shakespeare-char|baby-gpt")) {
            System.err.println("usage: LaneMemory TEXT_FILE [shakespeare-char|baby-gpt]");
            System.exit(2);
        }
        if (!Files.isRegularFile(Path.of(a[0]))) {
            System.err.println("LaneMemory: " + a[0] + ": no such file");
            System.exit(2);
        }
        boolean baby = a.length == 2 && a[1].equals("baby-gpt");
        TrainConfig cfg = baby ? TrainConfig.babyGpt().toBuilder().batchSize(32).gradAccum(2).build() : TrainConfig.shakespeareChar();
        int steps = baby ? 2 : 20;
        Parallel.setThreads(1);
        Trainer tr = new Trainer(cfg, TextTask.load(Path.of(a[0]), null));
        for (int i = 0; i < steps; i++) tr.trainStep();
        long one = live();
        Parallel.setThreads(2);
        for (int i = 0; i < steps; i++) tr.trainStep();
        long two = live();
        System.out.printf("%s, %d x %d: live heap %.1f MB after %d steps at 1 thread, %.1f MB after %d more at 2 (%d at once):"
                + " the second micro-batch holds %.1f MB; estimated %.1f MB (%.2fx)%n",
                baby ? "baby-gpt" : "shakespeare-char", cfg.batchSize(), cfg.gradAccum(), one / 1e6, steps, two / 1e6, steps,
                tr.microBatchesAtOnce(), (two - one) / 1e6, tr.laneBytes() / 1e6, (double) tr.laneBytes() / (two - one));
    }
}
