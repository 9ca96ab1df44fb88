package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.train.run.MetricsLog;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class LossChartTest {
    private static int named;

    /** A curve with a name of its own: XChart refuses two series of one name. */
    private static LossChart.Curve curve(double[] x, double[] y) {
        return new LossChart.Curve("loss " + named++, Color.BLUE, false, 1f, x, y);
    }

    private static double[] steps(int from, int to, int every) {
        return java.util.stream.IntStream.iterate(from, s -> s <= to, s -> s + every).mapToDouble(s -> s).toArray();
    }

    @Test
    void aLossThatFallsByDecadesGetsALogAxis() {
        double[] x = {1, 2, 3};
        assertTrue(LossChart.logAxis(List.of(curve(x, new double[] {2.5, 0.01, 0.0007}))), "the addition task's curve");
        assertFalse(LossChart.logAxis(List.of(curve(x, new double[] {4.2, 2.0, 1.5}))), "a text model's curve");
        assertFalse(LossChart.logAxis(List.of(curve(x, new double[] {2.5, 0, 0.0007}))), "a zero has no place on a log axis");
        assertTrue(LossChart.logAxis(List.of(curve(x, new double[] {2.5, Double.NaN, 0.0007}))), "NaN is skipped, not a reason");
        XYChart chart = LossChart.chart("t", List.of(curve(x, new double[] {2.5, 0.01, 0.0007})), 900, 500);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertTrue(chart.getStyler().isYAxisLogarithmicDecadeOnly(), "labels at the powers of ten only, or they run together");
        assertEquals("loss (log scale)", chart.getYAxisTitle());
        XYChart oneDecade = LossChart.chart("t", List.of(curve(x, new double[] {2.5, 0.9, 0.2})), 900, 500);
        assertTrue(oneDecade.getStyler().isYAxisLogarithmic());
        assertFalse(oneDecade.getStyler().isYAxisLogarithmicDecadeOnly(), "one decade would get a single label");
        assertFalse(LossChart.chart("t", List.of(curve(x, new double[] {4.2, 2.0, 1.5})), 900, 500).getStyler().isYAxisLogarithmic());
    }

    /**
     * XChart 3.8 ticks every k-th data point (1, 126, 251 for a 250-step run) when the step
     * axis' values, with its two ends, are equally spaced; the chart's step axis must end off
     * that grid so that XChart picks round steps instead (seen in rendered charts: 0, 20, 40, ...).
     */
    @Test
    void theStepAxisEndsOffTheStepsGridSoThatXChartPicksRoundTicks() {
        assertTrue(LossChart.equallySpaced(new double[] {0, 1, 2, 3}));
        assertFalse(LossChart.equallySpaced(new double[] {0, 1, 2, 3.1}));
        List<List<LossChart.Curve>> runs = List.of(
                List.of(curve(steps(1, 250, 1), new double[250])),                         // every step of a 250-step run
                List.of(curve(steps(0, 2500, 250), new double[11])),                      // evaluations only (runs --compare)
                List.of(curve(steps(1, 250, 1), new double[250]), curve(steps(0, 250, 25), new double[11])),
                List.of(curve(steps(1, 4, 1), new double[4])),
                List.of(curve(steps(0, 40, 1), new double[41])));                          // where span / 40 is one step
        for (List<LossChart.Curve> curves : runs) {
            var xs = LossChart.stepAxisValues(curves);
            double end = LossChart.stepAxisEnd(curves);
            assertTrue(end > xs.last() && end <= xs.last() * 1.05 + 1, "end " + end + " after " + xs.last());
            assertFalse(LossChart.equallySpaced(LossChart.withEnd(xs, end)), "the axis values with end " + end + " are one grid");
            XYChart chart = LossChart.chart("t", curves, 900, 500);
            assertEquals(0.0, chart.getStyler().getXAxisMin());
            assertEquals(end, chart.getStyler().getXAxisMax());
        }
    }

    @Test
    void rendersEveryCurveInItsColourAndSkipsWhatCannotBeDrawn() {
        double[] x = steps(1, 200, 1), y = new double[200];
        for (int i = 0; i < 200; i++) y[i] = 3 * Math.exp(-i / 20.0) + 0.001;
        y[50] = Double.NaN;
        y[51] = Double.POSITIVE_INFINITY;
        BufferedImage img = LossChart.render("vecgrad: run",
                List.of(new LossChart.Curve("batch loss", new Color(200, 0, 0), false, 2f, x, y)), 900, 500);
        assertEquals(900, img.getWidth());
        assertEquals(500, img.getHeight());
        int red = 0;
        for (int px = 0; px < img.getWidth(); px++) {
            for (int py = 0; py < img.getHeight(); py++) {
                Color c = new Color(img.getRGB(px, py));
                if (c.getRed() > 150 && c.getGreen() < 80 && c.getBlue() < 80) red++;
            }
        }
        assertTrue(red > 500, "the curve is missing: " + red + " red pixels");
        assertNull(LossChart.render("empty", List.of(curve(new double[] {1}, new double[] {Double.NaN})), 900, 500));
    }

    @Test
    void aCurveOfOnePointIsDrawnAsAMarker() {
        // A short run evaluates once: its evaluation curve has one point and so no line to show.
        LossChart.Curve one = new LossChart.Curve("val", Color.RED, false, 2f, new double[] {10}, new double[] {2.5});
        LossChart.Curve many = new LossChart.Curve("batch", Color.BLUE, false, 2f, new double[] {1, 2, 3}, new double[] {3, 2.8, 2.6});
        var chart = LossChart.chart("short run", List.of(one, many), 900, 500);
        assertNotEquals(org.knowm.xchart.style.markers.SeriesMarkers.NONE, chart.getSeriesMap().get("val").getMarker());
        assertEquals(org.knowm.xchart.style.markers.SeriesMarkers.NONE, chart.getSeriesMap().get("batch").getMarker());
    }

    @Test
    void drawsAChartFromAMetricsLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("metrics.jsonl");
        Files.writeString(log, """
                {"step":1,"train_loss":4.2,"lr":0.001,"grad_norm":1.5}
                {"step":2,"train_loss":3.9,"lr":0.001,"grad_norm":1.2}
                {"step":2,"val_loss":3.95,"eval_train_loss":3.85}
                """);
        Path png = dir.resolve("loss.png");
        LossChart.write(png, MetricsLog.read(log), "test");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "a PNG ImageIO reads");
        assertEquals(900, img.getWidth());
        assertEquals(500, img.getHeight());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the log and the chart, no temporary file");
        }
    }

    @Test
    void nothingToDrawWritesNothing(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("loss.png");
        LossChart.write(png, List.of(), "empty");
        assertFalse(Files.exists(png));
    }
}
