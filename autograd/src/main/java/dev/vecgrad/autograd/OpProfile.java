package dev.vecgrad.autograd;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a computation's time and memory go, op by op: while a profile is open on a thread, the
 * engine charges each recorded op's forward (the time and bytes allocated since the previous op
 * on this thread, so module glue around an op counts with it) and each op's backward (measured
 * exactly around its backward function) to the op's name. Code outside the graph can be charged
 * to a label of its own with {@link #section}.
 *
 * <pre>{@code
 * OpProfile prof = new OpProfile();
 * try (var p = prof.open()) {
 *     model.loss(model.forward(idx, b, t), targets).backward();
 * }
 * System.out.print(prof.table());
 * }</pre>
 *
 * <p>Allocation comes from the JVM's per-thread allocation counter, so work the op hands to the
 * compute pool's other threads is timed but its allocations are not counted. The state is a
 * thread-local stack of open profiles, like {@link Grad}'s flag.
 */
public final class OpProfile {
    private static final ThreadLocal<OpProfile[]> OPEN = ThreadLocal.withInitial(() -> new OpProfile[1]);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Totals for one (op, pass). */
    public static final class Entry {
        private final String name;
        private long calls, nanos, bytes;

        Entry(String name) {
            this.name = name;
        }

        /** {@code "op"}, {@code "op (backward)"} or a section label. */
        public String name() {
            return name;
        }

        /** Times it ran. */
        public long calls() {
            return calls;
        }

        /** Wall-clock nanoseconds in total. */
        public long nanos() {
            return nanos;
        }

        /** Bytes allocated on the profiling thread in total. */
        public long bytes() {
            return bytes;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long markNanos, markBytes;
    private int backwardDepth;

    /** Starts charging ops on this thread to this profile until the returned scope is closed. */
    public Scope open() {
        OpProfile[] slot = OPEN.get();
        Scope s = new Scope(slot[0]);
        slot[0] = this;
        mark();
        return s;
    }

    /** Closes a profile scope, restoring the profile open before it (if any). */
    public final class Scope implements AutoCloseable {
        private final OpProfile previous;

        private Scope(OpProfile previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            OPEN.get()[0] = previous;
        }
    }

    /** Runs {@code work} and charges it to {@code label}; between ops, e.g. an optimizer step. */
    public void section(String label, Runnable work) {
        mark();
        work.run();
        charge(label);
    }

    /** The entries, most time first. */
    public List<Entry> entries() {
        List<Entry> l = new ArrayList<>(entries.values());
        l.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return l;
    }

    /** Total time charged, in nanoseconds. */
    public long totalNanos() {
        return entries.values().stream().mapToLong(Entry::nanos).sum();
    }

    /** Total bytes charged. */
    public long totalBytes() {
        return entries.values().stream().mapToLong(Entry::bytes).sum();
    }

    /**
     * A table of the entries, most time first: name, calls, milliseconds (total and per {@code
     * perSteps}), share of the time, and MB allocated per step.
     */
    public String table(int perSteps) {
        StringBuilder sb = new StringBuilder();
        double total = Math.max(1, totalNanos());
        sb.append(String.format(Locale.ROOT, "%-28s %8s %10s %8s %6s %10s%n", "op", "calls", "ms", "ms/step", "time",
                "MB/step"));
        for (Entry e : entries()) {
            sb.append(String.format(Locale.ROOT, "%-28s %8d %10.1f %8.2f %5.1f%% %10.2f%n", e.name, e.calls, e.nanos / 1e6,
                    e.nanos / 1e6 / perSteps, 100 * e.nanos / total, e.bytes / 1e6 / perSteps));
        }
        sb.append(String.format(Locale.ROOT, "%-28s %8s %10.1f %8.2f %6s %10.2f%n", "total", "", total / 1e6,
                total / 1e6 / perSteps, "", totalBytes() / 1e6 / perSteps));
        return sb.toString();
    }

    private void mark() {
        markNanos = System.nanoTime();
        markBytes = THREADS.getCurrentThreadAllocatedBytes();
    }

    private void charge(String name) {
        long now = System.nanoTime(), bytes = THREADS.getCurrentThreadAllocatedBytes();
        Entry e = entries.computeIfAbsent(name, Entry::new);
        e.calls++;
        e.nanos += now - markNanos;
        e.bytes += bytes - markBytes;
        markNanos = now;
        markBytes = bytes;
    }

    /** The profile open on this thread, or null. */
    static OpProfile current() {
        return OPEN.get()[0];
    }

    /** Engine hook: an op just produced its output. */
    static void forwardDone(String op) {
        OpProfile p = current();
        // Ops that a backward pass runs itself (summing gradients, reducing broadcasts) are named apart.
        if (p != null) p.charge(p.backwardDepth > 0 ? op + " (in backward)" : op);
    }

    /** Engine hook: a backward pass starts ({@code +1}) or ends ({@code -1}) on this thread. */
    static void backwardPass(int delta) {
        OpProfile p = current();
        if (p != null) p.backwardDepth += delta;
    }

    /** Engine hook: a backward function is about to run. */
    static void backwardStart() {
        OpProfile p = current();
        if (p != null) p.mark();
    }

    /** Engine hook: charges the time since the last mark to {@code label}. */
    static void sectionDone(String label) {
        OpProfile p = current();
        if (p != null) p.charge(label);
    }

    /** Engine hook: the backward function of {@code op} (and the gradient accumulation after it) finished. */
    static void backwardDone(String op) {
        OpProfile p = current();
        if (p != null) p.charge(op + " (backward)");
    }
}
