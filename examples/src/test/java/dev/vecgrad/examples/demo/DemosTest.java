package dev.vecgrad.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Each demo in the README runs and does what it says. */
class DemosTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(buf, true);

    @Test
    void xorIsLearned() {
        float[] p = XorMlp.run(1000, log);
        assertTrue(p[0] < 0.1 && p[1] > 0.9 && p[2] > 0.9 && p[3] < 0.1, buf.toString());
        assertTrue(buf.toString().contains("epoch 1000"), buf.toString());
    }

    @Test
    void linearRegressionRecoversWeightAndBias() {
        float[] wb = LinearRegression.run(200, log);
        assertEquals(3f, wb[0], 0.05f);
        assertEquals(-2f, wb[1], 0.05f);
    }

    @Test
    void softplusPassesGradCheck() {
        assertTrue(Softplus.run(log).ok(), buf.toString());
    }

    @Test
    void charGptLearnsARepetitiveText() {
        String text = "abcabcabd ".repeat(300);
        String sample = CharGpt.run(text, 120, log);
        assertEquals(201, sample.length());
        String[] lines = buf.toString().split("\n");
        float first = Float.parseFloat(lines[0].replaceAll(".*loss ", "")), last = Float.parseFloat(lines[4].replaceAll(".*loss ", ""));
        assertTrue(last < first / 2, buf.toString());
        assertTrue(sample.contains("abcab"), sample);
    }
}
