package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.autograd.Workspace;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.nn.ActivationCache;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.HookPoint;
import dev.vecgrad.nn.KVCache;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.sample.Generator;
import dev.vecgrad.train.sample.TokenPicker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The library used from several application threads at once, as the dashboard does (request
 * threads, and a training run in the same JVM) and as a user running two models does: every
 * thread shares the one compute pool and the kernels' per-thread scratch, so each result must be
 * bit for bit what the same work gives alone on one thread. The shapes are chosen so that the
 * GEMMs, attention and the linear layers' backward take their parallel paths: whichever thread
 * holds the pool runs on it, the other runs inline at the same moment.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)   // a deadlock fails instead of hanging the build
class ConcurrentUseTest {
    /** 2 layers, 4 heads, 64 wide, block 32, vocabulary 61, dropout 0.1 (its generator is the model's). */
    static final GPTConfig CONFIG = new GPTConfig(2, 4, 64, 32, 61, true, 0.1f);
    static final int B = 8, T = 32, STEPS = 12;

    /** Losses of {@code STEPS} training steps (plain SGD), then every parameter after them. */
    static List<float[]> train(long seed) {
        GPT model = new GPT(CONFIG, seed);
        Workspace ws = new Workspace();
        SplittableRandom data = new SplittableRandom(seed + 100);
        float[] losses = new float[STEPS];
        for (int step = 0; step < STEPS; step++) {
            int[] idx = new int[B * T], targets = new int[B * T];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = data.nextInt(CONFIG.vocabSize());
                targets[i] = data.nextInt(CONFIG.vocabSize());
            }
            try (var s = ws.open()) {
                Tensor loss = model.loss(model.forward(idx, B, T), targets);
                losses[step] = loss.item();
                loss.backward();
            }
            try (Grad g = Grad.disabled()) {
                for (Parameter p : model.parameters()) p.tensor().addInPlace(p.grad(), -0.1f);
                model.zeroGrad();
            }
        }
        List<float[]> out = new ArrayList<>();
        out.add(losses);
        for (Parameter p : model.parameters()) out.add(p.tensor().toArray());
        return out;
    }

    /**
     * Inference on a shared model in eval mode: a full forward with an activation cache (as the
     * dashboard's attention, explain and lens requests do), then a cached continuation with the
     * caller's own KV cache (as a sample does). Returns the logits and captured patterns.
     */
    static List<float[]> infer(GPT model, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int t = 8 + r.nextInt(T - 8);
        int[] ids = new int[t];
        for (int i = 0; i < t; i++) ids[i] = r.nextInt(CONFIG.vocabSize());
        List<float[]> out = new ArrayList<>();
        try (Grad g = Grad.disabled()) {
            ActivationCache cache = new ActivationCache(n -> n.endsWith(".attn.hook_pattern"));
            out.add(model.forward(ids, 1, t, cache).toArray());
            for (int l = 0; l < CONFIG.nLayer(); l++) out.add(cache.get(HookPoint.ATTN_PATTERN, l).toArray());
            KVCache kv = new KVCache(CONFIG, 1);
            out.add(model.forwardCached(java.util.Arrays.copyOf(ids, t / 2), 1, t / 2, kv).toArray());
            for (int i = t / 2; i < t; i++) out.add(model.forwardCached(new int[] {ids[i]}, 1, 1, kv).toArray());
        }
        // A sample with its own generator, past the block size (the window slides there).
        int[] sample = Generator.generate(model, ids, T + 4, new TokenPicker(0.8f, 20, new SplittableRandom(seed)), null);
        float[] asFloats = new float[sample.length];
        for (int i = 0; i < sample.length; i++) asFloats[i] = sample[i];
        out.add(asFloats);
        return out;
    }

    static void assertSame(List<float[]> want, List<float[]> got, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), what + ", array " + i);
    }

    /** Runs every task at once on its own thread (released together) and returns their results in order. */
    static <T> List<T> together(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        CyclicBarrier start = new CyclicBarrier(tasks.size());
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (Callable<T> task : tasks) {
                fs.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @ResourceLock("vecgrad.threads")   // needs the pool to itself: another test's setThreads would not change the bits, only the schedule
    void twoThreadsTrainingTheirOwnModelsGetTheBitsOfEachAlone() throws Exception {
        List<float[]> a = train(1), b = train(2);
        for (int round = 0; round < 2; round++) {
            List<List<float[]>> got = together(List.of(() -> train(1), () -> train(2)));
            assertSame(a, got.get(0), "model 1, round " + round);
            assertSame(b, got.get(1), "model 2, round " + round);
        }
    }

    @Test
    @ResourceLock("vecgrad.threads")
    void threadsSharingOneModelInEvalModeGetTheBitsOfEachAlone() throws Exception {
        GPT model = new GPT(CONFIG, 7);
        model.eval();
        int threads = 3, perThread = 6;
        List<List<float[]>> want = new ArrayList<>();
        for (int i = 0; i < threads * perThread; i++) want.add(infer(model, 1000 + i));
        List<Callable<List<List<float[]>>>> tasks = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            int first = th * perThread;
            tasks.add(() -> {
                List<List<float[]>> got = new ArrayList<>();
                for (int i = first; i < first + perThread; i++) got.add(infer(model, 1000 + i));
                return got;
            });
        }
        List<List<List<float[]>>> got = together(tasks);
        for (int th = 0; th < threads; th++) {
            for (int i = 0; i < perThread; i++) {
                assertSame(want.get(th * perThread + i), got.get(th).get(i), "thread " + th + ", prompt " + i);
            }
        }
    }

    /**
     * {@link Parallel#setThreads} from a third thread while two others compute: it replaces the
     * pool under their running loops, which must finish on the old one, and the next loops use
     * the new one. The bits cannot change, since no result depends on the thread count.
     */
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void setThreadsFromAnotherThreadMidRunChangesNoBits() throws Exception {
        int before = Parallel.threads();
        List<float[]> a = train(3), b = train(4);
        AtomicBoolean done = new AtomicBoolean();
        Thread changer = new Thread(() -> {
            int[] counts = {1, 3, 2, 4};
            for (int i = 0; !done.get(); i++) {
                Parallel.setThreads(counts[i % counts.length]);
                Thread.onSpinWait();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        changer.start();
        try {
            List<List<float[]>> got = together(List.of(() -> train(3), () -> train(4)));
            assertSame(a, got.get(0), "model 3");
            assertSame(b, got.get(1), "model 4");
        } finally {
            done.set(true);
            changer.join();
            Parallel.setThreads(before);
        }
    }
}
