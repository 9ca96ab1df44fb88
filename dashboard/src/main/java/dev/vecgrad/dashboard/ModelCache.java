package dev.vecgrad.dashboard;

import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Models loaded from run directories, kept for the next request within a memory budget: the
 * least recently used are dropped first. A model's cost is its checkpoint's size (float32
 * weights, as they sit in memory). A checkpoint that changed on disk (a running training saved a
 * newer one) is loaded again.
 *
 * <p>Requests for one model run at once, without a lock: a long sample does not hold up the run's
 * attention maps. Each request makes its own state (KV cache, activation cache, generator, hooks)
 * and only reads the parameters; the one piece of model state a request touches is the mode, and
 * every model is put in eval mode here, before any request sees it. The inspect calls and the
 * generator set eval and restore the mode they found, so every write is {@code false} and no
 * request can run with dropout on. The rule that keeps this true: nothing in the dashboard may
 * change a cached model (its mode, parameters or hooks). docs/DESIGN.md (section 15) has the
 * reasoning.
 */
final class ModelCache {
    /** What a request does with a loaded model. */
    @FunctionalInterface
    interface Use<T> {
        T apply(ModelCheckpoint.Loaded model) throws Exception;
    }

    /** The checkpoint is larger than the whole budget. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException(String message) {
            super(message);
        }
    }

    private record Entry(ModelCheckpoint.Loaded model, long bytes, Object version) {}

    private final long budget;
    private final LinkedHashMap<Path, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private int loads;

    /** A cache that holds at most {@code budgetBytes} of models. */
    ModelCache(long budgetBytes) {
        this.budget = budgetBytes;
    }

    /**
     * Loads (or reuses) the model in {@code file}, in eval mode, and runs {@code use} with it; other
     * requests may use the same model at the same time, so {@code use} must not change it.
     */
    <T> T use(Path file, Use<T> use) throws Exception {
        return use.apply(get(file).model());
    }

    private Entry get(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        Object version = a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
        long bytes = a.size();
        if (bytes > budget) {
            throw new TooLargeException(file.getFileName() + " is " + mb(bytes) + " MB, over the dashboard's model budget of "
                    + mb(budget) + " MB (--model-memory-mb)");
        }
        synchronized (this) {
            Entry e = entries.get(file);
            if (e != null && e.version().equals(version)) return e;
            if (e != null) {
                entries.remove(file);
                used -= e.bytes();
            }
        }
        // Loaded outside the cache's lock: other requests go on meanwhile. Two requests may load the
        // same new checkpoint at once; the second to finish replaces the first.
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(file);
        m.model().eval();   // before it is shared: from here on requests only ever write eval to the mode
        Entry fresh = new Entry(m, bytes, version);
        synchronized (this) {
            loads++;
            Entry old = entries.remove(file);
            if (old != null) used -= old.bytes();
            for (Iterator<Map.Entry<Path, Entry>> it = entries.entrySet().iterator(); it.hasNext() && used + bytes > budget; ) {
                used -= it.next().getValue().bytes();
                it.remove();
            }
            entries.put(file, fresh);
            used += bytes;
        }
        return fresh;
    }

    /** Bytes of models held now. */
    synchronized long usedBytes() {
        return used;
    }

    /** Models held now. */
    synchronized int size() {
        return entries.size();
    }

    /** Checkpoints loaded since the start (a reuse does not count). */
    synchronized int loads() {
        return loads;
    }

    private static long mb(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
