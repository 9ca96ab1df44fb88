package dev.vecgrad.train.inspect;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.ActivationCache;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.HookPoint;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Attention weights {@code [layer][head][query][key]} of a prompt: read from the model
 * ({@link #capture}), rendered as a PNG grid of heatmaps with the tokens on both axes, as a
 * shaded terminal view with the most-attended keys per query, or written as CSV.
 */
public final class AttentionMaps {
    private static final String SHADES = " ░▒▓█";
    private static final int CELL = 18, GAP = 24;

    private AttentionMaps() {}

    /**
     * The attention weights the model itself computes for {@code ids} (one sequence, no graph,
     * eval mode so no dropout), for the given layers and heads. Read from the capture point
     * {@code blocks.l.attn.hook_pattern} through an {@link ActivationCache}.
     *
     * @param model the model; it runs in eval mode and is left in the mode it was in
     * @param ids the prompt's token ids, 1 to block size of them
     * @param layers the layers to keep
     * @param heads the heads to keep (in every kept layer)
     * @return {@code w[li][hi][q][k]}: layer {@code layers[li]}, head {@code heads[hi]}, query q, key k (0 above the diagonal)
     * @throws IllegalArgumentException when ids is empty or longer than the block size, or a
     *     layer or head is out of range
     */
    public static float[][][][] capture(GPT model, int[] ids, int[] layers, int[] heads) {
        int t = ids.length, nl = model.config().nLayer(), nh = model.config().nHead();
        if (t == 0 || t > model.config().blockSize()) {
            throw new IllegalArgumentException("prompt must have 1.." + model.config().blockSize() + " tokens, got " + t);
        }
        for (int l : layers) if (l < 0 || l >= nl) throw new IllegalArgumentException("layer must be 0.." + (nl - 1) + ", got " + l);
        for (int h : heads) if (h < 0 || h >= nh) throw new IllegalArgumentException("head must be 0.." + (nh - 1) + ", got " + h);
        float[][][][] w = new float[layers.length][heads.length][t][t];
        boolean training = model.isTraining();
        model.eval();
        ActivationCache cache = new ActivationCache(n -> n.endsWith(".attn.hook_pattern"));
        try (Grad g = Grad.disabled()) {
            model.forward(ids, 1, t, cache);
        } finally {
            if (training) model.train();
        }
        for (int li = 0; li < layers.length; li++) {
            Tensor a = cache.get(HookPoint.ATTN_PATTERN, layers[li]);           // [1, nh, T, T]
            for (int hi = 0; hi < heads.length; hi++) {
                for (int q = 0; q < t; q++) for (int k = 0; k < t; k++) w[li][hi][q][k] = a.get(0, heads[hi], q, k);
            }
        }
        return w;
    }

    /**
     * Every weight as CSV text, one line per (layer, head, query, key) after the header
     * {@code layer,head,query,query_token,key,key_token,weight}; tokens quoted, quotes doubled.
     *
     * @param w the weights from {@link #capture}
     * @param layers the layers {@code w} holds, in order
     * @param heads the heads {@code w} holds, in order
     * @param tokens the prompt's pieces, one per position
     * @return the CSV text, lines ending in {@code \n}
     */
    public static String csv(float[][][][] w, int[] layers, int[] heads, List<String> tokens) {
        int t = tokens.size();
        StringBuilder sb = new StringBuilder("layer,head,query,query_token,key,key_token,weight\n");
        for (int li = 0; li < layers.length; li++) {
            for (int hi = 0; hi < heads.length; hi++) {
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        sb.append(String.format(Locale.ROOT, "%d,%d,%d,%s,%d,%s,%.6f%n", layers[li], heads[hi], q,
                                csvField(tokens.get(q)), k, csvField(tokens.get(k)), w[li][hi][q][k]));
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String csvField(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /**
     * A token as a readable label, the one form in which every command shows a single token: a
     * space is {@code ␣}, a line feed {@code ⏎}, a tab {@code ⇥}; every other character that would
     * print as nothing or move the cursor is escaped. An ASCII control character or DEL becomes
     * {@code <0xNN>} (as a byte-fallback vocabulary writes a byte, and as {@code BpeTokenizer.piece}
     * writes the bytes of a partial character); any other invisible character (C1 controls such as
     * U+0085, format characters such as zero-width spaces, BIDI controls and U+FEFF, the line and
     * paragraph separators U+2028/U+2029, spaces other than U+0020, variation selectors, lone
     * surrogates) becomes {@code <U+XXXX>}. Printed raw, a {@code \r} overwrote the terminal's line
     * and a BIDI control reordered the rest of it. A combining mark at the piece's start is shown
     * on {@code ◌} (U+25CC).
     *
     * @param piece the token's text
     * @return the label, e.g. {@code ␣the} for {@code " the"}, {@code <0x0D>} for {@code "\r"}
     */
    public static String label(String piece) {
        StringBuilder sb = new StringBuilder(piece.length() + 8);
        // A piece that starts with a combining mark (a character tokenizer's U+0301 of an e + U+0301)
        // gets U+25CC as its base, the usual way to show a mark alone: else it drew on whatever
        // came before it, a column's padding or a table's separator, and its cell looked empty.
        if (!piece.isEmpty() && combining(piece.codePointAt(0))) sb.append('◌');
        piece.codePoints().forEach(cp -> {
            switch (cp) {
                case ' ' -> sb.append('␣');
                case '\n' -> sb.append('⏎');
                case '\t' -> sb.append('⇥');
                default -> {
                    if (cp < 0x20 || cp == 0x7F) {
                        sb.append(String.format(Locale.ROOT, "<0x%02X>", cp));
                    } else if (invisible(cp)) {
                        sb.append(String.format(Locale.ROOT, "<U+%04X>", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.toString();
    }

    /** Whether a code point is a nonspacing or enclosing mark that {@link #label} keeps (not a variation selector). */
    private static boolean combining(int cp) {
        int type = Character.getType(cp);
        return (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) && !invisible(cp);
    }

    /** Whether a code point above ASCII's controls shows no glyph of its own (or a blank one). */
    private static boolean invisible(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR, Character.SURROGATE -> true;
            // Variation selectors are combining marks that only pick a glyph for the character before them.
            default -> (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
        };
    }

    /**
     * The colour of a weight: white at 0 to dark blue at 1.
     *
     * @param v the weight, clamped to [0, 1]
     * @return the colour
     */
    public static Color shade(float v) {
        float c = Math.max(0f, Math.min(1f, v));
        return new Color(1f - 0.85f * c, 1f - 0.75f * c, 1f - 0.35f * c);
    }

    /** Cells above the diagonal (keys after the query) are masked: grey with a diagonal stroke, never a weight. */
    public static final Color MASKED = new Color(225, 225, 225);

    /**
     * One heatmap per (layer, head) in a grid (layers down, heads across) under a title, with a
     * colour scale from 0 to 1 on the right; masked cells (a key after its query) are grey and struck
     * through, so they cannot be read as a weight of 0.
     *
     * @param w the weights from {@link #capture}
     * @param layers the layers {@code w} holds, for the labels
     * @param heads the heads {@code w} holds, for the labels
     * @param tokens the prompt's pieces, on both axes
     * @param title the line above the grid
     * @return the image (write it with {@code ImageIO})
     */
    public static BufferedImage image(float[][][][] w, int[] layers, int[] heads, List<String> tokens, String title) {
        int t = tokens.size();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12), bold = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        FontMetrics fm = pg.getFontMetrics(font);
        int labelW = 0;
        for (String s : tokens) labelW = Math.max(labelW, fm.stringWidth(label(s)));
        int titleW = pg.getFontMetrics(bold).stringWidth(title);
        pg.dispose();
        int margin = labelW + 10, mapTitle = 22, header = 40, scaleW = 70;
        int mapW = margin + t * CELL, mapH = mapTitle + margin + t * CELL;
        int gridW = heads.length * mapW + (heads.length + 1) * GAP;
        int width = Math.max(gridW + scaleW, titleW + 2 * GAP);
        int height = header + layers.length * mapH + (layers.length + 1) * GAP;
        height = Math.max(height, header + 2 * GAP + 160);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(bold);
        g.setColor(Color.BLACK);
        g.drawString(title, GAP, 26);
        g.setFont(font);
        for (int li = 0; li < layers.length; li++) {
            for (int hi = 0; hi < heads.length; hi++) {
                int x0 = GAP + hi * (mapW + GAP), y0 = header + GAP + li * (mapH + GAP);
                g.setColor(Color.BLACK);
                g.drawString("layer " + layers[li] + ", head " + heads[hi], x0 + margin, y0 + 14);
                int gx = x0 + margin, gy = y0 + mapTitle + margin;
                float[][] m = w[li][hi];
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        int cx = gx + k * CELL, cy = gy + q * CELL;
                        if (k > q) {
                            g.setColor(MASKED);
                            g.fillRect(cx, cy, CELL, CELL);
                            g.setColor(new Color(190, 190, 190));
                            g.drawLine(cx + 3, cy + CELL - 4, cx + CELL - 4, cy + 3);
                        } else {
                            g.setColor(shade(m[q][k]));
                            g.fillRect(cx, cy, CELL, CELL);
                        }
                    }
                }
                g.setColor(new Color(200, 200, 200));
                g.drawRect(gx, gy, t * CELL, t * CELL);
                g.setColor(Color.DARK_GRAY);
                for (int i = 0; i < t; i++) {
                    String s = label(tokens.get(i));
                    // query labels to the left of each row
                    g.drawString(s, gx - 5 - fm.stringWidth(s), gy + i * CELL + CELL - 5);
                    // key labels above each column, rotated
                    AffineTransform saved = g.getTransform();
                    g.translate(gx + i * CELL + CELL - 5, gy - 5);
                    g.rotate(-Math.PI / 2);
                    g.drawString(s, 0, 0);
                    g.setTransform(saved);
                }
            }
        }
        // the colour scale: 0 at the bottom, 1 at the top, and the masked swatch below it
        int sx = width - scaleW + 10, sy = header + GAP + 10, sh = 120;
        for (int y = 0; y < sh; y++) {
            g.setColor(shade(1f - (float) y / (sh - 1)));
            g.fillRect(sx, sy + y, 14, 1);
        }
        g.setColor(Color.GRAY);
        g.drawRect(sx - 1, sy - 1, 15, sh + 1);
        g.setColor(Color.DARK_GRAY);
        g.drawString("1", sx + 19, sy + fm.getAscent() - 2);
        g.drawString("0.5", sx + 19, sy + sh / 2 + fm.getAscent() / 2 - 1);
        g.drawString("0", sx + 19, sy + sh);
        g.setColor(MASKED);
        g.fillRect(sx, sy + sh + 12, 14, 14);
        g.setColor(new Color(190, 190, 190));
        g.drawLine(sx + 3, sy + sh + 12 + 10, sx + 10, sy + sh + 12 + 3);
        g.setColor(Color.DARK_GRAY);
        g.drawString("masked", sx - 4, sy + sh + 12 + 14 + fm.getAscent() + 2);
        g.dispose();
        return img;
    }

    /**
     * Prints one head's weights as shaded cells, one character per weight ({@code ·} where the
     * causal mask hides a key), and each query's three most-attended keys.
     *
     * @param out where to print
     * @param m the weights {@code [query][key]}
     * @param layer the layer, for the heading
     * @param head the head, for the heading
     * @param tokens the prompt's pieces
     */
    public static void terminal(PrintWriter out, float[][] m, int layer, int head, List<String> tokens) {
        int t = tokens.size();
        int w = 0;
        // Terminal columns, not chars: a wide piece (日本, 🙂) takes two a character, a combining mark none.
        for (String s : tokens) w = Math.max(w, TerminalWidth.of(label(s)));
        out.printf("layer %d, head %d (rows: query, columns: key; %s = 0..1)%n", layer, head, SHADES.substring(1));
        for (int q = 0; q < t; q++) {
            StringBuilder row = new StringBuilder(TerminalWidth.padLeft(label(tokens.get(q)), w) + " |");
            for (int k = 0; k < t; k++) {
                float v = m[q][k];
                char c = k > q ? '·' : SHADES.charAt(Math.min(SHADES.length() - 1, Math.round(v * (SHADES.length() - 1))));
                row.append(c).append(c);
            }
            row.append("|  ");
            int[] top = topK(m[q], q + 1, 3);
            for (int i = 0; i < top.length; i++) {
                if (i > 0) row.append(", ");
                row.append(String.format(Locale.ROOT, "%s@%d %.2f", label(tokens.get(top[i])), top[i], m[q][top[i]]));
            }
            out.println(row);
        }
        out.println();
    }

    /**
     * The indices of the k largest of the first n values, largest first (the earlier index first on ties).
     *
     * @param v the values
     * @param n how many of them to consider
     * @param k how many indices to return (fewer when {@code n < k})
     * @return the indices
     */
    public static int[] topK(float[] v, int n, int k) {
        int m = Math.min(k, n);
        int[] idx = new int[m];
        boolean[] used = new boolean[n];
        for (int i = 0; i < m; i++) {
            int best = -1;
            for (int j = 0; j < n; j++) if (!used[j] && (best < 0 || v[j] > v[best])) best = j;
            used[best] = true;
            idx[i] = best;
        }
        return idx;
    }
}
