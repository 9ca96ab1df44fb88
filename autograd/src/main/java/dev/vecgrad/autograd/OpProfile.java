package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.PoolCounters;
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
 * System.out.print(prof.table(1));
 * }</pre>
 *
 * <p>Allocation comes from the JVM's per-thread allocation counter, so work the op hands to the
 * compute pool's other threads is timed but its allocations are not counted. The state is a
 * thread-local stack of open profiles, like {@link Grad}'s flag.
 *
 * <p>While a profile is open, the compute pool's counters are on ({@link PoolCounters}),
 * and each entry also gets, per thread, the time spent inside chunks of parallel loops (busy; a
 * thread is idle for the rest of the entry's wall time), and the calling thread's time handing
 * loops out to the workers and waiting at a loop's end for their last chunks. The calling
 * thread's time outside all of these is serial code (op glue, small loops run inline count as
 * busy).
 *
 * <p>The pool is shared, and so are its counters: with profiles open on two threads at once
 * (or one thread profiling while others compute), each profile's per-thread columns include the
 * pool time of the other threads' loops. Each profile still gets its own op entries, times and
 * allocations, and the counters stay on until the last open profile closes.
 */
public final class OpProfile {
    private static final ThreadLocal<OpProfile[]> OPEN = ThreadLocal.withInitial(() -> new OpProfile[1]);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Totals for one (op, pass). */
    public static final class Entry {
        private final String name;
        private long calls, nanos, bytes;
        /** Per thread slot: busy, hand-out and wait nanoseconds (see {@link PoolCounters#read}). */
        private long[] pool = new long[0];

        Entry(String name) {
            this.name = name;
        }

        /**
         * Time one thread of the compute pool spent working for this entry.
         *
         * @param slot 0 for the calling thread, i for compute worker i
         * @return nanoseconds that thread spent in chunks of parallel loops during this entry; 0 when the
         *     pool's counters were off or the thread did not exist
         */
        public long busyNanos(int slot) {
            return 3 * slot < pool.length ? pool[3 * slot] : 0;
        }

        /** {@return nanoseconds the calling thread spent handing parallel loops out to the workers} */
        public long handOutNanos() {
            return pool.length > 1 ? pool[1] : 0;
        }

        /**
         * {@return nanoseconds the calling thread spent waiting at the end of loops for the workers' last chunks}
         */
        public long waitNanos() {
            return pool.length > 2 ? pool[2] : 0;
        }

        /** {@return the entry's name: {@code "op"}, {@code "op (backward)"} or a {@link #section} label} */
        public String name() {
            return name;
        }

        /** {@return how many times it ran} */
        public long calls() {
            return calls;
        }

        /** {@return wall-clock nanoseconds in total} */
        public long nanos() {
            return nanos;
        }

