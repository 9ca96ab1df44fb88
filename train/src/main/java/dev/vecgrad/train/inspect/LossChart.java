package dev.vecgrad.train.inspect;

import dev.vecgrad.train.run.Metrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss curves drawn with XChart: a run's {@code loss.png} (the per-step batch loss and the
 * evaluated train and validation losses, from the lines of {@code metrics.jsonl}) and the chart
 * of {@code vecgrad runs --compare --png}.
 *
 * <p>Two settings make XChart draw a training curve well. A loss that falls by more than a
 * decade (the addition task ends near 0.001) gets a logarithmic axis instead of lying flat at 0
 * for most of the run. And the step axis ends a little past the
 * last step, off the steps' grid: when every x value, with the axis' ends, is equally spaced (as
 * a run logged at every step is), XChart 3.8 puts its ticks on data points, every k-th one
 * (1, 126, 251 for a 250-step run); otherwise it picks round steps (0, 50, 100, ...) spaced so that
 * the labels do not touch.
 */
public final class LossChart {
    private LossChart() {}

    /**
     * One curve.
     *
     * @param name its name in the legend (XChart refuses two curves of one name in a chart)
     * @param color its colour
     * @param markers whether each point gets a marker (for sparse series such as evaluations)
     * @param lineWidth the line's width in pixels; 0 draws no line (markers only)
     * @param x the points' steps
     * @param y the points' losses, as many as x
     */
    public record Curve(String name, Color color, boolean markers, float lineWidth, double[] x, double[] y) {
        /**
         * Checks that there are as many y values as x values.
         *
         * @throws IllegalArgumentException naming the curve when the lengths differ
         */
        public Curve {
            if (x.length != y.length) throw new IllegalArgumentException("curve " + name + ": " + x.length + " x but " + y.length + " y");
        }
    }

    /**
     * The curves of a run's metrics.
     *
     * @param metrics the lines of {@code metrics.jsonl}, as {@link dev.vecgrad.train.run.MetricsLog#read} gives them
     * @return the batch loss of every step, and the evaluated train and validation losses (only the
     *     curves that have points)
     */
    public static List<Curve> curves(List<Metrics> metrics) {
        List<Metrics> steps = metrics.stream().filter(m -> m.train() != null && Double.isFinite(m.train().loss())).toList();
        List<Metrics> evals = metrics.stream().filter(Metrics::isEval).toList();
        List<Curve> curves = new ArrayList<>();
        if (!steps.isEmpty()) {
            curves.add(new Curve("batch loss", new Color(150, 170, 220), false, 1f, xs(steps), ys(steps, m -> m.train().loss())));
        }
        if (!evals.isEmpty()) {
            curves.add(new Curve("train (eval)", new Color(30, 80, 200), true, 2f, xs(evals), ys(evals, m -> m.eval().trainLoss())));
            curves.add(new Curve("val", new Color(220, 90, 30), true, 2f, xs(evals), ys(evals, m -> m.eval().valLoss())));
        }
        return curves;
    }

