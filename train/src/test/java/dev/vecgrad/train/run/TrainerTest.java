package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

class TrainerTest {
    @TempDir Path tmp;

    static TrainConfig small(int iters, float dropout) {
        return new TrainConfig(new ModelSettings(1, 2, 16, 8, true, dropout),
                new OptimizerSettings(1e-2f, 1e-3f, 2, iters, 0.1f, 0.9f, 0.99f, 1f), new EvalSettings(4, 2), 4, 1, iters, 7);
    }

    private Path textFile() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("the quick brown fox jumps over the lazy dog. ");
        Path f = tmp.resolve("text.txt");
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void lossFallsOnRepetitiveText() throws IOException {
        Trainer t = new Trainer(small(40, 0f), TextTask.load(textFile(), null));
        double first = t.evaluate().valLoss();
        t.run(null, new Trainer.Listener() {});
        double last = t.evaluate().valLoss();
        assertTrue(last < first * 0.7, "val loss " + first + " -> " + last);
    }

    @Test
    void workspaceStepsMatchHeapStepsBitForBit() throws IOException {
        Path data = textFile();
        // Two layers, dropout and two micro-batches, wide enough that activations use the workspace.
        TrainConfig cfg = small(6, 0.1f).toBuilder().nLayer(2).nEmbd(32).blockSize(32).gradAccum(2).build();
        Trainer heap = new Trainer(cfg, TextTask.load(data, null));
        heap.setWorkspace(null);
        Trainer recycled = new Trainer(cfg, TextTask.load(data, null));
        // Poisoned on close: anything that read storage from an earlier step would turn NaN.
        dev.vecgrad.autograd.Workspace ws = new dev.vecgrad.autograd.Workspace(1L << 30, true);
        recycled.setWorkspace(ws);
        for (int i = 0; i < 6; i++) {
            Trainer.StepResult a = heap.trainStep(), b = recycled.trainStep();
            assertEquals(a.loss(), b.loss(), "loss at step " + i);
            assertEquals(a.gradNorm(), b.gradNorm(), "grad norm at step " + i);
        }
        Map<String, Tensor> a = heap.model().stateDict(), b = recycled.model().stateDict();
        for (String name : a.keySet()) assertArrayEquals(a.get(name).toArray(), b.get(name).toArray(), name);
        assertTrue(ws.lentBytes() > 100_000, "lent " + ws.lentBytes());
        assertEquals(ws.lentBytes(), ws.reusedBytes(), "a steady-state step is served from the previous one");
    }

