package dev.vecgrad.train.run;

import dev.vecgrad.autograd.Anomaly;
import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Gradients;
import dev.vecgrad.autograd.NonFiniteException;
import dev.vecgrad.autograd.OpProfile;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.autograd.Workspace;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.optim.AdamW;
import dev.vecgrad.train.optim.GradClip;
import dev.vecgrad.train.optim.LrSchedule;
import dev.vecgrad.train.optim.ParamGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The training loop: AdamW with nanoGPT's parameter groups, warmup + cosine learning rate,
 * gradient clipping and accumulation, periodic evaluation and checkpoints.
 *
 * <p>Every random draw (batches, dropout) comes from a generator positioned by (seed, step), so
 * the run is a pure function of its configuration: N steps straight and N/2 + resume + N/2 give
 * the same parameters bit for bit.
 */
public final class Trainer {
    /** Receives progress; every method is optional. */
    public interface Listener {
        /**
         * Called after each optimizer step.
         *
         * @param m what the step measured (the line written to {@code metrics.jsonl})
         */
        default void onStep(Metrics m) {}

        /**
         * Called after each evaluation.
         *
         * @param m the step's line with the evaluation's results
         */
        default void onEval(Metrics m) {}

        /**
         * Called after a checkpoint was written.
         *
         * @param dir the run directory
         * @param step the step the checkpoint holds
         */
        default void onCheckpoint(Path dir, long step) {}
    }

    /**
     * What one optimizer step measured.
     *
     * @param loss the mean loss of the step's micro-batches
     * @param gradNorm the global gradient norm before clipping
     * @param lr the learning rate the step used
     * @param layers per layer, the gradient norm and update/weight ratio; null unless {@link #setLogGradNorms} is on
     */
    public record StepResult(float loss, float gradNorm, float lr, Map<String, double[]> layers) {}

    private static final int WARMUP_STEPS_UNTIMED = 3;
    /**
     * How many times a run measures the GEMM peak again after finding a utilization above 1,
     * which only a disturbed probe produces (another process held a core while it ran: a 2-thread
     * product then runs at a fraction of its speed). Bounded, so a machine that stays busy costs
     * a few probes of a fraction of a second each, not one per step.
     */
    private static final int PEAK_RETRIES = 3;
    /** Steps between two measurements of the peak, so a passing disturbance can pass. */
    private static final int PEAK_RETRY_SPACING = 20;

    private final TrainConfig cfg;
    private final TrainingTask task;
    private final GPT model;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    /** Every dropout layer's generator, positioned per micro-batch on the thread that runs it. */
    private final MicroBatchRandom dropoutRng;
    /** Each micro-batch's loss of the current step. */
    private float[] losses = new float[0];
    /** Per lane (micro-batches running at once, see {@link #microBatchLanes()}): gradients and workspaces. */
    private Gradients[] laneGrads;
    private Workspace[] laneWorkspaces;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    /** {@link #params}' tensors, in order: the targets of the micro-batches' gradient sums. */
    private final List<Tensor> paramList;
    /** Elements over {@link #paramList}. */
    private final long paramElements;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private boolean logLayers;
    private boolean detectAnomaly;
    private OpProfile profile;
    private Workspace workspace = new Workspace();
    private double peakGflops = Double.NaN;
    private java.util.function.DoubleSupplier peakProbe;
    private long step;
    private RunStatus status;

