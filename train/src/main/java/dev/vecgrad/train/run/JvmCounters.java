package dev.vecgrad.train.run;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JVM's running totals of garbage-collector pause time and of bytes allocated by all
 * threads, read together so the trainer can report both per timed step.
 *
 * @param gcPauseMillis pause time of the stop-the-world collectors so far (beans whose names
 *     say "Concurrent" or "Cycles" measure concurrent work and are left out)
 * @param allocatedBytes bytes allocated by all live threads so far, or -1 where the JVM cannot say
 */
record JvmCounters(long gcPauseMillis, long allocatedBytes) {
    static JvmCounters now() {
        long pause = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = gc.getName();
            if (name.contains("Concurrent") || name.contains("Cycles")) continue;
            pause += Math.max(0, gc.getCollectionTime());
        }
        long bytes = -1;
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            bytes = t.getTotalThreadAllocatedBytes();
        }
        return new JvmCounters(pause, bytes);
    }
}
