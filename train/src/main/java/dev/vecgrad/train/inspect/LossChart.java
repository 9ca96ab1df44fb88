package dev.vecgrad.train.inspect;

import dev.vecgrad.train.checkpoint.AtomicFiles;
import dev.vecgrad.train.run.Metrics;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws a run's loss chart ({@code loss.png}): the per-step batch loss and the evaluated
 * train and validation losses, from the lines of {@code metrics.jsonl}. The steps get round
 * ticks, and a loss that falls by more than a decade (the addition task ends near 0.001) gets a
 * logarithmic axis instead of lying flat at 0 for most of the run.
 */
public final class LossChart {
    private LossChart() {}

    /**
     * The chart of a run's metrics: the batch loss of every step, and the train and validation losses of every evaluation.
     *
     * @param metrics the lines of {@code metrics.jsonl}, in order
     * @param title the chart's title
     * @return the chart, or null when there is no loss to draw
     */
    public static LineChart chart(List<Metrics> metrics, String title) {
        List<Metrics> steps = metrics.stream().filter(m -> m.train() != null && Double.isFinite(m.train().loss())).toList();
        List<Metrics> evals = metrics.stream().filter(Metrics::isEval).toList();
        if (steps.isEmpty() && evals.isEmpty()) return null;
        LineChart c = new LineChart(title, "step", "loss");
        if (!steps.isEmpty()) {
            c.add(new LineChart.Series("batch loss", new Color(150, 170, 220), false, 1f, xs(steps), ys(steps, m -> m.train().loss())));
        }
        if (!evals.isEmpty()) {
            c.add(new LineChart.Series("train (eval)", new Color(30, 80, 200), true, 2f, xs(evals), ys(evals, m -> m.eval().trainLoss())));
            c.add(new LineChart.Series("val", new Color(220, 90, 30), true, 2f, xs(evals), ys(evals, m -> m.eval().valLoss())));
        }
        return c;
    }

    /**
     * Renders the chart of {@code metrics} (900 x 500) and replaces {@code png} atomically (a
     * viewer never sees half a file); writes nothing when there is no finite loss to draw.
     *
     * @param png the file to create or replace
     * @param metrics the lines of {@code metrics.jsonl}, in order
     * @param title the chart's title
     * @throws IOException when the file cannot be written
     */
    public static void write(Path png, List<Metrics> metrics, String title) throws IOException {
        LineChart c = chart(metrics, title);
        if (c == null) return;
        BufferedImage img = c.render(900, 500);
        AtomicFiles.write(png, out -> ImageIO.write(img, "png", out));
    }

    private static double[] xs(List<Metrics> ms) {
        return ms.stream().mapToDouble(Metrics::step).toArray();
    }

    private static double[] ys(List<Metrics> ms, ToDoubleFunction<Metrics> f) {
        return ms.stream().mapToDouble(f).toArray();
    }
}
