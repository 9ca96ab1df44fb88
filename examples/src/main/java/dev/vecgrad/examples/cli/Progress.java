package dev.vecgrad.examples.cli;

import dev.vecgrad.train.run.Metrics;
import dev.vecgrad.train.run.MetricsLog;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a training run shows: a progress bar with loss, learning rate, tokens/s and ETA on a
 * terminal (plain lines otherwise), a line per evaluation, and {@code loss.png} after each
 * checkpoint.
 */
final class Progress implements Trainer.Listener, AutoCloseable {
    private final ProgressBar bar;
    private final PrintWriter out;
    private final boolean accuracy;
    private final Path dir;
    private final long total;

    Progress(long total, long start, boolean interactive, PrintWriter out, boolean accuracy, Path dir) {
        this.out = out;
        this.accuracy = accuracy;
        this.dir = dir;
        this.total = total;
        this.bar = interactive
                ? new ProgressBarBuilder().setTaskName("train").setInitialMax(total).startsFrom(start, Duration.ZERO)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().setUnit(" steps", 1)
                        .build()
                : null;
    }

    private volatile boolean stopping;

    @Override
    public void onStep(Metrics m) {
        if (bar != null) {
            bar.stepTo(m.step());
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f lr %.2e %s tok/s", m.trainLoss(), m.lr(),
                    Double.isNaN(m.tokensPerS()) ? "-" : String.format(Locale.ROOT, "%,.0f", m.tokensPerS())));
        }
    }

    @Override
    public void onEval(Metrics m) {
        String line = String.format(Locale.ROOT, "step %d/%d: train loss %.4f, val loss %.4f%s, lr %.2e, %s tokens/s, %.0f s",
                m.step(), total, m.trainLoss(), m.valLoss(),
                accuracy ? String.format(Locale.ROOT, ", held-out accuracy %.1f%%", 100 * m.accuracy()) : "",
                m.lr(), Double.isNaN(m.tokensPerS()) ? "-" : String.format(Locale.ROOT, "%,.0f", m.tokensPerS()), m.elapsedS());
        if (!Double.isNaN(m.gcShare()) && !Double.isNaN(m.allocMbPerStep())) {
            line += String.format(Locale.ROOT, " (GC pauses %.1f%%, %.1f MB allocated per step)", 100 * m.gcShare(),
                    m.allocMbPerStep());
        }
        if (!Double.isNaN(m.mfu())) line += String.format(Locale.ROOT, ", MFU %.1f%%", 100 * m.mfu());
        if (bar != null) {
            // Clear the bar's line so the evaluation reads as a line of its own; the bar redraws below.
            System.err.print("\r\u001b[2K");
            System.err.flush();
        }
        out.println(line);
        out.flush();
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