    /**
     * {@return whether the loss axis of these curves is logarithmic} That is when every finite value
     * is positive and the largest more than 10 times the smallest.
     *
     * @param curves the curves to draw
     */
    public static boolean logAxis(List<Curve> curves) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Curve c : curves) {
            for (double v : c.y()) {
                if (!Double.isFinite(v)) continue;
                if (v <= 0) return false;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return hi > 0 && hi / lo > 10;
    }

    /**
     * Whether a log axis labels only the powers of ten: when the loss spans more than 20x.
     * XChart's other choice labels 2 to 9 in every decade too, which runs the labels together
     * over two decades or more, while over one decade the powers of ten alone leave a single
     * label (both seen in rendered charts).
     */
    static boolean decadeLabelsOnly(List<Curve> curves) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Curve c : curves) {
            for (double v : c.y()) {
                if (Double.isFinite(v) && v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return hi / lo > 20;
    }

    /**
     * Where the step axis ends: past the last step by a fortieth of the steps' span (at least a
     * fraction of a step), moved further when that end would leave the axis values equally
     * spaced (see the class comment: XChart would then tick every k-th data point).
     */
    static double stepAxisEnd(List<Curve> curves) {
        TreeSet<Double> xs = stepAxisValues(curves);
        double last = xs.isEmpty() ? 1 : xs.last();
        double span = Math.max(last, 1);
        double end = last + span / 40;
        if (equallySpaced(withEnd(xs, end))) end = last + span / 30;
        return end;
    }

    /** The values XChart tests for equal spacing: the axis' start (0), every x and (with {@link #withEnd}) its end. */
    static TreeSet<Double> stepAxisValues(List<Curve> curves) {
        TreeSet<Double> xs = new TreeSet<>();
        xs.add(0.0);
        for (Curve c : curves) for (double x : c.x()) if (Double.isFinite(x)) xs.add(x);
        return xs;
    }

    static double[] withEnd(TreeSet<Double> xs, double end) {
        TreeSet<Double> all = new TreeSet<>(xs);
        all.add(end);
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Whether sorted values have one spacing throughout (to a part in a million of it). */
    static boolean equallySpaced(double[] sorted) {
        if (sorted.length < 3) return true;
        double d = sorted[1] - sorted[0];
        for (int i = 2; i < sorted.length; i++) {
            if (Math.abs(sorted[i] - sorted[i - 1] - d) > 1e-6 * Math.abs(d)) return false;
        }
        return true;
    }

    /**
     * The XChart chart of {@code curves} (null when no curve has a point to draw). Points that
     * cannot be drawn (a non-finite loss) are left out; XChart refuses them.
     */
    static XYChart chart(String title, List<Curve> curves, int width, int height) {
        // AWT reads the property once, before its first use: charts are drawn off-screen on
        // machines without a display.
        System.setProperty("java.awt.headless", "true");
        boolean log = logAxis(curves);
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle("step")
                .yAxisTitle(log ? "loss (log scale)" : "loss").build();
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setMarkerSize(6);
        styler.setYAxisLogarithmic(log);
        styler.setYAxisLogarithmicDecadeOnly(decadeLabelsOnly(curves));
        styler.setXAxisDecimalPattern("#,##0");
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(stepAxisEnd(curves));
        boolean any = false;
        for (Curve c : curves) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (int i = 0; i < c.x().length; i++) {
                if (Double.isFinite(c.x()[i]) && Double.isFinite(c.y()[i])) {
                    x.add(c.x()[i]);
                    y.add(c.y()[i]);
                }
            }
            if (x.isEmpty()) continue;
            any = true;
            XYSeries s = chart.addSeries(c.name(), x, y);
            s.setLineColor(c.color());
            s.setMarkerColor(c.color());
            // A single point has no line to show it (one evaluation of a short run): draw it as a marker.
            s.setMarker(c.markers() || x.size() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            s.setLineStyle(c.lineWidth() > 0 ? new BasicStroke(c.lineWidth()) : SeriesLines.NONE);   // markers only without a line
        }
        return any ? chart : null;
    }

    /**
     * Draws curves into an image.
     *
     * @param title the line above the plot
     * @param curves the curves, each with a name of its own
     * @param width the image's width in pixels
     * @param height the image's height in pixels
     * @return the chart, or null when no curve has a point to draw
     */
    public static BufferedImage render(String title, List<Curve> curves, int width, int height) {
        XYChart chart = chart(title, curves, width, height);
        return chart == null ? null : BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Renders the chart of {@code metrics} (900 x 500) and replaces {@code png} atomically (a
     * viewer never sees half a file); writes nothing when there is no finite loss to draw.
     *
     * @param png the file to write
     * @param metrics the run's metrics lines
     * @param title the line above the plot
     * @throws IOException when the file cannot be written
     */
    public static void write(Path png, List<Metrics> metrics, String title) throws IOException {
        BufferedImage img = render(title, curves(metrics), 900, 500);
        if (img == null) return;
        Images.write(png, img, "png");
    }

    private static double[] xs(List<Metrics> ms) {
        return ms.stream().mapToDouble(Metrics::step).toArray();
    }

    private static double[] ys(List<Metrics> ms, ToDoubleFunction<Metrics> f) {
        return ms.stream().mapToDouble(f).toArray();
    }
}
