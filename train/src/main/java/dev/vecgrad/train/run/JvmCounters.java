package dev.vecgrad.train.run;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The JVM's running totals of garbage-collector pause time and of bytes allocated by all
 * threads, read together so the trainer can report both per timed step.
 *
 * @param gcPauseMillis pause time of the stop-the-world collectors so far (beans whose names
 *     say "Concurrent" or "Cycles" measure concurrent work and are left out)
 * @param allocatedBytes bytes allocated by all live threads so far, or -1 where the JVM cannot say
 */
record JvmCounters(long gcPauseMillis, long allocatedBytes) {
    /**
     * The stop-the-world collectors' beans, looked up once: the JVM's collectors are fixed for its
     * life, and {@code getGarbageCollectorMXBeans()} builds new beans with new ObjectNames on every
     * call (6 KB and 7-80 us each, twice a step, and its JMX code was among C2's larger
     * compilations during a short run's warm-up).
     */
    private static final List<GarbageCollectorMXBean> PAUSING = ManagementFactory.getGarbageCollectorMXBeans().stream()
            .filter(gc -> !gc.getName().contains("Concurrent") && !gc.getName().contains("Cycles"))
            .toList();
    /** The thread bean when it can count allocated bytes, else null. */
    private static final com.sun.management.ThreadMXBean THREADS =
            ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                    && t.isThreadAllocatedMemorySupported() ? t : null;

    static JvmCounters now() {
        long pause = 0;
        for (GarbageCollectorMXBean gc : PAUSING) pause += Math.max(0, gc.getCollectionTime());
        long bytes = THREADS != null && THREADS.isThreadAllocatedMemoryEnabled() ? THREADS.getTotalThreadAllocatedBytes() : -1;
        return new JvmCounters(pause, bytes);
    }
}
