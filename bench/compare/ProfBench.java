// Single-file program behind bench/RESULTS.md's issue 20 figures; run from the repository root:
//   java --add-modules jdk.incubator.vector -cp examples/target/vecgrad.jar bench/compare/ProfBench.java ARGS
// ARGS: STEPS TEXT_FILE [PRESET [WARMUP [THREADS]]] (PRESET shakespeare-char, the default, or
// baby-gpt; WARMUP steps per thread count, default 60; THREADS "1,2" (default), "1" or "2"). One JVM, one trainer per thread count, both thread
// counts warmed up before anything is timed, so the JIT's warm-up is left out.
import dev.vecgrad.autograd.OpProfile;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.train.run.*;
import java.nio.file.Path;
/** Steady-state per-op profile: warm up both thread counts, then profile STEPS steps at 1 and at 2 threads. */
public class ProfBench {
    public static void main(String[] a) throws Exception {
        if (a.length < 2 || a.length > 5 || !a[0].matches("[1-9][0-9]*")
                || a.length > 2 && !a[2].matches("shakespeare-char|baby-gpt")
                || a.length > 3 && !a[3].matches("[0-9]+") || a.length > 4 && !a[4].matches("1|2|1,2|2,1")) {
            System.err.println("usage: ProfBench STEPS TEXT_FILE [shakespeare-char|baby-gpt [WARMUP [1,2|1|2]]]");
            System.exit(2);
        }
        if (!java.nio.file.Files.isRegularFile(Path.of(a[1]))) {
            System.err.println("ProfBench: " + a[1] + ": no such file");
            System.exit(2);
        }
        int steps = Integer.parseInt(a[0]);
        String preset = a.length > 2 ? a[2] : "shakespeare-char";
        int warm = a.length > 3 ? Integer.parseInt(a[3]) : 60;
        int[] counts = java.util.Arrays.stream((a.length > 4 ? a[4] : "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        // Evaluations of 20 batches per split, timed after the profile: per token against the
        // forward ops of a training step (the issue asks evaluation to be at least as fast).
        TrainConfig cfg = (preset.equals("baby-gpt") ? TrainConfig.babyGpt() : TrainConfig.shakespeareChar())
                .toBuilder().evalIters(20).build();
        TextTask task = TextTask.load(Path.of(a[1]), null);
        // baby-gpt needs ~4 GB live per trainer, so it shares one trainer between the thread counts.
        boolean shared = preset.equals("baby-gpt");
        Trainer[] tr = new Trainer[3];
        for (int t : counts) { Parallel.setThreads(t); tr[t] = shared && tr[3 - t] != null ? tr[3 - t] : new Trainer(cfg, task); }
        // The second warm-up pass runs under a throwaway profile: the profiler's own code is then
        // compiled before the timed profile (cold, it added a fifth to the first profiled steps).
        for (int w = 0; w < 2; w++) {
            for (int t : counts) {
                Parallel.setThreads(t);
                tr[t].setProfile(w == 1 ? new OpProfile() : null);
                for (int s = 0; s < warm; s++) tr[t].trainStep();
                tr[t].setProfile(null);
            }
        }
        for (int t : counts) {
            Parallel.setThreads(t);
            for (int s = 0; s < Math.min(5, warm); s++) tr[t].trainStep();
            OpProfile p = new OpProfile();
            tr[t].setProfile(p);
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) tr[t].trainStep();
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            tr[t].setProfile(null);
            String table = p.table(steps);
            System.out.printf("=== %s, %d thread(s): %.2f ms/step wall (profiled)%n%s%n", preset, t, ms, table);
            // The forward ops of a step: every row of the table but backward, optimizer, clipping and batch sampling.
            double forward = 0;
            for (String line : table.split("\n")) {
                String[] f = line.trim().split("\\s{2,}");
                if (f.length < 4 || line.contains("backward") || !f[1].matches("\\d+")) continue;
                if (f[0].equals("optimizer") || f[0].equals("grad clip") || f[0].equals("batch")) continue;
                forward += Double.parseDouble(f[3]);
            }
            // With micro-batches at once the op times add up the threads' time: divided by their
            // count they estimate the forward's wall time.
            int lanes = tr[t].microBatchesAtOnce();
            double forwardWall = forward / lanes;
            System.out.printf("forward ops of a training step, %d thread(s): %.2f ms (%s), %.3f ms per 100 tokens%n", t, forward,
                    lanes > 1 ? lanes + " micro-batches at once: threads' time added; wall about " + String.format("%.2f", forwardWall) + " ms" : "wall",
                    forwardWall * 100 / cfg.tokensPerStep());
            tr[t].evaluate();
            long e0 = System.nanoTime();
            tr[t].evaluate();
            long batchTokens = (long) cfg.batchSize() * cfg.model().blockSize();
            double perBatch = (System.nanoTime() - e0) / 1e6 / (2 * cfg.eval().iters());   // both splits
            System.out.printf("evaluation, %d thread(s): %.2f ms per batch of %d tokens (forward only, eval mode), %.3f ms per 100 tokens%n%n",
                    t, perBatch, batchTokens, perBatch * 100 / batchTokens);
        }
    }
}
