package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.PoolCounters;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    /** Every pool column of every entry: none may be negative (a reading below the one before). */
    private static void assertNoNegativeTimes(OpProfile p, int threads) {
        for (OpProfile.Entry e : p.entries()) {
            for (int t = 0; t < threads; t++) assertTrue(e.busyNanos(t) >= 0, e.name() + " thread " + t + ": " + e.busyNanos(t));
            assertTrue(e.handOutNanos() >= 0 && e.waitNanos() >= 0, e.name());
        }
    }

    /**
     * Profiles open on two threads at once: the one that closes first must not turn the pool's
     * counters off under the other (its entries then had no pool times at all).
     */
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void aProfileClosingOnAnotherThreadLeavesTheCountersOnForThisOne() throws Exception {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(2);
            Tensor big = Tensor.randn(new java.util.SplittableRandom(3), 1 << 17);
            CountDownLatch otherOpen = new CountDownLatch(1), thisOpen = new CountDownLatch(1), otherClosed = new CountDownLatch(1);
            Thread other = new Thread(() -> {
                try (var s = new OpProfile().open()) {
                    otherOpen.countDown();
                    thisOpen.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                otherClosed.countDown();
            });
            other.start();
            assertTrue(otherOpen.await(60, TimeUnit.SECONDS));
            OpProfile p = new OpProfile();
            try (var s = p.open()) {
                thisOpen.countDown();
                assertTrue(otherClosed.await(60, TimeUnit.SECONDS));
                assertTrue(PoolCounters.enabled(), "still on: this profile is open");
                for (int i = 0; i < 5; i++) big.exp();
            }
            other.join();
            assertFalse(PoolCounters.enabled(), "off once the last profile closed");
            assertTrue(entry(p, "exp").busyNanos(0) > 0, "the calling thread's busy time was counted");
            assertNoNegativeTimes(p, 2);
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** A thread count set while a profile is open keeps the counts: the next entry's times are not negative. */
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void setThreadsDuringAProfileKeepsItsTimesPositive() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(2);
            Tensor big = Tensor.randn(new java.util.SplittableRandom(3), 1 << 17);
            Tensor small = Tensor.randn(new java.util.SplittableRandom(4), 2048);
            OpProfile p = new OpProfile();
            try (var s = p.open()) {
                for (int i = 0; i < 20; i++) big.exp();
                Parallel.setThreads(2);   // same count: the counters used to start again from zero
                small.tanh();
                Parallel.setThreads(1);
                small.sigmoid();
            }
            assertNoNegativeTimes(p, 2);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void profilesOfSeveralThreadsAddUpEntryByEntry() throws Exception {
        OpProfile[] parts = {new OpProfile(), new OpProfile()};
        Thread[] threads = new Thread[2];
        for (int k = 0; k < 2; k++) {
            OpProfile p = parts[k];
            int calls = k + 1;
            threads[k] = new Thread(() -> {
                try (var s = p.open()) {
                    Tensor x = Tensor.randn(new java.util.SplittableRandom(1), 64);
                    for (int c = 0; c < calls; c++) x = x.tanh();
                    p.section("glue", () -> {});
                }
            });
            threads[k].start();
        }
        for (Thread t : threads) t.join();
        OpProfile all = new OpProfile();
        all.add(parts[0]);
        all.add(parts[1]);
        java.util.Map<String, OpProfile.Entry> byName = new java.util.HashMap<>();
        for (OpProfile.Entry e : all.entries()) byName.put(e.name(), e);
        assertEquals(3, byName.get("tanh").calls(), "1 + 2 calls");
        assertEquals(2, byName.get("glue").calls());
        assertEquals(parts[0].totalNanos() + parts[1].totalNanos(), all.totalNanos());
        assertEquals(parts[0].totalBytes() + parts[1].totalBytes(), all.totalBytes());
    }
}
