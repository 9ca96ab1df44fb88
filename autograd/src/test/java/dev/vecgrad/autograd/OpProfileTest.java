package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.PoolCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The profile charges ops and their backward by name, and splits their time over the pool's threads. */
class OpProfileTest {
    private static OpProfile.Entry entry(OpProfile p, String name) {
        return p.entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(
                "no entry " + name + " in " + p.entries().stream().map(OpProfile.Entry::name).toList()));
    }

    /** Worker thread 1's busy time so far in the entry {@code name} of an open profile (0 when absent). */
    private static long workerBusy(OpProfile p, String name) {
        return p.entries().stream().filter(e -> e.name().equals(name)).mapToLong(e -> e.busyNanos(1)).sum();
    }

    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void opsAreChargedWithEachThreadsBusyTime() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                Tensor x = Tensor.randn(new java.util.SplittableRandom(1), 512, 128).requiresGrad(true);
                Tensor w = Tensor.randn(new java.util.SplittableRandom(2), 256, 128).requiresGrad(true);
                Tensor big = Tensor.randn(new java.util.SplittableRandom(3), 1 << 17);
                OpProfile p = new OpProfile();
                int exps = 0;
                try (var s = p.open()) {
                    assertTrue(PoolCounters.enabled(), "an open profile turns the pool's counters on");
                    x.linear(w, null).tanh().sum().backward();
                    // At 2 threads, go on until the worker has run a chunk: on a loaded machine
                    // the calling thread can take every chunk of a few loops before the worker wakes.
                    long until = System.nanoTime() + 20_000_000_000L;
                    while (exps < 20 || threads == 2 && workerBusy(p, "exp") == 0 && System.nanoTime() < until) {
                        big.exp();
                        exps++;
                    }
                }
                assertFalse(PoolCounters.enabled(), "and closing it turns them off again");
                OpProfile.Entry lin = entry(p, "linear"), back = entry(p, "linear (backward)"), exp = entry(p, "exp");
                assertEquals(1, lin.calls());
                assertEquals(1, back.calls());
                assertEquals(exps, exp.calls());
                for (OpProfile.Entry e : new OpProfile.Entry[] {lin, back, exp}) {
                    long busy = 0;
                    for (int t = 0; t < threads; t++) {
                        assertTrue(e.busyNanos(t) <= e.nanos(), e.name() + " thread " + t + " busy longer than the op");
                        busy += e.busyNanos(t);
                    }
                    assertTrue(busy > 0, e.name() + " at " + threads + " threads: no busy time");
                }
                if (threads == 2) {
                    // 128 Ki elements in chunks of 16 Ki: the worker takes some of them.
                    assertTrue(exp.busyNanos(1) > 0, "the worker never ran a chunk of exp");
                    assertTrue(exp.handOutNanos() > 0, "handing out loops takes some time");
                    String table = p.table(1);
                    assertTrue(table.contains("hand-out") && table.contains("thread 1: busy"), table);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
