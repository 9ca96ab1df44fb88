package dev.vecgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
