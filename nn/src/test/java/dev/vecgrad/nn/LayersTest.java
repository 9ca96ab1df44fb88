package dev.vecgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LayersTest {

    @Test
    void linearComputesXWTransposePlusB() {
        Linear l = new Linear(3, 2, true);
        l.weight().tensor().storage()[0] = 1;   // w = [[1,0,2],[0,3,0]]
        l.weight().tensor().storage()[2] = 2;
        l.weight().tensor().storage()[4] = 3;
        l.bias().tensor().storage()[1] = 0.5f;
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Tensor y = l.forward(x);
        assertArrayEquals(new int[] {1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {7, 6.5f, 16, 15.5f}, y.toArray(), 1e-6f);
        var e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 4)));
        assertEquals("linear: input [2, 4] does not fit weight [2, 3] (expected last dimension 3)", e.getMessage());
    }

    @Test
    void embeddingLooksUpRows() {
        Embedding emb = new Embedding(4, 2);
        float[] w = emb.weight().tensor().storage();
        for (int i = 0; i < w.length; i++) w[i] = i;
        Tensor y = emb.forward(new int[] {3, 0, 1, 3}, 2, 2);
        assertArrayEquals(new int[] {2, 2, 2}, y.shape());
        assertArrayEquals(new float[] {6, 7, 0, 1, 2, 3, 6, 7}, y.toArray());
    }

    @Test
    void layerNormNormalisesTheLastDimension() {
        LayerNorm ln = new LayerNorm(4, false);
        Tensor y = ln.forward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4));
        float[] v = y.toArray();
        assertEquals(0f, v[0] + v[1] + v[2] + v[3], 1e-5f);
        assertEquals(-1.3416f, v[0], 1e-3f);
        assertEquals(1, ln.namedParameters().size());
    }

    @Test
    void dropoutIsActiveOnlyInTraining() {
        Dropout d = new Dropout(0.5f, new SplittableRandom(1));
        Tensor x = Tensor.ones(1000);
        float[] a = d.forward(x).toArray();
        int zeros = 0;
        for (float f : a) {
            if (f == 0f) zeros++;
            else assertEquals(2f, f);
        }
        assertNotEquals(0, zeros);
        d.eval();
        assertArrayEquals(x.toArray(), d.forward(x).toArray());
    }

    @Test
    void randomConstructorsStartAsPyTorchsLayersDo() {
        // torch.nn.Linear: weight and bias uniform in [-1/sqrt(in), 1/sqrt(in)); its variance is bound^2 / 3.
        int in = 64, out = 256;
        Linear l = new Linear(in, out, true, new SplittableRandom(7));
        double bound = 1 / Math.sqrt(in);
        for (Parameter p : new Parameter[] {l.weight(), l.bias()}) {
            String name = p == l.weight() ? "weight" : "bias";
            float[] w = p.tensor().toArray();
            double sum = 0, sq = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (float f : w) {
                sum += f;
                sq += (double) f * f;
                min = Math.min(min, f);
                max = Math.max(max, f);
            }
            double mean = sum / w.length, var = sq / w.length - mean * mean;
            assertTrue(min >= -bound && max < bound, name + ": [" + min + ", " + max + "] outside +-" + bound);
            // Spread over the range: a few thousand draws land near both ends.
            assertTrue(min < -0.8 * bound && max > 0.8 * bound || w.length < 1000, name + " covers [" + min + ", " + max + "]");
            assertEquals(0, mean, 4 * bound / Math.sqrt(3 * w.length), name + " mean");
            if (w.length >= 1000) assertEquals(bound * bound / 3, var, 0.05 * bound * bound / 3, name + " variance");
        }
        // The same seed gives the same layer; a layer without bias draws only its weight.
        assertArrayEquals(l.weight().tensor().toArray(), new Linear(in, out, true, new SplittableRandom(7)).weight().tensor().toArray());
        assertArrayEquals(l.weight().tensor().toArray(), new Linear(in, out, false, new SplittableRandom(7)).weight().tensor().toArray());

        // torch.nn.Embedding: normal(0, 1).
        Embedding e = new Embedding(300, 40, new SplittableRandom(3));
        float[] t = e.weight().tensor().toArray();
        double sum = 0, sq = 0;
        for (float f : t) {
            sum += f;
            sq += (double) f * f;
        }
        assertEquals(0, sum / t.length, 0.02);
        assertEquals(1, Math.sqrt(sq / t.length), 0.02);
    }

    @Test
    void uniformRefusesEmptyOrInfiniteRanges() {
        Parameter p = Parameter.zeros(3);
        var r = new SplittableRandom(1);
        for (double[] b : new double[][] {{1, 1}, {2, 1}, {Double.NaN, 1}, {0, Double.POSITIVE_INFINITY}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Init.uniform(p, b[0], b[1], r));
            assertTrue(e.getMessage().startsWith("Init.uniform: expected finite bounds with low < high, got ["), e.getMessage());
        }
        assertArrayEquals(new float[3], p.tensor().toArray());
    }
}
