package dev.vecgrad.autograd.kernel;

/**
 * Where the compute pool's threads spend a profiled stretch of work: per thread slot (0: the
 * calling thread, i: worker i) the nanoseconds inside chunks of parallel loops (busy), and for the
 * calling thread the time handing loops out to the workers and waiting at a loop's end for their
 * last chunks. Off (and free) unless a profile turns it on; {@code OpProfile} reads it per op.
 *
 * <p>Each slot is written by one thread only, 128 bytes away from the next (no shared cache
 * lines); a reader sees a worker's counts once the loop they belong to has finished. The
 * exception is slot 0 while two application threads run loops at once (one on the pool, the
 * other inline): both add to it without synchronisation, so an addition can be lost. The
 * counters describe the one shared pool, not one caller: a profile open on one thread also sees
 * the pool time of loops that other threads run meanwhile.
 *
 * <p>The counters are on while at least one profile holds them ({@link #acquire}, {@link
 * #release}), and only ever grow while on: each profile subtracts its previous reading from the
 * next. (A profile closing on one thread used to turn them off under a profile still open on
 * another, and a {@link Parallel#setThreads} reset them to zero, so the next reading of an open
 * profile came out negative.)
 */
public final class PoolCounters {
    private PoolCounters() {}

    /** Longs per thread slot in {@link #counters}. */
    private static final int STRIDE = 16;
    static final int BUSY = 0, HANDOUT = 1, WAIT = 2;

    /** The counters while on, null while off. Documented static state (docs/DESIGN.md). */
    private static volatile long[] counters;

    /**
     * How many holders ({@link #acquire}) want the counters on; guarded by the class's lock.
     * Static because the counters it guards are: profiles on several threads share them.
     */
    private static int holders;

    /** Depth of loop bodies the current thread is inside (nested loops are not counted twice). */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Turns the counters on for the caller until its {@link #release()}: the first holder starts
     * them from zero, one slot per thread of {@link Parallel#threads()}; later holders find them
     * running. They cost two {@link System#nanoTime()} calls per chunk, so they are off unless a
     * profile asks for them.
     */
    public static synchronized void acquire() {
        if (holders++ == 0) counters = new long[Math.max(1, Parallel.threads()) * STRIDE];
    }

    /**
     * Gives up one {@link #acquire()}: the counters go off when the last holder releases them.
     *
     * @throws IllegalStateException when nothing holds them
     */
    public static synchronized void release() {
        if (holders == 0) throw new IllegalStateException("PoolCounters.release: the counters are not held");
        if (--holders == 0) counters = null;
    }

    /** Whether the counters are on. */
    public static boolean enabled() {
        return counters != null;
    }

    /**
     * Copies the counters into {@code into} (sized by the caller to {@code 3 * threads}): for each
     * slot {@code s}, {@code into[3s]} busy, {@code into[3s + 1]} hand-out and {@code into[3s + 2]}
     * wait nanoseconds, cumulative since they were turned on. Returns the number of slots copied,
     * 0 (leaving {@code into} alone) when off. Allocates nothing.
     */
    public static int read(long[] into) {
        long[] c = counters;
        if (c == null) return 0;
        int slots = Math.min(c.length / STRIDE, into.length / 3);
        for (int s = 0; s < slots; s++) {
            into[3 * s] = c[s * STRIDE + BUSY];
            into[3 * s + 1] = c[s * STRIDE + HANDOUT];
            into[3 * s + 2] = c[s * STRIDE + WAIT];
        }
        return slots;
    }

    /**
     * A new thread count: more slots if it has more threads, the counts so far kept (an open
     * profile's last reading must stay below its next); a smaller count keeps the extra slots.
     */
    static synchronized void resize(int threads) {
        long[] c = counters;
        if (c != null && c.length < threads * STRIDE) counters = java.util.Arrays.copyOf(c, threads * STRIDE);
    }

    /** The counters to add to, or null while off. */
    static long[] current() {
        return counters;
    }

    /** The calling thread's loop-body depth. */
    static int[] depth() {
        return DEPTH.get();
    }

    static void count(long[] c, int slot, int field, long nanos) {
        int i = slot * STRIDE + field;
        if (i < c.length) c[i] += nanos;
    }

    /**
     * {@link Parallel#forRange}'s inline loop while profiling: it counts as the calling thread's
     * busy time, unless it runs inside a chunk (already counted) or on a worker.
     */
    static void runInline(int n, int chunk, int chunks, Parallel.IntRangeBody body, long[] prof, boolean onWorker) {
        int[] depth = DEPTH.get();
        long t0 = depth[0] > 0 || onWorker ? 0 : System.nanoTime();
        depth[0]++;
        try {
            for (int c = 0; c < chunks; c++) {
                int start = c * chunk;
                body.run(start, Math.min(n, start + chunk));
            }
        } finally {
            depth[0]--;
            if (t0 != 0) count(prof, 0, BUSY, System.nanoTime() - t0);
        }
    }
}
