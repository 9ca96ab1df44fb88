package dev.vecgrad.train.data;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Run in a child JVM by {@link LargeTextFileTest}: {@code load FILE} loads a text file and prints
 * what it got and the heap it took; {@code ints FILE} (the control) allocates one int per byte
 * of the file, as the old loader's id array did.
 */
public final class LoadTextMain {
    private LoadTextMain() {}

    public static void main(String[] args) throws Exception {
        Path f = Path.of(args[1]);
        if (args[0].equals("ints")) {
            int[] ids = new int[Math.toIntExact(Files.size(f))];
            System.out.println("allocated " + ids.length + " ints");
            return;
        }
        TextFiles.Loaded l = TextFiles.load(f, null);
        Batch b = new TextDataset(l.tokens(), 0.9).sample(TextDataset.Split.VAL, 4, 64, new SplittableRandom(1));
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        System.out.println("tokens " + l.tokenCount() + " bytesPerToken " + l.tokens().bytesPerToken() + " vocab "
                + l.tokenizer().vocabSize() + " sha256 " + l.sha256() + " batch " + b.idx().length + " peakHeapPools " + peak
                + " maxHeap " + Runtime.getRuntime().maxMemory());
    }
}
