package dev.vecgrad.examples.cli;

import dev.vecgrad.train.run.ByteSize;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * What a training run needs in memory, said before it starts and measured after it ends, so a
 * user fine-tuning a large model knows whether the default heap is enough.
 */
final class MemoryReport {
    private MemoryReport() {}

    /**
     * The fixed part: four float32 arrays per parameter (weights, gradients, AdamW's two
     * moments), against the heap limit; activations come on top and scale with batch x block.
     */
    static String plan(long parameters) {
        double bytes = parameters * 16.0;
        double max = Runtime.getRuntime().maxMemory();
        return String.format(Locale.ROOT, "memory: %,d parameters x 16 bytes (weights, gradients, AdamW moments) = %s"
                + " plus activations; heap limit %s%s", parameters, ByteSize.of(bytes), ByteSize.of(max),
                bytes > 0.8 * max ? " (tight: raise it with VECGRAD_JAVA_OPTS=-Xmx...)" : "");
    }

    /**
     * The measured part: the heap's peak occupancy (the sum of each pool's peak, an upper bound
     * as the pools peak at different moments) and the live data left by the last collection.
     */
    static String peak() {
        long peak = 0, live = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() != MemoryType.HEAP) continue;
            if (p.getPeakUsage() != null) peak += p.getPeakUsage().getUsed();
            if (p.getCollectionUsage() != null) live += p.getCollectionUsage().getUsed();
        }
        return String.format(Locale.ROOT, "memory: heap peak %.2f GB (at most; sum of the pools' peaks), %.2f GB live after"
                + " the last collection, limit %.1f GB", peak / 1e9, live / 1e9, Runtime.getRuntime().maxMemory() / 1e9);
    }
}