    /**
     * A fresh run: the model is initialised from {@code cfg.seed()}.
     *
     * @param cfg every setting of the run
     * @param task the data and how the result is judged
     * @throws IllegalArgumentException when the task cannot feed the configured block size (an
     *     {@link InvalidConfigException} naming {@code blockSize} when the task needs a longer one)
     */
    public Trainer(TrainConfig cfg, TrainingTask task) {
        this.cfg = cfg;
        this.task = task;
        int block = cfg.model().blockSize();
        if (task.requiredBlockSize() > block) {
            throw new InvalidConfigException("blockSize", block + " is too small for the task, which needs " + task.requiredBlockSize());
        }
        SizeCheck.check(cfg, task.tokenizer().vocabSize(), Runtime.getRuntime().maxMemory());
        task.validate(block);
        this.dropoutRng = new MicroBatchRandom(cfg.seed());
        this.model = new GPT(cfg.model().gpt(task.tokenizer().vocabSize()), new java.util.SplittableRandom(cfg.seed()), dropoutRng);
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) params.put(e.getKey(), e.getValue().tensor());
        this.paramList = List.copyOf(params.values());
        long n = 0;
        for (Tensor t : paramList) n += t.numel();
        this.paramElements = n;
        OptimizerSettings o = cfg.optimizer();
        this.optimizer = new AdamW(List.of(ParamGroup.decayTwoDimensional(params, o.weightDecay())), o.lr(), o.beta1(),
                o.beta2(), 1e-8f);
        this.schedule = LrSchedule.warmupCosine(o.lr(), o.minLr(), o.warmupIters(), o.lrDecayIters());
    }

    /** {@return the configuration} */
    public TrainConfig config() {
        return cfg;
    }

    /** {@return the task} */
    public TrainingTask task() {
        return task;
    }

    /** {@return the model being trained} */
    public GPT model() {
        return model;
    }

    /** {@return the optimizer (its state is part of a checkpoint)} */
    public AdamW optimizer() {
        return optimizer;
    }

    /** {@return the optimizer steps completed} */
    public long step() {
        return step;
    }

    /** Sets the step count after a checkpoint was loaded into the model and optimizer. */
    void restoreStep(long s) {
        step = s;
    }

    /**
     * Also measures, at every step, each layer's gradient norm (before clipping) and its
     * update/weight ratio, for {@code metrics.jsonl}. Costs a copy of the weights per step.
     *
     * @param on true to measure
     */
    public void setLogGradNorms(boolean on) {
        logLayers = on;
    }

    /**
     * Checks every op's forward output and backward gradients for NaN and infinity during
     * training steps, failing on the first op that produces one ({@link
     * dev.vecgrad.autograd.NonFiniteException} names it with its shapes). Slower; for debugging.
     *
     * @param on true to check
     */
    public void setDetectAnomaly(boolean on) {
        detectAnomaly = on;
    }

    /**
     * Where each micro-batch's activations and gradients live.
     *
     * @param ws by default a {@link Workspace} that hands the same arrays out again every step (so
     *     the loop barely allocates); null puts them on the heap, as outside the trainer. A step
     *     that runs out of memory {@linkplain Workspace#clear() clears} it, so the arrays it held
     *     can be collected
     */
    public void setWorkspace(Workspace ws) {
        workspace = ws;
        laneWorkspaces = null;   // the other lanes' follow the new one's settings from the next step
        laneGrads = null;
    }

    /**
     * Charges the time and allocation of every later training step to {@code p}, op by op, plus
     * sections for batch sampling, gradient clipping and the optimizer.
     *
     * @param p the profile; null stops profiling
     */
    public void setProfile(OpProfile p) {
        profile = p;
    }

    /**
     * Sets the GEMM GFLOP/s this machine reaches, against which each logged step reports its model
     * FLOPs utilization ({@link Metrics.Speed#mfu()}).
     *
     * @param gflops the peak; NaN (the default) leaves the figure out
     */
    public void setGemmPeakGflops(double gflops) {
        peakGflops = gflops;
    }

    /**
     * Measures the GEMM peak with {@code probe} when {@link #run} reaches its first timed
     * step: after the warm-up steps, so the kernels are already compiled and the run starts (and
     * checkpoints) without waiting for it, and outside the timed steps. When a later step's
     * utilization comes out above 1 (the probe ran while something else held a core), the run
     * measures again, at most {@value #PEAK_RETRIES} times and {@value #PEAK_RETRY_SPACING} steps
     * apart, and keeps the best figure.
     *
     * @param probe returns GFLOP/s, e.g. {@link GemmPeak#measure()}
     */
    public void setGemmPeakProbe(java.util.function.DoubleSupplier probe) {
        peakProbe = probe;
    }

    /** {@return the GEMM peak in GFLOP/s, set or measured; NaN until known} */
    public double gemmPeakGflops() {
        return peakGflops;
    }

    /** Asks {@link #run} to stop after the current step and write a checkpoint (e.g. on Ctrl-C). */
    public void requestStop() {
        stopRequested.set(true);
    }

    private void section(String label, Runnable work) {
        if (profile == null) {
            work.run();
        } else {
            profile.section(label, work);
        }
    }

    /**
     * Runs one optimizer step: {@code gradAccum} micro-batches forward and backward, gradient
     * clipping, the learning rate of the schedule, and AdamW.
     *
     * @return what the step measured
     * @throws TrainingDivergedException when anomaly detection is on and an op produces NaN or infinity
     */
    public StepResult trainStep() {
        float lr = schedule.lr(step);
        optimizer.setLr(lr);
        model.train();
        int accum = cfg.gradAccum();
        if (losses.length != accum) losses = new float[accum];
        try (Anomaly a = detectAnomaly ? Anomaly.detect() : null; OpProfile.Scope p = profile == null ? null : profile.open()) {
            // Every micro-batch's data is drawn first, in order, on this thread: the draws depend
            // on (seed, step, micro-batch) alone, however the micro-batches are then run.
            Batch[] batches = new Batch[accum];
            section("batch", () -> {
                for (int i = 0; i < accum; i++) {
                    batches[i] = task.trainBatch(cfg.batchSize(), cfg.model().blockSize(), new StepRandom(cfg.seed(), step, 2 + 2 * i));
                }
            });
            int lanes = microBatchLanes();
            for (int first = 0; first < accum; first += lanes) {
                int n = Math.min(lanes, accum - first);
                if (n == 1) {
                    // Alone: straight into the parameters' gradients, its ops spread over the pool.
                    microBatch(first, batches[first], workspace, null, null);
                    continue;
                }
                // n micro-batches at once, each on one thread with its own workspace and
                // gradients (the ops inside run inline: the pool is busy with this loop). Their
                // gradients are then added in micro-batch order, which gives exactly the bits of
                // running them one after the other straight into the parameters' gradients.
                // A profile is charged per thread: each micro-batch into a profile of its own, added
                // to the step's afterwards (its op times are then CPU time summed over the threads).
                int base = first;
                OpProfile[] laneProfiles = profile == null ? null : new OpProfile[n];
                // Each micro-batch's failure is kept, and the first micro-batch's reported: the
                // error a step throws is then the one a single thread would meet first, not the one
                // whose thread happened to fail first.
                Throwable[] failed = new Throwable[n];
                Parallel.forRange(n, 1, true, (s, e) -> {
                    for (int i = s; i < e; i++) {
                        try {
                            OpProfile lp = laneProfiles == null ? null : (laneProfiles[i] = new OpProfile());
                            microBatch(base + i, batches[base + i], laneWorkspace(i), laneGrads[i], lp);
                        } catch (RuntimeException | Error t) {
                            failed[i] = t;
                        }
                    }
                });
                for (Throwable t : failed) {
                    if (t instanceof RuntimeException r) throw r;
                    if (t instanceof Error r) throw r;
                }
                if (laneProfiles != null) for (OpProfile lp : laneProfiles) profile.add(lp);
                section("sum micro-batch gradients", () -> {
                    Gradients.addAllToGrads(paramList, n == laneGrads.length ? laneGrads : java.util.Arrays.copyOf(laneGrads, n));
                    for (int i = 0; i < n; i++) laneGrads[i].clear();
                });
            }
        } catch (NonFiniteException e) {
            for (int i = 0; laneGrads != null && i < laneGrads.length; i++) laneGrads[i].clear();
            optimizer.zeroGrad();
            throw new TrainingDivergedException(step + 1, e);
        } catch (OutOfMemoryError e) {
            // The other lanes' gradients and arrays go, so that whoever reports the error (or
            // retries with a smaller batch) has the heap that a trainer without them would leave.
            // The same for the arrays this trainer's own workspace keeps between steps (the scope
            // has closed by now): without this, a heap filled by them stays full, and writing the
            // run's status or the one-line error runs out of memory again (the JVM's own message
            // and a status stuck at "running" were all a tiny heap gave).
            laneGrads = null;
            laneWorkspaces = null;
            if (workspace != null) workspace.clear();
            optimizer.zeroGrad();
            throw e;
        } catch (RuntimeException | Error e) {
            // No half-summed gradients left behind for a caller that carries on.
            for (int i = 0; laneGrads != null && i < laneGrads.length; i++) laneGrads[i].clear();
            optimizer.zeroGrad();
            throw e;
        }
        double lossSum = 0;
        for (float l : losses) lossSum += l;
        float loss = (float) (lossSum / cfg.gradAccum());
        Map<String, double[]> layers = logLayers ? LayerStats.gradNorms(params) : null;
        Map<String, float[]> before = logLayers ? LayerStats.snapshot(params) : null;
        float[] normBox = new float[1];
        float clip = cfg.optimizer().gradClip();
        section("grad clip", () -> normBox[0] = GradClip.globalNorm(params.values()));
        float norm = normBox[0];
        if (!Float.isFinite(loss) || !Float.isFinite(norm)) {
            optimizer.zeroGrad();
            throw new TrainingDivergedException(step + 1, loss, norm);
        }
        // Clipping and zeroing happen inside the optimizer's pass (the same bits as scaling the
        // gradients, stepping and zeroing one after another). Zeroed in place, not dropped: the
        // next backward adds into the same heap arrays.
        float coef = clip > 0 ? GradClip.coefficient(norm, clip) : 1f;
        section("optimizer", () -> optimizer.step(coef, true));
        if (layers != null) LayerStats.updateRatios(layers, params, before);
        step++;
        return new StepResult(loss, norm, lr, layers);
    }

    /**
     * {@return how many of a step's micro-batches run at once, one per compute thread: the lesser
     * of the accumulation and the thread count} With more than one, a profile's op times are CPU
     * time added over those threads.
     */
    public int microBatchesAtOnce() {
        return Math.max(1, Math.min(cfg.gradAccum(), Parallel.threads()));
    }

    /**
     * How many micro-batches run at once: one per compute thread, when a step has several. A
     * micro-batch per thread splits the step the way two independent trainers would: each
     * thread's activations stay in its own core's cache from one op to the next, where splitting
     * every op over the threads hands data between the cores at every op (issue 20). Which way
     * runs changes no bit: see {@link #trainStep()}.
     */
    private int microBatchLanes() {
        int lanes = microBatchesAtOnce();
        if (lanes < 2 || Parallel.inPool() || !lanesFit(lanes)) return 1;
        if (laneGrads == null || laneGrads.length < lanes) {
            Gradients[] g = new Gradients[lanes];
            Workspace[] w = new Workspace[lanes];
            for (int i = 0; i < lanes; i++) {
                g[i] = laneGrads != null && i < laneGrads.length ? laneGrads[i] : new Gradients();
                w[i] = laneWorkspaces != null && i < laneWorkspaces.length ? laneWorkspaces[i] : null;
            }
            laneGrads = g;
            laneWorkspaces = w;
        }
        return lanes;
    }

    /**
     * Whether {@code lanes} micro-batches fit the heap at once: each lane beyond the first holds
     * another micro-batch's activations and backward temporaries, a copy of the gradients and its
     * thread's kernel buffers, and together they may take a quarter of the heap. The estimate per
     * token is L(24C + 3HT) + 3V floats, fitted to the live heap a second lane added in
     * {@code bench/compare/LaneMemory.java} and rounded up (session 15: {@code baby-gpt} at 32 x 2,
     * 2,648 MB measured, 2,776 estimated; {@code shakespeare-char}, 27.6 MB measured, 35 MB
     * estimated with the buffers' 8 MB; the first formula, L(16C + 2HT) + V, undercounted both by
     * 30 %). A run whose micro-batches are large (GPT-2 fine-tuning in a small heap) so keeps
     * running them one at a time, in the memory it needed before; either way the bits are the same.
     */
    private boolean lanesFit(int lanes) {
        return (lanes - 1) * laneBytes() <= Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * {@return the heap each micro-batch run at once beyond the first is estimated to hold, in
     * bytes} Micro-batches run at once only while these take at most a quarter of the heap.
     */
    public long laneBytes() {
        ModelSettings m = cfg.model();
        int vocab = model.config().vocabSize();
        long tokens = (long) cfg.batchSize() * m.blockSize();
        long perToken = (long) m.nLayer() * (24L * m.nEmbd() + 3L * m.nHead() * m.blockSize()) + 3L * vocab;
        return 4 * (tokens * perToken + paramElements) + LANE_BUFFER_BYTES;
    }

    /** A thread's own kernel buffers (GEMM packing, softmax scratch), which a lane's thread fills. */
    private static final long LANE_BUFFER_BYTES = 8L << 20;

    /** The other lanes' workspaces (index 0 unused), for tests; null before micro-batches first ran at once. */
    Workspace[] laneWorkspaces() {
        return laneWorkspaces;
    }

    /** The workspace of lane {@code i}: the trainer's own for lane 0, a {@linkplain Workspace#sibling() sibling} of it for the others. */
    private Workspace laneWorkspace(int i) {
        if (i == 0 || workspace == null) return workspace;
        if (laneWorkspaces[i] == null) laneWorkspaces[i] = workspace.sibling();
        return laneWorkspaces[i];
    }

    /**
     * Forward and backward of micro-batch {@code i}, on the calling thread: its dropout draws come
     * from (seed, step, micro-batch), its loss goes to {@code losses[i]}, its gradients into
     * {@code grads} (null: the parameters' own), its ops to {@code prof} when not null (opened
     * here, on the thread that runs it).
     */
    private void microBatch(int i, Batch b, Workspace ws, Gradients grads, OpProfile prof) {
        dropoutRng.reseed(cfg.seed(), step, 3 + 2 * i);
        // Nothing from the forward pass outlives its scope: the loss is read as a float and the
        // parameter gradients that backward leaves are heap arrays.
        try (Anomaly a = detectAnomaly ? Anomaly.detect() : null; Workspace.Scope w = ws == null ? null : ws.open();
             OpProfile.Scope p = prof == null ? null : prof.open()) {
            Tensor logits = model.forward(b.idx(), b.batchSize(), b.blockSize());
            Tensor loss = model.loss(logits, b.targets());
            losses[i] = loss.item();
            Tensor scaled = cfg.gradAccum() == 1 ? loss : loss.mul(1f / cfg.gradAccum());
            if (grads == null) scaled.backward();
            else grads.backward(scaled);
        }
    }

    /**
     * Mean loss over {@code evalIters} batches of each split, always the same batches (a fixed
     * seed), plus the task's accuracy. Runs forward only (no graph), in eval mode, in the training
     * steps' workspace (so it allocates next to nothing). When the step's micro-batches run at
     * once ({@link #microBatchesAtOnce()}), so do each train batch and val batch of the
     * evaluation, in the same two workspaces; the results are the same bits either way.
     *
     * @return the evaluation, or null when a stop was requested ({@link #requestStop()}) before it
     *     finished: it checks between batches
     * @throws TrainingDivergedException when anomaly detection is on and an op produces NaN or infinity
     */
    public Evaluation evaluate() {
        try (Anomaly a = detectAnomaly ? Anomaly.detect() : null) {
            Workspace second = microBatchLanes() >= 2 ? laneWorkspace(1) : null;
            return evaluate(model, task, cfg.batchSize(), cfg.model().blockSize(), cfg.eval().iters(), cfg.seed(), workspace,
                    second, detectAnomaly, stopRequested::get);
        } catch (NonFiniteException e) {
            throw new TrainingDivergedException(step, e);
        }
    }

    /**
     * Evaluates any model on a task: mean loss over {@code iters} batches of each split, drawn
     * from generators seeded by {@code seed} (so repeated evaluations see the same batches), and
     * the task's accuracy. Leaves the model in training mode.
     *
     * @param model the model
     * @param task the task
     * @param batchSize the sequences per batch
     * @param blockSize the tokens per sequence
     * @param iters the batches per split
     * @param seed fixes the batches
     * @return the evaluation
     */
    public static Evaluation evaluate(GPT model, TrainingTask task, int batchSize, int blockSize, int iters, long seed) {
        return evaluate(model, task, batchSize, blockSize, iters, seed, new Workspace(), () -> false);
    }

    /**
     * {@link #evaluate(GPT, TrainingTask, int, int, int, long)} with each forward pass in a scope
     * of a workspace, and a way to stop early.
     *
     * @param model the model
     * @param task the task
     * @param batchSize the sequences per batch
     * @param blockSize the tokens per sequence
     * @param iters the batches per split
     * @param seed fixes the batches
     * @param ws each forward runs in a scope of it that keeps its other arrays for the next training
     *     step; null: on the heap
     * @param stop asked before every batch; when it answers true the evaluation ends early
     * @return the evaluation, or null when stopped
     */
    public static Evaluation evaluate(GPT model, TrainingTask task, int batchSize, int blockSize, int iters, long seed,
                                      Workspace ws, BooleanSupplier stop) {
        return evaluate(model, task, batchSize, blockSize, iters, seed, ws, null, false, stop);
    }

    /**
     * The evaluation; with {@code second} not null and two or more compute threads, each train
     * batch and its val batch run at once, one per thread ({@code second} holds the val batch's
     * arrays). The batches are drawn in the same order and the losses added in the same order
     * either way, so the results are the same bits.
     */
    private static Evaluation evaluate(GPT model, TrainingTask task, int batchSize, int blockSize, int iters, long seed,
                                       Workspace ws, Workspace second, boolean anomaly, BooleanSupplier stop) {
        model.eval();
        try (Grad g = Grad.disabled()) {
            double train = 0, val = 0;
            StepRandom trainRng = new StepRandom(seed, -1, 5), valRng = new StepRandom(seed, -2, 5);
            Batch[] pair = new Batch[2];
            double[] loss = new double[2];
            Workspace[] spaces = {ws, second};
            for (int i = 0; i < iters; i++) {
                if (stop.getAsBoolean()) return null;
                pair[0] = task.trainBatch(batchSize, blockSize, trainRng);
                pair[1] = task.valBatch(batchSize, blockSize, valRng);
                if (second == null) {
                    loss[0] = forwardLoss(model, pair[0], ws);
                    if (stop.getAsBoolean()) return null;
                    loss[1] = forwardLoss(model, pair[1], ws);
                } else {
                    // Recording and anomaly detection are per thread: set again on the one that runs the batch.
                    Parallel.forRange(2, 1, true, (s, e) -> {
                        for (int k = s; k < e; k++) {
                            try (Grad off = Grad.disabled(); Anomaly a = anomaly ? Anomaly.detect() : null) {
                                loss[k] = forwardLoss(model, pair[k], spaces[k]);
                            }
                        }
                    });
                }
                train += loss[0];
                val += loss[1];
            }
            if (stop.getAsBoolean()) return null;
            return new Evaluation(train / iters, val / iters, task.accuracy(model), task.inductionScore(model));
        } finally {
            model.train();
        }
    }

    private static double forwardLoss(GPT model, Batch b, Workspace ws) {
        try (Workspace.Scope s = ws == null ? null : ws.openKeeping()) {
            return model.loss(model.forward(b.idx(), b.batchSize(), b.blockSize()), b.targets()).item();
        }
    }

    /**
     * Trains until {@code cfg.maxIters()} steps (or a stop request), evaluating every
     * {@code evalInterval} steps and at the end; with {@code out} non-null, checkpoints after each
     * evaluation and appends to {@code metrics.jsonl}.
     *
     * @param out the run directory, or null to train without writing anything
     * @param listener receives progress ({@code new Trainer.Listener() {}} for none)
     * @throws TrainingDivergedException when the loss or gradient stops being finite (the last good checkpoint is kept)
     * @throws RunInUseException when another process trains into {@code out}
     * @throws IOException when a checkpoint or the metrics cannot be written
     */
    public void run(Path out, Listener listener) throws IOException {
        status = null;
        try {
            runLocked(out, listener);
        } catch (TrainingDivergedException e) {
            endStatus(out, RunStatus.State.DIVERGED, e.getMessage());
            throw e;
        } catch (IOException | RuntimeException | Error e) {
            endStatus(out, RunStatus.State.STOPPED, "error: " + e);
            throw e;
        }
        boolean done = step >= cfg.maxIters();
        endStatus(out, done ? RunStatus.State.FINISHED : RunStatus.State.STOPPED, done ? "" : "stop requested at step " + step);
    }

    /** Says in {@code status.json} that this process trains the run (keeping the first start time of a resumed run). */
    private void startStatus(Path out) throws IOException {
        RunStatus prev = null;
        // Only a resumed run is the earlier process's run; a fresh run in a directory an earlier
        // run left without a checkpoint (killed early, say) starts its own clock.
        if (step > 0) {
            try {
                prev = RunStatus.read(out);
            } catch (IOException e) {
                // a malformed status from an earlier process is replaced, not trusted
            }
        }
        java.time.Instant now = java.time.Instant.now();
        status = new RunStatus(RunStatus.State.RUNNING, ProcessHandle.current().pid(), prev != null ? prev.started() : now, now,
                step, cfg.maxIters(), model.numParameters(), task.describe(), "");
        status.write(out);
    }

    private void endStatus(Path out, RunStatus.State s, String why) {
        if (status == null || out == null) return;   // never started (e.g. the directory was locked by another run)
        try {
            status.with(s, step, why).write(out);
        } catch (IOException e) {
            // The run's own outcome matters more than its status file; a watcher then sees a dead pid.
        }
        status = null;
    }

    private void runLocked(Path out, Listener listener) throws IOException {
        RunDirectory dir = out == null ? null : new RunDirectory(out);
        if (out != null) java.nio.file.Files.createDirectories(out);
        try (RunDirectory.Lock lock = dir == null ? null : dir.lock();
             MetricsLog log = dir == null ? null : MetricsLog.open(dir.metricsFile(), step)) {
            if (dir != null) startStatus(out);
            long started = System.nanoTime();
            // A resumed run carries on the totals of the part before it (from the last kept line),
            // so elapsed_s and the speed averages cover the whole run, not the latest part.
            Metrics before = log == null ? null : log.last();
            double elapsedBefore = before != null && Double.isFinite(before.elapsedS()) ? before.elapsedS() : 0;
            double nanosBefore = 0, tokensBefore = 0, gcBefore = 0, stepsBefore = 0, allocBefore = 0;
            if (before != null && Double.isFinite(before.speed().trainS()) && Double.isFinite(before.speed().tokensPerS())) {
                Metrics.Speed sp = before.speed();
                nanosBefore = sp.trainS() * 1e9;
                tokensBefore = sp.tokensPerS() * sp.trainS();
                gcBefore = Double.isFinite(sp.gcShare()) ? sp.gcShare() * sp.trainS() * 1e3 : 0;
                stepsBefore = Math.round(tokensBefore / cfg.tokensPerStep());
                allocBefore = Double.isFinite(sp.allocMbPerStep()) ? sp.allocMbPerStep() * 1e6 * stepsBefore : -1;
            }
            best = log == null ? Double.NaN : log.bestValLoss();
            long timedNanos = 0, timedTokens = 0, timedSteps = 0, gcMillis = 0, allocBytes = 0;
            int stepsThisRun = 0, peakRetries = 0, peakProbedAt = 0;
            while (step < cfg.maxIters() && !stopRequested.get()) {
                if (stepsThisRun == WARMUP_STEPS_UNTIMED && peakProbe != null && Double.isNaN(peakGflops)) {
                    peakGflops = peakProbe.getAsDouble();
                    peakProbedAt = stepsThisRun;
                }
                JvmCounters c0 = JvmCounters.now();
                long t0 = System.nanoTime();
                StepResult r = trainStep();
                long dt = System.nanoTime() - t0;
                JvmCounters c1 = JvmCounters.now();
                if (++stepsThisRun > WARMUP_STEPS_UNTIMED) {
                    timedNanos += dt;
                    timedTokens += cfg.tokensPerStep();
                    timedSteps++;
                    gcMillis += c1.gcPauseMillis() - c0.gcPauseMillis();
                    allocBytes = c0.allocatedBytes() < 0 || allocBytes < 0 ? -1
                            : allocBytes + c1.allocatedBytes() - c0.allocatedBytes();
                }
                double nanos = nanosBefore + timedNanos, steps = stepsBefore + timedSteps;
                double alloc = allocBytes < 0 || allocBefore < 0 ? -1 : allocBefore + allocBytes;
                double tps = nanos == 0 ? Double.NaN : (tokensBefore + timedTokens) / (nanos / 1e9);
                double mfu = TrainingFlops.utilization(model.config(), cfg.model().blockSize(), tps, peakGflops);
                if (mfu > 1 && peakProbe != null && peakRetries < PEAK_RETRIES
                        && stepsThisRun - peakProbedAt >= PEAK_RETRY_SPACING) {
                    // Outside the timed step; the better of the two figures is the machine's peak.
                    peakGflops = Math.max(peakGflops, peakProbe.getAsDouble());
                    peakRetries++;
                    peakProbedAt = stepsThisRun;
                    mfu = TrainingFlops.utilization(model.config(), cfg.model().blockSize(), tps, peakGflops);
                }
                Metrics.Speed speed = new Metrics.Speed(tps, nanos == 0 ? Double.NaN : (gcBefore + gcMillis) / (nanos / 1e6),
                        steps == 0 || alloc < 0 ? Double.NaN : alloc / 1e6 / steps, nanos == 0 ? Double.NaN : nanos / 1e9, mfu);
                Metrics m = Metrics.ofStep(step, elapsedBefore + (System.nanoTime() - started) / 1e9,
                        new Metrics.Step(r.loss(), r.lr(), r.gradNorm()), speed, r.layers());
                boolean evaluates = !stopRequested.get() && (step % cfg.eval().interval() == 0 || step == cfg.maxIters());
                if (evaluates) {
                    Evaluation e = evaluate();
                    if (e == null) {
                        // Stopped during the evaluation: the step itself is done and is kept below, without it.
                        evaluates = false;
                    } else if (!e.isFinite()) {
                        if (log != null) log.append(m);
                        // The update just taken broke the model: do not checkpoint it over the last good one.
                        throw new TrainingDivergedException(step, e.trainLoss(), e.valLoss());
                    } else {
                        // One line per step: the evaluation's fields join the step's (elapsed now includes it).
                        m = m.withEval(e, elapsedBefore + (System.nanoTime() - started) / 1e9);
                    }
                }
                if (log != null) log.append(m);
                listener.onStep(m);
                if (stopRequested.get()) {
                    // Interrupted: keep the work, skip the (slow) evaluation.
                    if (dir != null) {
                        dir.save(this);
                        listener.onCheckpoint(dir.path(), step);
                    }
                    break;
                }
                if (evaluates) {
                    listener.onEval(m);
                    boolean improved = Double.isNaN(best) || m.eval().valLoss() < best;
                    if (improved) best = m.eval().valLoss();
                    if (dir != null) {
                        if (keep != Keep.BEST || improved) {
                            dir.save(this);
                            listener.onCheckpoint(dir.path(), step);
                        }
                        if (keep != Keep.LAST && improved) dir.saveBest(this, m.eval());
                    }
                }
            }
        }
    }

    /** Which checkpoints a run keeps ({@code --keep}). */
    public enum Keep {
        /** The run directory's checkpoint follows every evaluation (the default). */
        LAST,
        /**
         * The run directory's checkpoint is replaced only when the validation loss reaches a new
         * low (nanoGPT's {@code always_save_checkpoint = False}), and {@code best/} holds its
         * weights; an interrupted run (Ctrl-C) still saves the step it stopped at.
         */
        BEST,
        /** The run directory's checkpoint follows every evaluation, and {@code best/} holds the weights of the lowest validation loss. */
        BOTH
    }

    private Keep keep = Keep.LAST;
    private final Map<String, Object> runInfo = new LinkedHashMap<>();

    /**
     * Extra top-level fields saved into {@code state.json} with every checkpoint: what the front
     * end wants to record about the run (the command line stores its {@code --config} file and
     * {@code --keep} there).
     *
     * @return the fields; mutable, and values must be serialisable by Jackson
     */
    public Map<String, Object> runInfo() {
        return runInfo;
    }
    private double best = Double.NaN;

    /** {@return which checkpoints {@link #run} keeps} */
    public Keep keep() {
        return keep;
    }

    /**
     * Chooses which checkpoints {@link #run} keeps (default {@link Keep#LAST}).
     *
     * @param k the policy
     */
    public void setKeep(Keep k) {
        keep = java.util.Objects.requireNonNull(k, "keep");
    }

    /**
     * {@return the lowest validation loss the run has reached (NaN before its first evaluation in {@link #run})}
     */
    public double bestValLoss() {
        return best;
    }
}
