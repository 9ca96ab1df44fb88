package dev.vecgrad.train.inspect;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A labelled grid of coloured cells as a PNG: head scores (layers × heads) and the logit lens
 * (layers × positions). Values from {@code lo} (white) to {@code hi} (dark blue); NaN cells are
 * grey. Each cell can carry a short text.
 */
public final class Heatmap {
    private static final int CELL_W = 56, CELL_H = 28, PAD = 16;

    private Heatmap() {}

    /**
     * Writes the PNG atomically.
     *
     * @param file the PNG to create or replace
     * @param title the line above the grid
     * @param values    {@code [row][column]}
     * @param rowLabels one label per row, on the left
     * @param colLabels one label per column, on top
     * @param text      per cell, or null to print each value with two decimals
     * @param lo the value drawn white
     * @param hi the value drawn dark blue
     * @throws IOException when the file cannot be written
     */
    public static void png(Path file, String title, double[][] values, List<String> rowLabels, List<String> colLabels,
                           String[][] text, double lo, double hi) throws IOException {
        int rows = values.length, cols = rows == 0 ? 0 : values[0].length;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12), bold = font.deriveFont(Font.BOLD, 14f);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        int labelW = 0;
        for (String s : rowLabels) labelW = Math.max(labelW, fm.stringWidth(s));
        int cellW = CELL_W;
        if (text != null) for (String[] r : text) for (String s : r) if (s != null) cellW = Math.max(cellW, fm.stringWidth(s) + 8);
        for (String s : colLabels) cellW = Math.max(cellW, fm.stringWidth(s) + 8);
        int titleW = pg.getFontMetrics(bold).stringWidth(title);
        pg.dispose();
        int x0 = PAD + labelW + 8, y0 = PAD + 24 + 18;
        int width = Math.max(x0 + cols * cellW + PAD, PAD * 2 + Math.max(300, titleW)), height = y0 + rows * CELL_H + PAD + 20;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(bold);
        g.drawString(title, PAD, PAD + 12);
        g.setFont(font);
        for (int c = 0; c < cols; c++) {
            String s = colLabels.get(c);
            g.setColor(Color.DARK_GRAY);
            g.drawString(s, x0 + c * cellW + (cellW - fm.stringWidth(s)) / 2, y0 - 6);
        }
        for (int r = 0; r < rows; r++) {
            String s = rowLabels.get(r);
            g.setColor(Color.DARK_GRAY);
            g.drawString(s, x0 - 8 - fm.stringWidth(s), y0 + r * CELL_H + CELL_H / 2 + 5);
            for (int c = 0; c < cols; c++) {
                double v = values[r][c];
                double f = Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, (v - lo) / (hi - lo == 0 ? 1 : hi - lo)));
                Color fill = Double.isNaN(v) ? new Color(225, 225, 225)
                        : new Color((float) (1 - 0.85 * f), (float) (1 - 0.75 * f), (float) (1 - 0.35 * f));
                g.setColor(fill);
                g.fillRect(x0 + c * cellW, y0 + r * CELL_H, cellW, CELL_H);
                g.setColor(new Color(200, 200, 200));
                g.drawRect(x0 + c * cellW, y0 + r * CELL_H, cellW, CELL_H);
                String t = text != null ? text[r][c] : Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
                if (t != null && !t.isEmpty()) {
                    g.setColor(f > 0.55 ? Color.WHITE : Color.BLACK);
                    g.drawString(t, x0 + c * cellW + (cellW - fm.stringWidth(t)) / 2, y0 + r * CELL_H + CELL_H / 2 + 5);
                }
            }
        }
        g.setColor(Color.GRAY);
        g.drawString(String.format(Locale.ROOT, "colour: %.2f (white) to %.2f (blue)", lo, hi), PAD, height - 8);
        g.dispose();
        Images.write(file, img, "png");
    }
}
