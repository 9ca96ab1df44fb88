package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class LineChartTest {
    @Test
    void ticksAreRoundStepsThatFit() {
        // a 250-step run logged from step 1: ticks at multiples of 50, never 1, 126, 251
        assertArrayEquals(new double[] {50, 100, 150, 200, 250}, LineChart.ticks(1, 251, 6), 1e-9);
        assertArrayEquals(new double[] {0, 500, 1000, 1500, 2000, 2500}, LineChart.ticks(0, 2500, 8), 1e-9);
        assertArrayEquals(new double[] {0, 1000, 2000}, LineChart.ticks(0, 2500, 3), 1e-9);
        double[] t = LineChart.ticks(0.013, 0.087, 6);
        for (double v : t) assertEquals(0, Math.abs(Math.round(v * 100) - v * 100), 1e-6, "not a round tick: " + v);
        assertTrue(t.length >= 3 && t.length <= 6);
    }

    @Test
    void aLossThatFallsByDecadesGetsALogAxis() {
        LineChart addition = new LineChart("t", "step", "loss")
                .add(new LineChart.Series("loss", Color.BLUE, false, 1f, new double[] {1, 2, 3}, new double[] {2.5, 0.01, 0.0007}));
        assertTrue(addition.logY());
        LineChart text = new LineChart("t", "step", "loss")
                .add(new LineChart.Series("loss", Color.BLUE, false, 1f, new double[] {1, 2, 3}, new double[] {4.2, 2.0, 1.5}));
        assertFalse(text.logY());
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1}, LineChart.logTicks(7e-4, 2.5), 1e-12);
        assertEquals(5e-4, LineChart.roundLog(7e-4, false), 1e-15);
        assertEquals(5, LineChart.roundLog(2.5, true), 1e-12);
    }

    @Test
    void rendersEveryCurveInItsColour() {
        double[] x = new double[200], y = new double[200];
        for (int i = 0; i < 200; i++) {
            x[i] = i + 1;
            y[i] = 3 * Math.exp(-i / 20.0) + 0.001;
        }
        BufferedImage img = new LineChart("vecgrad: run", "step", "loss")
                .add(new LineChart.Series("batch loss", new Color(200, 0, 0), false, 2f, x, y)).render(900, 500);
        assertEquals(900, img.getWidth());
        int red = 0;
        for (int px = 0; px < img.getWidth(); px++) {
            for (int py = 0; py < img.getHeight(); py++) {
                Color c = new Color(img.getRGB(px, py));
                if (c.getRed() > 150 && c.getGreen() < 80 && c.getBlue() < 80) red++;
            }
        }
        assertTrue(red > 500, "the curve is missing: " + red + " red pixels");
    }

    @Test
    void labelsAreIntegersWithSeparatorsOrAsManyDecimalsAsTheStep() {
        assertEquals("2,500", LineChart.label(2500, 500));
        assertEquals("0.25", LineChart.label(0.25, 0.05));
        assertEquals("1.5", LineChart.label(1.5, 0.5));
    }
}
