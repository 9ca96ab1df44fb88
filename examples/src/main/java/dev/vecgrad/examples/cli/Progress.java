package dev.vecgrad.examples.cli;

import dev.vecgrad.train.inspect.LossChart;
import dev.vecgrad.train.run.Evaluation;
import dev.vecgrad.train.run.Metrics;
import dev.vecgrad.train.run.MetricsLog;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * What a training run shows: a progress bar with loss, learning rate, tokens/s and ETA on a
 * terminal, or a plain step line every {@link #LINE_SECONDS} seconds when the output goes to a
 * file or a pipe; a line per evaluation; and {@code loss.png} after each checkpoint.
 */
final class Progress implements Trainer.Listener, AutoCloseable {
    /** How the steps between evaluations show. */
    enum Mode {
        /** A progress bar redrawn in place (a terminal). */
        BAR,
        /** A line now and then (a log file or a pipe, which a bar would fill with redraws). */
        LINES,
        /** Nothing but the evaluation lines ({@code --no-progress}). */
        QUIET
    }

    /**
     * Seconds between two step lines in {@link Mode#LINES}: often enough that a log shows the run
     * is alive (an evaluation may be minutes away), rarely enough to stay readable.
     */
    static final double LINE_SECONDS = 10;

    private final ProgressBar bar;
    private final boolean lines;
    /** The run's elapsed seconds at the last step line; NaN before the first. */
    private double lastLine = Double.NaN;
    private final PrintWriter out;
    private final boolean accuracy;
    private final Path dir;
    private final long total;
    private final double bytesPerToken;

    /**
     * @param bytesPerToken UTF-8 bytes of the text per token, to print the validation loss in bits
     *     per byte (comparable across tokenizers); NaN when the task is not a text
     */
    Progress(long total, long start, Mode mode, PrintWriter out, boolean accuracy, Path dir, double bytesPerToken) {
        this.bytesPerToken = bytesPerToken;
        this.lines = mode == Mode.LINES;
        this.out = out;
        this.accuracy = accuracy;
        this.dir = dir;
        this.total = total;
        this.bar = mode == Mode.BAR
                ? new ProgressBarBuilder().setTaskName("train").setInitialMax(total).startsFrom(start, Duration.ZERO)
                        .setUpdateIntervalMillis(250).setRenderer((state, width) -> barLine(state.getCurrent(),
                                state.getMax(), state.getExtraMessage(), width, System.nanoTime()))
                        .build()
                : null;
    }

    /**
     * Steps of this process's run left out of the bar's rate (steps/s and ETA), as tokens/s leaves
     * them out: the first steps wait on the JIT, and a rate that counted them made the first ETA of
     * a 7-second run 2:07.
     */
    static final int WARMUP_STEPS = 3;

    /** A step and when it ended ({@link System#nanoTime}). */
    private record Mark(long step, long nanos) {}

    /** The end of the warm-up steps, and the latest step kept as the next {@link #from}; null before. */
    private Mark warmedUp, latest;
    /** Where the bar's rate is measured from; null until the warm-up steps are done. Read by the bar's thread. */
    private volatile Mark from;
    private int stepsThisRun;

    /**
     * Notes the step that ended at {@code now}. The bar's rate is measured over roughly the later
     * half of the time since the warm-up (between a half and three quarters of it): the steps keep
     * getting faster for a while after the warm-up as the JIT compiles more, so a rate from the
     * warm-up's end would still overestimate the ETA, while evaluations, which pause the steps,
     * are still counted in proportion over a long run.
     */
    void measure(long step, long now) {
        if (++stepsThisRun == WARMUP_STEPS) {
            warmedUp = latest = from = new Mark(step, now);
        } else if (warmedUp != null && now - latest.nanos() >= (now - warmedUp.nanos()) / 2) {
            from = latest;
            latest = new Mark(step, now);
        }
    }

    /**
     * The bar's line at {@code now} ({@link System#nanoTime}): its rate, and so its ETA, as
     * {@link #measure} keeps it; none ({@code -}) before the first step after the warm-up.
     */
    String barLine(long current, long max, String extra, int width, long now) {
        Mark k = from;
        return k == null ? line(current, max, 0, Duration.ZERO, extra, width)
                : line(current, max, current - k.step(), Duration.ofNanos(now - k.nanos()), extra, width);
    }

    /** Fewest characters of bar kept; fields are dropped from the end of the line before the bar gets shorter. */
    static final int MIN_BAR = 10, MAX_BAR = 30;

    /**
     * One line of the progress bar: {@code 45% [=====>    ] 450/1000 | 14.1 steps/s | ETA 0:39 |
     * loss 2.3912 | ...}, at most {@code width} characters. The extra fields ({@code " | "}
     * separated) are dropped from the last when the line would not fit, so the bar never shrinks
     * below {@link #MIN_BAR} characters; an unknown width (0 or less) counts as 100. The rate
     * (steps/s, and the ETA from it) is {@code rateSteps} steps in {@code rateTime}; none when no
     * step was measured.
     */
    static String line(long current, long max, long rateSteps, Duration rateTime, String extra, int width) {
        int w = width > 0 ? width : 100;
        double frac = max <= 0 ? 0 : Math.min(1, (double) current / max);
        double secs = rateTime.toMillis() / 1000.0;
        double speed = rateSteps > 0 && secs > 0 ? rateSteps / secs : Double.NaN;
        String count = current + "/" + max;
        List<String> fields = new ArrayList<>();
        fields.add(Double.isNaN(speed) ? "- steps/s" : String.format(Locale.ROOT, speed >= 100 ? "%.0f steps/s" : "%.1f steps/s", speed));
        fields.add("ETA " + (Double.isNaN(speed) ? "-" : clock((long) Math.ceil((max - current) / speed))));
        if (extra != null && !extra.isBlank()) fields.addAll(List.of(extra.split(" \\| ")));
        String head = String.format(Locale.ROOT, "%3d%% ", (int) Math.floor(100 * frac));
        while (true) {
            String tail = " " + count + (fields.isEmpty() ? "" : " | " + String.join(" | ", fields));
            int room = w - head.length() - tail.length() - 2;
            if (room >= MIN_BAR || fields.isEmpty()) {
                int n = Math.max(MIN_BAR, Math.min(MAX_BAR, room));
                int filled = (int) Math.floor(frac * n);
                String bar = "=".repeat(filled) + (filled < n ? ">" + " ".repeat(n - filled - 1) : "");
                return head + "[" + bar + "]" + tail;
            }
            fields.remove(fields.size() - 1);
        }
    }

    /** Seconds as {@code m:ss} or {@code h:mm:ss}. */
    static String clock(long s) {
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private volatile boolean stopping;
    /** The learning rate of the step just taken: an evaluation line shows it. */
    private double lr = Double.NaN;

    @Override
    public void onStep(Metrics m) {
        measure(m.step(), System.nanoTime());
        lr = m.train().lr();
        if (bar != null) {
            bar.stepTo(m.step());
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f | lr %.2e | %s tok/s", m.train().loss(), lr,
                    tokensPerS(m.speed())));
        } else if (lines && !m.isEval() && m.step() < total && (Double.isNaN(lastLine) || m.elapsedS() - lastLine >= LINE_SECONDS)) {
            // The first step's line says the run has started (its JIT warm-up takes seconds). A step
            // that evaluated (the last one always does) is left to its evaluation line, which follows:
            // one line per step.
            lastLine = m.elapsedS();
            out.println(String.format(Locale.ROOT, "step %d/%d: loss %.4f, lr %.2e, %s tokens/s, %.0f s", m.step(), total,
                    m.train().loss(), lr, tokensPerS(m.speed()), m.elapsedS()));
            out.flush();
        }
    }

    @Override
    public void onEval(Metrics m) {
        Evaluation e = m.eval();
        Metrics.Speed s = m.speed();
        String line = String.format(Locale.ROOT, "step %d/%d: train loss %.4f, val loss %.4f%s%s, lr %.2e, %s tokens/s, %.0f s",
                m.step(), total, e.trainLoss(), e.valLoss(),
                Double.isNaN(bytesPerToken) ? "" : String.format(Locale.ROOT, " (%.3f bits/byte)",
                        dev.vecgrad.train.run.TextTask.bitsPerByte(e.valLoss(), bytesPerToken)),
                (accuracy ? String.format(Locale.ROOT, ", held-out accuracy %.1f%%", 100 * e.accuracy()) : "")
                        + (Double.isNaN(e.inductionScore()) ? ""
                                : String.format(Locale.ROOT, ", best induction score %.3f (training probe)", e.inductionScore())),
                lr, tokensPerS(s), m.elapsedS());
        if (!Double.isNaN(s.gcShare()) && !Double.isNaN(s.allocMbPerStep())) {
            line += String.format(Locale.ROOT, " (GC pauses %.1f%%, %.1f MB allocated per step)", 100 * s.gcShare(),
                    s.allocMbPerStep());
        }
        if (!Double.isNaN(s.mfu())) line += String.format(Locale.ROOT, ", MFU %.1f%%", 100 * s.mfu());
        // The evaluation line shows the run is alive as well as a step line would: the next step
        // line comes LINE_SECONDS after it, not on the step after the evaluation.
        if (lines) lastLine = m.elapsedS();
        if (bar != null) {
            // Clear the bar's line so the evaluation reads as a line of its own; the bar redraws below.
            System.err.print("\r\u001b[2K");
            System.err.flush();
        }
        out.println(line);
        out.flush();
    }

    private static String tokensPerS(Metrics.Speed s) {
        return Double.isNaN(s.tokensPerS()) ? "-" : String.format(Locale.ROOT, "%,.0f", s.tokensPerS());
    }

    /** The JVM is shutting down (Ctrl-C): the last checkpoint is written without redrawing the chart. */
    void stopping() {
        stopping = true;
    }

    @Override
    public void onCheckpoint(Path runDir, long step) {
        if (stopping) return;   // AWT cannot start during shutdown
        try {
            LossChart.write(dir.resolve("loss.png"), MetricsLog.read(dir.resolve(RunDirectory.METRICS)), "vecgrad: " + dir.getFileName());
        } catch (IOException | RuntimeException e) {
            out.println("warning: could not draw loss.png: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