    /**
     * A steady-state step with dropout allocates no more than one without: the keep/drop bits
     * come from the workspace like the activations (they were the bulk of {@code baby-gpt}'s
     * per-step allocation). Measured on this thread, where the ops draw the bits; the two
     * trainers' steps alternate so the JIT has compiled the same code for both by the time the
     * least allocation of each is taken. In a fresh JVM (the test run alone) the JIT takes dozens
     * of steps to reach the steady state, and before it a step allocates megabytes that differ
     * between the two trainers by more than the bits: so the rounds go on until neither least
     * has fallen for 20 rounds (12 fixed rounds passed only after other tests had warmed the JVM).
     */
    @Test
    void aSteadyStateStepWithDropoutAllocatesNoMoreThanOneWithout() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "needs per-thread allocation counters");
        int b = 16, t = 128, c = 32, h = 4, maxRounds = 400, quietRounds = 20;
        Path data = textFile();
        Trainer[] trainers = new Trainer[2];
        for (int i = 0; i < 2; i++) {
            trainers[i] = new Trainer(small(maxRounds, i == 0 ? 0f : 0.2f).toBuilder().nHead(h).nEmbd(c).blockSize(t)
                    .batchSize(b).build(), TextTask.load(data, null));
        }
        long[] least = {Long.MAX_VALUE, Long.MAX_VALUE};
        int round = 0, lastFall = 0;
        for (; round < maxRounds && round - lastFall < quietRounds; round++) {
            for (int i = 0; i < 2; i++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                trainers[i].trainStep();
                long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                // A fall of under 1 KB is noise, not the JIT still at work.
                if (bytes < least[i] - 1024) lastFall = round;
                least[i] = Math.min(least[i], bytes);
            }
        }
        // The decisions a step draws: the attention weights' [B, H, T, T] and three [B, T, C]
        // dropouts (embeddings, attention output, MLP output), one bit each: 152 KB.
        long bitBytes = ((long) b * h * t * t + 3L * b * t * c) / 8;
        assertTrue(least[1] - least[0] < bitBytes / 8, "least bytes a step allocated after " + round + " rounds: " + least[1]
                + " with dropout, " + least[0] + " without (the bits alone: " + bitBytes + ")");
    }

    @Test
    void resumeContinuesBitForBit() throws IOException {
        Path data = textFile();
        TrainConfig cfg = small(8, 0.1f);
        Trainer straight = new Trainer(cfg, TextTask.load(data, null));
        straight.run(null, new Trainer.Listener() {});

        Path run = tmp.resolve("run");
        TrainConfig half = cfg.withMaxIters(4);
        new Trainer(half, TextTask.load(data, null)).run(run, new Trainer.Listener() {});
        Trainer resumed = new RunDirectory(run).resume(cfg, TextTask.load(data, null));
        assertEquals(4, resumed.step());
        resumed.run(run, new Trainer.Listener() {});
        assertEquals(8, resumed.step());
        Map<String, Tensor> a = straight.model().stateDict(), b = resumed.model().stateDict();
        for (String name : a.keySet()) assertArrayEquals(a.get(name).toArray(), b.get(name).toArray(), name);
        List<Metrics> log = MetricsLog.read(run.resolve(RunDirectory.METRICS));
        // One line per step, evaluations joined to their step's line; time and speed carry on across the resume.
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), log.stream().map(Metrics::step).toList());
        assertTrue(log.stream().allMatch(m -> m.train() != null), "every line has the step's loss");
        for (int i = 1; i < log.size(); i++) {
            assertTrue(log.get(i).elapsedS() >= log.get(i - 1).elapsedS(), "elapsed_s restarted at step " + log.get(i).step());
        }
        Metrics before = log.get(3), after = log.get(7);
        assertTrue(after.speed().trainS() > before.speed().trainS(), before.speed() + " then " + after.speed());
    }

    @Test
    void checkpointHoldsModelAndTokenizer() throws IOException {
        Path data = textFile();
        Path run = tmp.resolve("ck");
        Trainer t = new Trainer(small(4, 0f), TextTask.load(data, null));
        t.run(run, new Trainer.Listener() {});
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(run);
        assertEquals(t.task().tokenizer().toJson(), m.tokenizer().toJson());
        int[] idx = t.task().tokenizer().encode("the fox");
        assertArrayEquals(t.model().forward(idx, 1, idx.length).toArray(), m.model().forward(idx, 1, idx.length).toArray());
        assertTrue(Files.exists(run.resolve(RunDirectory.STATE)));
    }

    @Test
    void theBestModelsMetadataComesInAFixedOrder() throws IOException {
        // The header follows the metadata map's order; Map.of's varies between JVMs, so the same best
        // model was not the same file from one run to the next.
        Path run = Files.createDirectories(tmp.resolve("best-order"));
        Trainer t = new Trainer(small(4, 0f), TextTask.load(textFile(), null));
        new RunDirectory(run).saveBest(t, new Evaluation(2.5, 2.25, Double.NaN, Double.NaN));
        var meta = dev.vecgrad.train.checkpoint.SafeTensors.read(run.resolve(RunDirectory.BEST).resolve("model.safetensors")).metadata();
        List<String> keys = new java.util.ArrayList<>(meta.keySet());
        assertTrue(keys.indexOf("step") >= 0 && keys.indexOf("step") + 1 == keys.indexOf("val_loss"), keys.toString());
        assertEquals("2.25", meta.get("val_loss"));
    }

    @Test
    void resumeRefusesOtherDataOrRecipe() throws IOException {
        Path data = textFile();
        Path run = tmp.resolve("r");
        new Trainer(small(4, 0f), TextTask.load(data, null)).run(run, new Trainer.Listener() {});
        Path other = tmp.resolve("other.txt");
        Files.writeString(other, Files.readString(data).replace("lazy", "sleepy"));
        var e = assertThrows(DataMismatchException.class, () -> new RunDirectory(run).resume(null, TextTask.load(other, null)));
        assertTrue(e.getMessage().matches("other\\.txt \\([0-9,]+ bytes, sha256 [0-9a-f]{8}\\.\\.\\.\\) is not the data this run"
                + " trained on: [^ ]+\\.txt \\([0-9,]+ bytes, sha256 [0-9a-f]{8}\\.\\.\\.\\)"), e.getMessage());
        // Two files of one name: their whole paths, since the name alone would read as the same file.
        Path sameName = Files.createDirectories(tmp.resolve("elsewhere")).resolve(data.getFileName());
        Files.copy(other, sameName);
        var e3 = assertThrows(DataMismatchException.class, () -> new RunDirectory(run).resume(null, TextTask.load(sameName, null)));
        assertTrue(e3.getMessage().startsWith(sameName.toAbsolutePath().normalize() + " (")
                && e3.getMessage().contains(" trained on: " + data.toAbsolutePath().normalize() + " ("), e3.getMessage());
        TrainConfig different = small(4, 0f).toBuilder().lr(5e-2f).beta2(0.95f).build();
        var e2 = assertThrows(InvalidConfigException.class, () -> new RunDirectory(run).resume(different, TextTask.load(data, null)));
        assertEquals("lr", e2.field());
        assertTrue(e2.getMessage().startsWith("lr 0.05 differs from the saved run's 0.01, and beta2 0.95 from 0.99 ("), e2.getMessage());
        // A longer run is the one change a resume may make.
        TrainConfig longer = small(4, 0f).withMaxIters(9);
        assertEquals(longer, new RunDirectory(run).resume(longer, TextTask.load(data, null)).config());
    }

    @Test
    void theInductionTasksShortestBlockIsAConfigErrorNamingTheField() {
        var e = assertThrows(InvalidConfigException.class, () -> new InductionTrainingTask(16).validate(3));
        assertEquals("blockSize", e.field());
        assertEquals("blockSize must be >= 4 for the induction task, got 3", e.getMessage());
    }

    @Test
    void additionTaskLearnsSomething() throws IOException {
        AdditionTrainingTask task = new AdditionTrainingTask(1, 20, 3);
        TrainConfig cfg = new TrainConfig(new ModelSettings(1, 2, 32, task.requiredBlockSize(), true, 0f),
                new OptimizerSettings(1e-2f, 1e-3f, 10, 150, 0f, 0.9f, 0.99f, 1f), new EvalSettings(150, 1), 32, 1, 150, 5);
        Trainer t = new Trainer(cfg, task);
        Evaluation before = t.evaluate();
        t.run(null, new Trainer.Listener() {});
        Evaluation after = t.evaluate();
        assertTrue(after.valLoss() < before.valLoss() * 0.6, "held-out loss " + before.valLoss() + " -> " + after.valLoss());
        // Exact match, recounted one problem at a time through the sampler rather than the task's batched decoding.
        var problems = task.problems();
        int correct = 0;
        for (int[] p : problems.heldOut()) {
            int[] prompt = problems.tokenizer().encode(problems.prompt(p[0], p[1]));
            int[] seq = dev.vecgrad.train.sample.Generator.generate(t.model(), prompt, problems.answerLength(),
                    new dev.vecgrad.train.sample.TokenPicker(0f, 0, new java.util.SplittableRandom(1)), id -> {});
            String answer = problems.tokenizer().decode(java.util.Arrays.copyOfRange(seq, prompt.length, seq.length));
            if (dev.vecgrad.train.data.AdditionTask.parseAnswer(answer) == (long) p[0] + p[1]) correct++;
        }
        assertEquals(correct / (double) problems.heldOut().size(), after.accuracy());
        assertTrue(after.accuracy() > before.accuracy(), "held-out accuracy " + before.accuracy() + " -> " + after.accuracy());
        // Decoding from a caller's training loop leaves the model in the mode it found (dropout stays on).
        t.model().train();
        task.greedyAnswers(t.model(), problems.heldOut().subList(0, 3));
        assertTrue(t.model().isTraining(), "greedyAnswers left the model in evaluation mode");
        t.model().eval();
        task.greedyAnswers(t.model(), problems.heldOut().subList(0, 3));
        assertFalse(t.model().isTraining());
    }

    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void sameSeedSameLossesAtOneAndTwoThreads() throws IOException {
        Path data = textFile();
        // Large enough that the GEMMs and the attention actually split across threads.
        TrainConfig cfg = new TrainConfig(new ModelSettings(2, 4, 64, 32, true, 0.1f),
                new OptimizerSettings(1e-3f, 1e-4f, 1, 3, 0.1f, 0.9f, 0.99f, 1f), new EvalSettings(3, 1), 8, 1, 3, 11);
        int before = dev.vecgrad.autograd.kernel.Parallel.threads();
        float[][] losses = new float[2][3];
        try {
            for (int threads = 1; threads <= 2; threads++) {
                dev.vecgrad.autograd.kernel.Parallel.setThreads(threads);
                Trainer t = new Trainer(cfg, TextTask.load(data, null));
                for (int s = 0; s < 3; s++) losses[threads - 1][s] = t.trainStep().loss();
            }
        } finally {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(before);
        }
        assertArrayEquals(losses[0], losses[1]);
    }

    /**
     * At two threads the micro-batches of a step run at once, one per thread, each into its own
     * gradients, which are then added in micro-batch order; at one thread they run one after the
     * other straight into the parameters' gradients. Both must give the same bits, with dropout
     * (each micro-batch draws its own stream on whichever thread runs it), for an accumulation
     * the threads divide (2, 4) and one they do not (3: two at once, then one alone).
     */
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void parallelMicroBatchesGiveTheBitsOfSequentialOnes() throws IOException {
        Path data = textFile();
        int before = dev.vecgrad.autograd.kernel.Parallel.threads();
        try {
            for (int accum : new int[] {2, 3, 4}) {
                TrainConfig cfg = small(4, 0.2f).toBuilder().nLayer(2).nEmbd(32).blockSize(16).batchSize(3)
                        .gradAccum(accum).build();
                Map<String, Tensor>[] states = new Map[2];
                float[][] norms = new float[2][4];
                double[][] evals = new double[2][];
                for (int threads = 1; threads <= 2; threads++) {
                    dev.vecgrad.autograd.kernel.Parallel.setThreads(threads);
                    Trainer t = new Trainer(cfg, TextTask.load(data, null));
                    for (int s = 0; s < 4; s++) norms[threads - 1][s] = t.trainStep().gradNorm();
                    states[threads - 1] = t.model().stateDict();
                    // At two threads a train batch and a val batch are evaluated at once.
                    Evaluation ev = t.evaluate();
                    evals[threads - 1] = new double[] {ev.trainLoss(), ev.valLoss()};
                }
                assertArrayEquals(norms[0], norms[1], "gradient norms, accumulation " + accum);
                assertArrayEquals(evals[0], evals[1], "evaluation, accumulation " + accum);
                for (String name : states[0].keySet()) {
                    assertArrayEquals(states[0].get(name).toArray(), states[1].get(name).toArray(), name + ", accumulation " + accum);
                }
            }
        } finally {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(before);
        }
    }

    /**
     * Micro-batches at once that both fail report the first micro-batch's error, as one thread
     * would: here micro-batch 0 fails late (a target outside the vocabulary, met by the loss) and
     * micro-batch 1 early (a token outside it, met by the embedding), so the first error in time
     * is micro-batch 1's.
     */
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void microBatchesAtOnceThatFailReportTheFirstMicroBatchsError() throws IOException {
        TextTask text = TextTask.load(textFile(), null);
        int vocab = text.tokenizer().vocabSize();
        int[] drawn = new int[1];
        TrainingTask broken = new TrainingTask() {
            public String describe() { return text.describe(); }
            public dev.vecgrad.train.tokenizer.Tokenizer tokenizer() { return text.tokenizer(); }
            public dev.vecgrad.train.data.Batch trainBatch(int b, int t, java.util.random.RandomGenerator r) {
                dev.vecgrad.train.data.Batch ok = text.trainBatch(b, t, r);
                int[] idx = ok.idx().clone(), targets = ok.targets().clone();
                if (drawn[0]++ % 2 == 0) targets[targets.length - 1] = vocab + 5;
                else idx[0] = vocab + 9;
                return new dev.vecgrad.train.data.Batch(idx, targets, ok.batchSize(), ok.blockSize());
            }
            public dev.vecgrad.train.data.Batch valBatch(int b, int t, java.util.random.RandomGenerator r) {
                return text.valBatch(b, t, r);
            }
            public Map<String, Object> identity() { return text.identity(); }
        };
        TrainConfig cfg = small(4, 0f).toBuilder().nLayer(2).nEmbd(32).blockSize(16).batchSize(3).gradAccum(2).build();
        int before = dev.vecgrad.autograd.kernel.Parallel.threads();
        try {
            String[] messages = new String[2];
            for (int threads = 1; threads <= 2; threads++) {
                dev.vecgrad.autograd.kernel.Parallel.setThreads(threads);
                Trainer t = new Trainer(cfg, broken);
                assertEquals(threads, t.microBatchesAtOnce());
                for (int round = 0; round < 10; round++) {
                    RuntimeException e = assertThrows(RuntimeException.class, t::trainStep);
                    if (messages[threads - 1] == null) messages[threads - 1] = e.getMessage();
                    assertEquals(messages[threads - 1], e.getMessage(), "round " + round + ", " + threads + " threads");
                }
            }
            assertTrue(messages[0].contains(String.valueOf(vocab + 5)), "micro-batch 0's target: " + messages[0]);
            assertEquals(messages[0], messages[1], "the same error at 1 and 2 threads");
        } finally {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(before);
        }
    }

    /** The other lanes' workspaces follow the configured one (its limit and its poisoning). */
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void microBatchesAtOnceUseWorkspacesLikeTheConfiguredOne() throws IOException {
        TrainConfig cfg = small(4, 0f).toBuilder().nLayer(2).nEmbd(32).blockSize(32).gradAccum(2).build();
        int before = dev.vecgrad.autograd.kernel.Parallel.threads();
        try {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(2);
            Trainer t = new Trainer(cfg, TextTask.load(textFile(), null));
            dev.vecgrad.autograd.Workspace capped = new dev.vecgrad.autograd.Workspace(0, true);   // keeps nothing
            t.setWorkspace(capped);
            for (int i = 0; i < 3; i++) t.trainStep();   // the first step measures, the later ones run at once
            assertTrue(t.laneWorkspaces() != null && t.laneWorkspaces()[1] != null, "micro-batches never ran at once");
            assertEquals(0, t.laneWorkspaces()[1].heldBytes(), "lane 1 keeps arrays the configured workspace would not");
        } finally {
            dev.vecgrad.autograd.kernel.Parallel.setThreads(before);
        }
    }

    @Test
    void aRunDirectoryAdmitsOneTrainerAtATime() throws IOException {
        RunDirectory dir = new RunDirectory(tmp.resolve("locked"));
        try (RunDirectory.Lock held = dir.lock()) {
            Trainer t = new Trainer(small(2, 0f), TextTask.load(textFile(), null));
            var e = assertThrows(IllegalStateException.class, () -> t.run(dir.path(), new Trainer.Listener() {}));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        // Released: the same trainer may now run there, and while it runs the lock is its own.
        Trainer t = new Trainer(small(2, 0f), TextTask.load(textFile(), null));
        t.run(dir.path(), new Trainer.Listener() {
            @Override
            public void onStep(Metrics m) {
                var e = assertThrows(IllegalStateException.class, dir::lock);
                assertTrue(e.getMessage().contains("in use"), e.getMessage());
            }
        });
        assertEquals(2, dir.readState().step());
    }

    @Test
    void aStopRequestCheckpointsWithoutEvaluating() throws IOException {
        Path run = tmp.resolve("stopped");
        Trainer t = new Trainer(small(50, 0f), TextTask.load(textFile(), null));
        t.run(run, new Trainer.Listener() {
            @Override
            public void onStep(Metrics m) {
                if (m.step() == 3) t.requestStop();
            }
        });
        assertEquals(3, t.step());
        assertEquals(3, new RunDirectory(run).readState().step());
        assertTrue(MetricsLog.read(run.resolve(RunDirectory.METRICS)).stream().noneMatch(Metrics::isEval));
    }

    @Test
    void aStopRequestDuringAnEvaluationEndsItAndCheckpointsTheStep() throws IOException {
        Path run = tmp.resolve("stopped-in-eval");
        TextTask text = TextTask.load(textFile(), null);
        Trainer[] trainer = new Trainer[1];
        int[] valBatches = new int[1];
        // A task that asks the trainer to stop (as the CLI's Ctrl-C hook does) from inside the
        // first evaluation, on its second validation batch of 1000.
        TrainingTask stopping = new TrainingTask() {
            public String describe() { return text.describe(); }
            public dev.vecgrad.train.tokenizer.Tokenizer tokenizer() { return text.tokenizer(); }
            public dev.vecgrad.train.data.Batch trainBatch(int b, int t, java.util.random.RandomGenerator r) {
                return text.trainBatch(b, t, r);
            }
            public dev.vecgrad.train.data.Batch valBatch(int b, int t, java.util.random.RandomGenerator r) {
                if (++valBatches[0] == 2) trainer[0].requestStop();
                return text.valBatch(b, t, r);
            }
            public Map<String, Object> identity() { return text.identity(); }
        };
        TrainConfig cfg = new TrainConfig(new ModelSettings(1, 2, 16, 8, true, 0f),
                new OptimizerSettings(1e-2f, 1e-3f, 2, 50, 0.1f, 0.9f, 0.99f, 1f), new EvalSettings(4, 1000), 4, 1, 50, 7);
        trainer[0] = new Trainer(cfg, stopping);
        trainer[0].run(run, new Trainer.Listener() {});
        assertEquals(2, valBatches[0], "the evaluation stops at the next batch");
        assertEquals(4, trainer[0].step());
        assertEquals(4, new RunDirectory(run).readState().step(), "the finished step is checkpointed");
        assertTrue(MetricsLog.read(run.resolve(RunDirectory.METRICS)).stream().noneMatch(Metrics::isEval));
    }

    @Test
    void evaluationBorrowsTheStepsWorkspaceAndMatchesTheHeap() throws IOException {
        Path data = textFile();
        TrainConfig cfg = new TrainConfig(new ModelSettings(2, 2, 32, 32, true, 0.1f),
                new OptimizerSettings(1e-2f, 1e-3f, 2, 6, 0.1f, 0.9f, 0.99f, 1f), new EvalSettings(4, 3), 4, 1, 6, 7);
        Trainer t = new Trainer(cfg, TextTask.load(data, null));
        dev.vecgrad.autograd.Workspace ws = new dev.vecgrad.autograd.Workspace(1L << 30, true);
        t.setWorkspace(ws);
        t.trainStep();
        t.trainStep();
        long stepHeld = ws.heldBytes();
        Evaluation inWorkspace = t.evaluate();
        assertEquals(ws.lentBytes(), ws.reusedBytes(), "an evaluation's forward reuses the step's arrays");
        assertEquals(stepHeld, ws.heldBytes(), "and leaves the step's arrays for the next step");
        Evaluation onHeap = Trainer.evaluate(t.model(), t.task(), cfg.batchSize(), cfg.model().blockSize(),
                cfg.eval().iters(), cfg.seed(), null, () -> false);
        assertEquals(onHeap, inWorkspace);
        t.trainStep();
        assertEquals(ws.lentBytes(), ws.reusedBytes(), "the step after an evaluation allocates nothing new");
    }

    @Test
    void eachTimedStepLogsItsModelFlopsUtilization() throws IOException {
        Path run = tmp.resolve("mfu");
        TrainConfig cfg = small(6, 0f);
        Trainer t = new Trainer(cfg, TextTask.load(textFile(), null));
        long[] probeCalls = new long[2];
        t.setGemmPeakProbe(() -> {
            probeCalls[0]++;
            probeCalls[1] = t.step();
            return 50;
        });
        t.run(run, new Trainer.Listener() {});
        assertEquals(1, probeCalls[0], "the peak is measured once");
        assertEquals(3, probeCalls[1], "after the three untimed warm-up steps");
        assertEquals(50, t.gemmPeakGflops());
        List<Metrics> lines = MetricsLog.read(run.resolve(RunDirectory.METRICS));
        Metrics last = lines.get(lines.size() - 1);
        assertTrue(Double.isNaN(lines.get(0).speed().mfu()), "untimed warm-up steps have no throughput, so no utilization");
        assertEquals(last.speed().tokensPerS() * TrainingFlops.perToken(t.model().config(), cfg.model().blockSize()) / 50e9,
                last.speed().mfu(), 1e-9 * last.speed().mfu());
    }

    @Test
    void aUtilizationAboveOneMeasuresThePeakAgainAFewTimes() throws IOException {
        // A disturbed probe: a peak so low that every step's utilization comes out far above 1.
        Trainer busy = new Trainer(small(100, 0f), TextTask.load(textFile(), null));
        int[] calls = new int[1];
        busy.setGemmPeakProbe(() -> {
            calls[0]++;
            return 1e-9;
        });
        busy.run(tmp.resolve("busy"), new Trainer.Listener() {});
        assertEquals(4, calls[0], "the first measurement and three more, not one per step");

        // The machine frees up: the second measurement is kept and the utilization is plausible again.
        Path run = tmp.resolve("recovers");
        Trainer t = new Trainer(small(40, 0f), TextTask.load(textFile(), null));
        int[] probes = new int[1];
        t.setGemmPeakProbe(() -> ++probes[0] == 1 ? 1e-9 : 1e6);
        t.run(run, new Trainer.Listener() {});
        assertEquals(2, probes[0]);
        assertEquals(1e6, t.gemmPeakGflops());
        List<Metrics> lines = MetricsLog.read(run.resolve(RunDirectory.METRICS));
        assertTrue(lines.get(lines.size() - 1).speed().mfu() < 1, "utilization against the better peak");
        assertTrue(lines.get(10).speed().mfu() > 1, "before the second measurement the disturbed peak showed");
    }

    @Test
    void perLayerGradientNormsAndUpdateRatiosAreLogged() throws IOException {
        Path run = tmp.resolve("layers");
        Trainer t = new Trainer(small(2, 0f), TextTask.load(textFile(), null));
        t.setLogGradNorms(true);
        t.run(run, new Trainer.Listener() {});
        String first = Files.readAllLines(run.resolve(RunDirectory.METRICS)).get(0);
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(first);
        var norms = node.get("layer_grad_norm");
        var ratios = node.get("layer_update_ratio");
        for (String layer : List.of("transformer.wte", "transformer.wpe", "transformer.h.0", "transformer.ln_f")) {
            assertTrue(norms.get(layer).asDouble() > 0, layer + " in " + first);
            double r = ratios.get(layer).asDouble();
            assertTrue(r > 0 && r < 1, layer + " update ratio " + r);
        }
        double total = 0;
        for (var v : norms) total += v.asDouble() * v.asDouble();
        assertEquals(node.get("grad_norm").asDouble(), Math.sqrt(total), 1e-3 * Math.sqrt(total));
    }
}
