package dev.vecgrad.train.inspect;

import dev.vecgrad.train.checkpoint.AtomicFiles;
import dev.vecgrad.train.run.Metrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a run's loss chart ({@code loss.png}): the per-step batch loss and the evaluated
 * train and validation losses, from the lines of {@code metrics.jsonl}.
 */
public final class LossChart {
    private LossChart() {}

    /**
     * Renders the chart of {@code metrics} and replaces {@code png} atomically (a viewer never
     * sees half a file); writes nothing when there is no finite loss to draw.
     */
    public static void write(Path png, List<Metrics> metrics, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(6);
        List<Double> steps = new ArrayList<>(), loss = new ArrayList<>();
        List<Double> evalSteps = new ArrayList<>(), evalTrain = new ArrayList<>(), val = new ArrayList<>();
        for (Metrics m : metrics) {
            if (m.isEval()) {
                evalSteps.add((double) m.step());
                evalTrain.add(m.eval().trainLoss());
                val.add(m.eval().valLoss());
            } else if (Double.isFinite(m.train().loss())) {
                steps.add((double) m.step());
                loss.add(m.train().loss());
            }
        }
        if (!steps.isEmpty()) {
            XYSeries s = chart.addSeries("batch loss", steps, loss);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(150, 170, 220));
            s.setLineStyle(new BasicStroke(1f));
        }
        if (!evalSteps.isEmpty()) {
            XYSeries t = chart.addSeries("train (eval)", evalSteps, evalTrain);
            t.setMarker(SeriesMarkers.CIRCLE);
            t.setLineColor(new Color(30, 80, 200));
            XYSeries v = chart.addSeries("val", evalSteps, val);
            v.setMarker(SeriesMarkers.DIAMOND);
            v.setLineColor(new Color(220, 90, 30));
        }
        if (steps.isEmpty() && evalSteps.isEmpty()) return;
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