        /** {@return bytes allocated on the profiling thread in total (not on the compute pool's threads)} */
        public long bytes() {
            return bytes;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** An empty profile; nothing is charged to it until it is {@linkplain #open() opened}. */
    public OpProfile() {}
    private long markNanos, markBytes;
    private int backwardDepth;
    /** Pool counters at the last mark and now; reused so profiling allocates nothing per op. */
    private long[] markPool = new long[0], nowPool = new long[0];
    private int poolSlots;

    /**
     * Starts charging ops on this thread to this profile until the returned scope is closed; turns
     * the compute pool's counters on meanwhile.
     *
     * @return the scope; closing it restores the profile open before (if any)
     */
    public Scope open() {
        OpProfile[] slot = OPEN.get();
        Scope s = new Scope(slot[0]);
        slot[0] = this;
        PoolCounters.acquire();
        int n = 3 * Parallel.threads();
        if (markPool.length != n) {
            markPool = new long[n];
            nowPool = new long[n];
        }
        mark();
        return s;
    }

    /** A profile scope, from {@link #open()}: closing it restores the profile open before it (if any). */
    public final class Scope implements AutoCloseable {
        private final OpProfile previous;
        private boolean closed;

        private Scope(OpProfile previous) {
            this.previous = previous;
        }

        /** Stops charging to this profile and restores the previous one; a second call does nothing. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            OPEN.get()[0] = previous;
            PoolCounters.release();
        }
    }

    /**
     * Runs {@code work} and charges its time and allocation to {@code label}: for code between ops
     * that records nothing, e.g. an optimizer step.
     *
     * @param label the entry's name
     * @param work run on this thread, inside the profile
     */
    public void section(String label, Runnable work) {
        mark();
        work.run();
        charge(label);
    }

    /**
     * Adds {@code other}'s entries to this profile's, entry by entry (calls, time, allocation and
     * pool counters): for work profiled on several threads at once, each into a profile of its
     * own, then gathered into one. The times then add up CPU time over those threads, not wall time.
     *
     * @param other a profile not open on any thread
     */
    public void add(OpProfile other) {
        for (Entry o : other.entries.values()) {
            Entry e = entries.computeIfAbsent(o.name, Entry::new);
            e.calls += o.calls;
            e.nanos += o.nanos;
            e.bytes += o.bytes;
            if (e.pool.length < o.pool.length) e.pool = java.util.Arrays.copyOf(e.pool, o.pool.length);
            for (int i = 0; i < o.pool.length; i++) e.pool[i] += o.pool[i];
        }
    }

    /** {@return the entries, most time first (a new list)} */
    public List<Entry> entries() {
        List<Entry> l = new ArrayList<>(entries.values());
        l.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return l;
    }

    /** {@return the time charged to all entries, in nanoseconds} */
    public long totalNanos() {
        return entries.values().stream().mapToLong(Entry::nanos).sum();
    }

    /** {@return the bytes charged to all entries} */
    public long totalBytes() {
        return entries.values().stream().mapToLong(Entry::bytes).sum();
    }

    /**
     * A table of the entries, most time first: name, calls, milliseconds (total and per step),
     * share of the time, MB allocated per step and, when the pool's counters were on, each thread's
     * busy time, the hand-out and the wait.
     *
     * @param perSteps how many steps the profile covered, to divide the totals by
     * @return the table: a header, one line per entry, a total line and, with more than one thread,
     *     each thread's share of the profiled time
     */
    public String table(int perSteps) {
        StringBuilder sb = new StringBuilder();
        double total = Math.max(1, totalNanos());
        int slots = 0;
        for (Entry e : entries.values()) slots = Math.max(slots, e.pool.length / 3);
        sb.append(String.format(Locale.ROOT, "%-28s %8s %10s %8s %6s %10s", "op", "calls", "ms", "ms/step", "time",
                "MB/step"));
        if (slots > 0) {
            for (int s = 0; s < slots; s++) sb.append(String.format(Locale.ROOT, " %7s", s == 0 ? "busy:0" : "" + s));
            sb.append(String.format(Locale.ROOT, " %8s %7s", "hand-out", "wait"));
        }
        sb.append(System.lineSeparator());
        long[] sums = new long[3 * Math.max(1, slots)];
        for (Entry e : entries()) {
            sb.append(String.format(Locale.ROOT, "%-28s %8d %10.1f %8.2f %5.1f%% %10.2f", e.name, e.calls, e.nanos / 1e6,
                    e.nanos / 1e6 / perSteps, 100 * e.nanos / total, e.bytes / 1e6 / perSteps));
            if (slots > 0) poolColumns(sb, e.pool, slots, perSteps);
            for (int i = 0; i < e.pool.length; i++) sums[i] += e.pool[i];
            sb.append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "%-28s %8s %10.1f %8.2f %6s %10.2f", "total", "", total / 1e6,
                total / 1e6 / perSteps, "", totalBytes() / 1e6 / perSteps));
        if (slots > 0) poolColumns(sb, sums, slots, perSteps);
        sb.append(System.lineSeparator());
        if (slots > 1) {
            sb.append("busy:N = ms/step thread N spent in chunks of parallel loops (0 = the calling thread); hand-out and")
                    .append(System.lineSeparator())
                    .append("wait = the calling thread's ms/step publishing loops and waiting for the workers' last chunks.")
                    .append(System.lineSeparator());
            for (int s = 0; s < slots; s++) {
                double busy = sums[3 * s];
                sb.append(String.format(Locale.ROOT, "thread %d: busy %.2f ms/step, %.1f%% of the profiled time%n", s,
                        busy / 1e6 / perSteps, 100 * busy / total));
            }
        }
        return sb.toString();
    }

    private static void poolColumns(StringBuilder sb, long[] pool, int slots, int perSteps) {
        for (int s = 0; s < slots; s++) {
            sb.append(String.format(Locale.ROOT, " %7.2f", 3 * s < pool.length ? pool[3 * s] / 1e6 / perSteps : 0));
        }
        sb.append(String.format(Locale.ROOT, " %8.3f %7.3f", pool.length > 1 ? pool[1] / 1e6 / perSteps : 0,
                pool.length > 2 ? pool[2] / 1e6 / perSteps : 0));
    }

    private void mark() {
        markNanos = System.nanoTime();
        markBytes = THREADS.getCurrentThreadAllocatedBytes();
        poolSlots = PoolCounters.read(markPool);
    }

    private void charge(String name) {
        long now = System.nanoTime(), bytes = THREADS.getCurrentThreadAllocatedBytes();
        int slots = PoolCounters.read(nowPool);
        Entry e = entries.computeIfAbsent(name, Entry::new);
        e.calls++;
        e.nanos += now - markNanos;
        e.bytes += bytes - markBytes;
        if (slots > 0 && slots == poolSlots) {
            if (e.pool.length < 3 * slots) e.pool = java.util.Arrays.copyOf(e.pool, 3 * slots);
            for (int i = 0; i < 3 * slots; i++) e.pool[i] += nowPool[i] - markPool[i];
        }
        long[] t = markPool;
        markPool = nowPool;
        nowPool = t;
        poolSlots = slots;
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
