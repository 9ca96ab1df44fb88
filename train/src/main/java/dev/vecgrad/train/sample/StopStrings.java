package dev.vecgrad.train.sample;

import java.util.List;
import java.util.function.Consumer;

/**
 * Streams generated text while watching for stop strings: text is passed on as soon as it cannot
 * be the start of a stop string, and generation should end at the first stop string, which is
 * not passed on (as with the {@code stop} parameter of common text-generation APIs).
 */
public final class StopStrings {
    private final List<String> stops;
    private final Consumer<String> out;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    /**
     * A watcher that has seen no text yet.
     *
     * @param stops strings that end the generation (none: pass everything on)
     * @param out   receives the text that is certain to be printed
     * @throws IllegalArgumentException if a stop string is empty
     */
    public StopStrings(List<String> stops, Consumer<String> out) {
        for (String s : stops) {
            if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        }
        this.stops = List.copyOf(stops);
        this.out = out;
    }

    /**
     * Adds the next generated piece of text, passing on what can no longer turn into a stop string.
     *
     * @param piece the decoded text of the newest token(s)
     * @return false once a stop string has appeared (generation should end)
     */
    public boolean accept(String piece) {
        if (stopped) return false;
        pending.append(piece);
        int cut = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
            out.accept(pending.substring(0, cut));
            pending.setLength(0);
            stopped = true;
            return false;
        }
        int keep = 0;   // the longest end of the pending text that begins some stop string
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, pending.length()); k > keep; k--) {
                if (pending.substring(pending.length() - k).equals(s.substring(0, k))) {
                    keep = k;
                    break;
                }
            }
        }
        if (pending.length() > keep) {
            out.accept(pending.substring(0, pending.length() - keep));
            pending.delete(0, pending.length() - keep);
        }
        return true;
    }

    /** Passes on what is still held back (the generation ended without a stop string). */
    public void finish() {
        if (!stopped && !pending.isEmpty()) out.accept(pending.toString());
        pending.setLength(0);
    }

    /** {@return whether a stop string ended the text} */
    public boolean stopped() {
        return stopped;
    }
}
