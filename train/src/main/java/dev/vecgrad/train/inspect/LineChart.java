package dev.vecgrad.train.inspect;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart drawn with Java2D: round tick steps (1, 2 or 5 times a power of ten) spaced
 * so that no two labels touch, a logarithmic y-axis when the values span more than a decade,
 * series as lines and/or markers, a legend and a title. Used for {@code loss.png} and
 * {@code vecgrad runs --compare}.
 */
public final class LineChart {
    /**
     * One curve.
     *
     * @param name its name in the legend
     * @param color its colour
     * @param markers whether each point gets a marker (for sparse series such as evaluations)
     * @param lineWidth the line's width in pixels; 0 draws no line (markers only)
     * @param x the points' x values
     * @param y the points' y values, as many as x
     */
    public record Series(String name, Color color, boolean markers, float lineWidth, double[] x, double[] y) {
        /**
         * Checks that there are as many y values as x values.
         *
         * @throws IllegalArgumentException naming the series when the lengths differ
         */
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series " + name + ": " + x.length + " x but " + y.length + " y");
        }
    }

    private final String title, xTitle, yTitle;
    private final List<Series> series = new ArrayList<>();

    /**
     * An empty chart.
     *
     * @param title the line above the plot
     * @param xTitle the x-axis title
     * @param yTitle the y-axis title
     */
    public LineChart(String title, String xTitle, String yTitle) {
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
    }

    /**
     * Adds a curve; points whose y is not finite (or not positive on a log axis) are skipped when drawing.
     *
     * @param s the curve
     * @return this chart, for chaining
     */
    public LineChart add(Series s) {
        series.add(s);
        return this;
    }

    /** {@return whether no series has a point to draw} */
    public boolean isEmpty() {
        return series.stream().allMatch(s -> s.x().length == 0);
    }

    /**
     * {@return whether the y-axis should be logarithmic} That is when every value is positive and the
     * largest more than 10 times the smallest (a loss that falls from 2.5 to 0.001 would otherwise lie
     * flat at 0 for most of the run).
     */
    public boolean logY() {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Series s : series) {
            for (double v : s.y()) {
                if (!Double.isFinite(v)) continue;
                if (v <= 0) return false;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return hi > 0 && hi / lo > 10;
    }

    /**
     * Round tick values covering [lo, hi]: a step of 1, 2 or 5 times a power of ten, the smallest
     * such step that gives at most {@code maxTicks} ticks.
     *
     * @param lo the axis' low end
     * @param hi the axis' high end
     * @param maxTicks the most ticks that fit without labels touching
     * @return the tick values, ascending
     */
    public static double[] ticks(double lo, double hi, int maxTicks) {
        if (!(hi > lo)) return new double[] {lo};
        int n = Math.max(2, maxTicks);
        double raw = (hi - lo) / (n - 1);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            step = m * mag;
            if ((Math.floor(hi / step) - Math.ceil(lo / step)) + 1 <= n) break;
        }
        List<Double> t = new ArrayList<>();
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) t.add(k * step);
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Ticks for a logarithmic axis: the powers of ten in [lo, hi], with 2 and 5 between them when there are few.
     *
     * @param lo the axis' low end ({@code > 0})
     * @param hi the axis' high end
     * @return the tick values, ascending
     */
    public static double[] logTicks(double lo, double hi) {
        int a = (int) Math.floor(Math.log10(lo)), b = (int) Math.ceil(Math.log10(hi));
        List<Double> t = new ArrayList<>();
        double[] mult = b - a <= 2 ? new double[] {1, 2, 5} : new double[] {1};
        for (int e = a; e <= b; e++) {
            for (double m : mult) {
                double v = m * Math.pow(10, e);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.add(v);
            }
        }
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A tick label: integers with thousands separators, otherwise as few digits as the step needs. */
    static String label(double v, double step) {
        if (step >= 1 && Math.abs(v - Math.rint(v)) < 1e-9) return String.format(Locale.ROOT, "%,d", (long) Math.rint(v));
        if (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return String.format(Locale.ROOT, "%.0e", v);
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /**
     * Renders the chart (headless: no display is needed).
     *
     * @param width the image width in pixels
     * @param height the image height in pixels
     * @return the image
     */
    public BufferedImage render(int width, int height) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12), bold = new Font(Font.SANS_SERIF, Font.BOLD, 15);
        boolean log = logY();
        double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY, ylo = Double.POSITIVE_INFINITY, yhi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!usable(s.y()[i], log) || !Double.isFinite(s.x()[i])) continue;
                xlo = Math.min(xlo, s.x()[i]);
                xhi = Math.max(xhi, s.x()[i]);
                ylo = Math.min(ylo, s.y()[i]);
                yhi = Math.max(yhi, s.y()[i]);
            }
        }
        if (xlo > xhi) {
            xlo = 0;
            xhi = 1;
            ylo = log ? 0.1 : 0;
            yhi = 1;
        }
        if (xhi == xlo) xhi = xlo + 1;
        if (yhi == ylo) {
            yhi = log ? ylo * 2 : ylo + 1;
            ylo = log ? ylo / 2 : ylo - 1;
        }
        if (log) {   // out to the nearest 1, 2 or 5 times a power of ten, so that ticks frame the curve
            ylo = roundLog(ylo, false);
            yhi = roundLog(yhi, true);
        } else {   // a little room above and below, and 0 at the bottom when it is close
            double pad = (yhi - ylo) * 0.05;
            ylo = ylo >= 0 && ylo - pad < 0 ? 0 : ylo - pad;
            yhi += pad;
        }
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        double[] yt = log ? logTicks(ylo, yhi) : ticks(ylo, yhi, Math.max(2, (height - 120) / (fm.getHeight() * 3)));
        if (log && yt.length < 2) yt = new double[] {ylo, yhi};
        double yStep = yt.length > 1 ? Math.abs(yt[1] - yt[0]) : 1;
        int yLabelW = 0;
        for (double v : yt) yLabelW = Math.max(yLabelW, fm.stringWidth(log ? logLabel(v) : label(v, yStep)));
        int left = 30 + yLabelW + 12, right = width - 20, top = 50, bottom = height - 55;
        int plotW = right - left, plotH = bottom - top;
        // x ticks: as many as fit with a gap of two label widths between them
        int widest = Math.max(fm.stringWidth(label(xhi, 1)), fm.stringWidth(label(xlo, 1)));
        double[] xt = ticks(xlo, xhi, Math.max(2, plotW / (widest * 2 + 20)));
        double xStep = xt.length > 1 ? xt[1] - xt[0] : 1;
        double fx0 = xlo, fx1 = xhi, fy0 = log ? Math.log10(ylo) : ylo, fy1 = log ? Math.log10(yhi) : yhi;
        java.util.function.DoubleUnaryOperator px = x -> left + (x - fx0) / (fx1 - fx0) * plotW;
        boolean logF = log;
        java.util.function.DoubleUnaryOperator py = y -> bottom - ((logF ? Math.log10(y) : y) - fy0) / (fy1 - fy0) * plotH;

        g.setColor(new Color(235, 235, 235));
        for (double v : yt) g.drawLine(left, (int) py.applyAsDouble(v), right, (int) py.applyAsDouble(v));
        for (double v : xt) g.drawLine((int) px.applyAsDouble(v), top, (int) px.applyAsDouble(v), bottom);
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, plotW, plotH);
        for (double v : yt) {
            String s = log ? logLabel(v) : label(v, yStep);
            int y = (int) py.applyAsDouble(v);
            g.drawString(s, left - 6 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        for (double v : xt) {
            String s = label(v, xStep);
            int x = (int) px.applyAsDouble(v);
            g.drawString(s, x - fm.stringWidth(s) / 2, bottom + fm.getAscent() + 6);
        }
        g.drawString(xTitle, left + (plotW - fm.stringWidth(xTitle)) / 2, height - 12);
        String yt2 = yTitle + (log ? " (log scale)" : "");
        AffineTransform saved = g.getTransform();
        g.translate(16, top + (plotH + fm.stringWidth(yt2)) / 2.0);
        g.rotate(-Math.PI / 2);
        g.drawString(yt2, 0, 0);
        g.setTransform(saved);
        g.setFont(bold);
        g.setColor(Color.BLACK);
        g.drawString(title, left + (plotW - g.getFontMetrics().stringWidth(title)) / 2, 30);
        g.setFont(font);

        g.clipRect(left, top, plotW + 1, plotH + 1);
        Stroke plain = g.getStroke();
        for (Series s : series) {
            g.setColor(s.color());
            if (s.lineWidth() > 0) {
                g.setStroke(new BasicStroke(s.lineWidth(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                Path2D.Double path = new Path2D.Double();
                boolean open = false;
                for (int i = 0; i < s.x().length; i++) {
                    if (!usable(s.y()[i], log)) {
                        open = false;
                        continue;
                    }
                    double x = px.applyAsDouble(s.x()[i]), y = py.applyAsDouble(s.y()[i]);
                    if (open) path.lineTo(x, y); else path.moveTo(x, y);
                    open = true;
                }
                g.draw(path);
            }
            if (s.markers()) {
                g.setStroke(plain);
                for (int i = 0; i < s.x().length; i++) {
                    if (!usable(s.y()[i], log)) continue;
                    int x = (int) Math.round(px.applyAsDouble(s.x()[i])), y = (int) Math.round(py.applyAsDouble(s.y()[i]));
                    g.fillOval(x - 3, y - 3, 7, 7);
                }
            }
        }
        g.setClip(null);
        g.setStroke(plain);
        // legend, top right inside the plot
        int lw = 0;
        for (Series s : series) lw = Math.max(lw, fm.stringWidth(s.name()));
        int lx = right - lw - 50, ly = top + 10, lh = fm.getHeight() + 4;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(lx - 8, ly - 4, lw + 50, series.size() * lh + 8);
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(lx - 8, ly - 4, lw + 50, series.size() * lh + 8);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int y = ly + i * lh + lh / 2;
            g.setColor(s.color());
            if (s.lineWidth() > 0) {
                g.setStroke(new BasicStroke(Math.max(1.5f, s.lineWidth())));
                g.drawLine(lx, y, lx + 28, y);
                g.setStroke(plain);
            }
            if (s.markers()) g.fillOval(lx + 11, y - 3, 7, 7);
            g.setColor(Color.DARK_GRAY);
            g.drawString(s.name(), lx + 36, y + fm.getAscent() / 2 - 1);
        }
        g.dispose();
        return img;
    }

    /** The nearest value of the form {1, 2, 5} x 10^k at or below (or above, with {@code up}) {@code v > 0}. */
    static double roundLog(double v, boolean up) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        double[] steps = {1, 2, 5, 10};
        if (up) {
            for (double m : steps) if (m * mag >= v * (1 - 1e-12)) return m * mag;
            return 10 * mag;
        }
        for (int i = steps.length - 1; i >= 0; i--) if (steps[i] * mag <= v * (1 + 1e-12)) return steps[i] * mag;
        return mag;
    }

    private static boolean usable(double y, boolean log) {
        return Double.isFinite(y) && (!log || y > 0);
    }

    private static String logLabel(double v) {
        if (v >= 0.01 && v < 1e5) {
            String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
            return s;
        }
        return String.format(Locale.ROOT, "%.0e", v).replace("e-0", "e-").replace("e+0", "e");
    }
}
