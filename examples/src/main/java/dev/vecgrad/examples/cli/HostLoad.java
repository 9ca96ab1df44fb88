package dev.vecgrad.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * How much of the machine other processes used while vecgrad measured its own speed. A speed
 * figure taken while a build, a browser or another trainer shared the cores is low, sometimes by
 * half, and nothing in the figure says so. This reads the kernel's CPU counters ({@code /proc/stat},
 * Linux only) at the start and end of a measurement and subtracts this process's own CPU time, so
 * {@code bench} and {@code train} can say when their figures were taken on a busy machine.
 */
final class HostLoad {
    /** Above this share of all processors' time taken by others, commands print a note. */
    static final double NOTABLE = 0.15;
    /** The kernel's clock ticks per second in {@code /proc/stat} (USER_HZ: 100 on every Linux port in use). */
    private static final double TICKS_PER_SECOND = 100;
    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** Busy and total ticks of all processors and their count; null when the counters cannot be read. */
    private final long[] start;
    private final long ownStartNanos;

    private HostLoad(long[] start, long ownStartNanos) {
        this.start = start;
        this.ownStartNanos = ownStartNanos;
    }

    /** Starts a measurement window (on a system without {@code /proc/stat}, one that reports nothing). */
    static HostLoad start() {
        return new HostLoad(read(), ownCpuNanos());
    }

    /**
     * The share of all processors' time that other processes (or the hypervisor, as steal time)
     * took since {@link #start}, from 0 to 1; empty when it cannot be known: not Linux, a window
     * under a tenth of a second, or a container that may use fewer processors than the counters
     * cover (other tenants' work would then be diluted over processors it cannot use).
     */
    OptionalDouble othersShare() {
        long[] end = read();
        long own = ownCpuNanos();
        if (start == null || end == null || ownStartNanos < 0 || own < 0) return OptionalDouble.empty();
        if (start[2] != Runtime.getRuntime().availableProcessors()) return OptionalDouble.empty();
        return share(start, end, (own - ownStartNanos) / 1e9);
    }

    /** {@link #othersShare} from two readings of (busy, total) ticks and this process's CPU seconds between them. */
    static OptionalDouble share(long[] start, long[] end, double ownCpuSeconds) {
        double total = (end[1] - start[1]) / TICKS_PER_SECOND, busy = (end[0] - start[0]) / TICKS_PER_SECOND;
        if (total < 0.1) return OptionalDouble.empty();
        return OptionalDouble.of(Math.max(0, Math.min(1, (busy - ownCpuSeconds) / total)));
    }

    /**
     * The note commands print when others took a notable share, or null.
     *
     * @param figures what the note is about ("these figures", "the tokens/s and MFU above")
     */
    static String note(OptionalDouble share, int processors, String figures) {
        if (share.isEmpty() || share.getAsDouble() < NOTABLE) return null;
        return String.format(Locale.ROOT, "note: other processes used %.0f%% of the %d processor%s' time meanwhile, so %s"
                        + " may be below what this machine does when idle", 100 * share.getAsDouble(), processors,
                processors == 1 ? "" : "s", figures);
    }

    /**
     * Parses {@code /proc/stat}: its first ({@code cpu}) line holds user, nice, system, idle,
     * iowait, irq, softirq, steal (guest time is already inside user); busy is everything but
     * idle and iowait. The {@code cpuN} lines that follow are counted.
     *
     * @return {busy ticks, total ticks, processors}, or null when the text is not in that form
     */
    static long[] parse(String procStat) {
        String line = procStat.lines().findFirst().orElse("");
        long cpus = procStat.lines().filter(l -> l.length() > 3 && l.startsWith("cpu") && Character.isDigit(l.charAt(3))).count();
        String[] f = line.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) return null;
        long total = 0, idle = 0;
        try {
            for (int i = 1; i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) idle += v;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return new long[] {total - idle, total, cpus};
    }

    private static long[] read() {
        try {
            return Files.isReadable(PROC_STAT) ? parse(Files.readString(PROC_STAT)) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long ownCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
}
