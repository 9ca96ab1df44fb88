package dev.vecgrad.train.run;

import java.util.Locale;

/** Byte counts for messages, in the unit that gives them a leading digit. */
public final class ByteSize {
    private ByteSize() {}

    /**
     * A byte count as people read it: a small model's 457 kB would read "0.00 GB" in a fixed unit,
     * and a 40 MB heap limit "0.0 GB".
     *
     * @param bytes the count
     * @return e.g. {@code "1.98 GB"}, {@code "12.8 MB"} or {@code "457 kB"}
     */
    public static String of(double bytes) {
        if (bytes >= 1e9) return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        if (bytes >= 1e6) return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        return String.format(Locale.ROOT, "%.0f kB", bytes / 1e3);
    }
}
