package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttentionMapsTest {
    private final GPT model = new GPT(new GPTConfig(2, 2, 16, 8, 10, true, 0f), 5);
    private final int[] ids = {1, 4, 2, 7, 3};

    @Test
    void capturedWeightsAreCausalDistributions() {
        float[][][][] w = AttentionMaps.capture(model, ids, new int[] {1, 0}, new int[] {1});
        assertEquals(2, w.length);
        assertEquals(1, w[0].length);
        for (float[][][] layer : w) {
            float[][] m = layer[0];
            for (int q = 0; q < ids.length; q++) {
                double sum = 0;
                for (int k = 0; k < ids.length; k++) {
                    if (k > q) assertEquals(0f, m[q][k], "query " + q + " sees the later key " + k);
                    sum += m[q][k];
                }
                assertEquals(1.0, sum, 1e-5, "row " + q);
            }
        }
        // The first query can only look at itself.
        assertEquals(1f, w[0][0][0][0], 1e-6f);
        // Layers come back in the order asked for: layer 0 here equals a capture of layer 0 alone.
        float[][][][] only0 = AttentionMaps.capture(model, ids, new int[] {0}, new int[] {1});
        assertEquals(only0[0][0][3][2], w[1][0][3][2]);
    }

    @Test
    void outOfRangeInputsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> AttentionMaps.capture(model, ids, new int[] {2}, new int[] {0}));
        assertEquals("layer must be 0..1, got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttentionMaps.capture(model, ids, new int[] {0}, new int[] {-1}));
        assertEquals("head must be 0..1, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttentionMaps.capture(model, new int[9], new int[] {0}, new int[] {0}));
        assertEquals("prompt must have 1..8 tokens, got 9", e.getMessage());
    }

    @Test
    void csvImageAndTerminalShowEveryWeight() {
        List<String> tokens = List.of("a", " ", "\"", "\n", "b");
        int[] layers = {0, 1}, heads = {0, 1};
        float[][][][] w = AttentionMaps.capture(model, ids, layers, heads);
        String text = AttentionMaps.csv(w, layers, heads, tokens);
        assertTrue(text.startsWith("layer,head,query,query_token,key,key_token,weight\n"), text.substring(0, 80));
        // one line per (layer, head, query, key); the quote doubled, the line break kept inside quotes
        assertTrue(text.contains("0,1,2,\"\"\"\",0,\"a\","), text.substring(0, 300));
        assertEquals(1 + 2 * 2 * 5 * 5, text.split("\n(?=[0-9])").length);

        BufferedImage img = AttentionMaps.image(w, layers, heads, tokens, "attention of 'a \"\\nb'");
        assertTrue(img.getWidth() > 2 * 5 * 18 && img.getHeight() > 2 * 5 * 18, img.getWidth() + "x" + img.getHeight());
        // Query 0 can only attend to itself (weight exactly 1): one full-strength 18 x 18 cell per map.
        int full = new java.awt.Color(1f - 0.85f, 1f - 0.75f, 1f - 0.35f).getRGB(), cells = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if (img.getRGB(x, y) == full) cells++;
        assertTrue(cells >= 4 * 17 * 17, cells + " full-strength pixels for 4 maps");
        // The 10 cells above each map's diagonal are drawn masked, unlike a weight of 0 (white).
        int masked = AttentionMaps.MASKED.getRGB(), maskedPixels = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if (img.getRGB(x, y) == masked) maskedPixels++;
        assertTrue(maskedPixels >= 4 * 10 * 15 * 15, maskedPixels + " masked pixels for 4 maps of 10 masked cells");
        // The colour scale runs from white to the full colour in a column of its own, right of the maps.
        int scaleX = -1;
        for (int x = img.getWidth() - 1; x > img.getWidth() - 80 && scaleX < 0; x--) {
            for (int y = 0; y < img.getHeight(); y++) if (img.getRGB(x, y) == full) scaleX = x;
        }
        assertTrue(scaleX > 0, "no colour scale");

        StringWriter sw = new StringWriter();
        AttentionMaps.terminal(new PrintWriter(sw, true), w[0][0], 0, 0, tokens);
        List<String> rows = sw.toString().lines().toList();
        assertEquals("layer 0, head 0 (rows: query, columns: key; ░▒▓█ = 0..1)", rows.get(0));
        assertEquals(1 + 5, rows.stream().filter(r -> !r.isEmpty()).count());
        assertTrue(rows.get(1).contains("a@0 1.00"), rows.get(1));
    }

    @Test
    void topKIsLargestFirstAmongTheFirstN() {
        float[] v = {0.1f, 0.5f, 0.2f, 0.9f};
        assertEquals(List.of(1, 2), java.util.Arrays.stream(AttentionMaps.topK(v, 3, 2)).boxed().toList());
        assertEquals(List.of(3, 1, 2, 0), java.util.Arrays.stream(AttentionMaps.topK(v, 4, 9)).boxed().toList());
    }

    @Test
    void captureLeavesTheModelInTheModeItWasIn() {
        GPT model = new GPT(GPTConfig.tiny(), 1L);
        AttentionMaps.capture(model, new int[] {1, 2, 3}, new int[] {0}, new int[] {0});
        assertTrue(model.isTraining());
        model.eval();
        AttentionMaps.capture(model, new int[] {1, 2, 3}, new int[] {0}, new int[] {0});
        assertTrue(!model.isTraining());
    }
}
