package dev.vecgrad.train.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplingTest {

    /** An empty row used to give id 0, and NaN logits some fixed id, both silently. */
    @Test
    void anEmptyRowOrANaNLogitIsRefused() {
        float[] row = {0.5f, Float.NaN, 1f};
        for (TokenPicker p : new TokenPicker[] {new TokenPicker(0f, 0, null), new TokenPicker(1f, 2, new SplittableRandom(1))}) {
            var nan = assertThrows(IllegalArgumentException.class, () -> p.pick(row, 0, 3));
            assertTrue(nan.getMessage().contains("logit 1 of 3 is NaN"), nan.getMessage());
            assertThrows(IllegalArgumentException.class, () -> p.pick(row, 0, 0));
            assertEquals(0, p.pick(row, 0, 1), "a row that stops before the NaN is fine");
        }
    }

    @Test
    void greedyGenerationEqualsArgmaxOfTheFullContextAtEveryStep() {
        GPT model = new GPT(new GPTConfig(2, 2, 8, 6, 7, true, 0f), 5);
        int[] out = Generator.generate(model, new int[] {1, 2}, 9, new TokenPicker(0f, 0, new SplittableRandom(1)), null);
        // Re-derive each token without the cache (sliding window past the block size).
        for (int len = 2; len < out.length; len++) {
            int from = Math.max(0, len - 6);
            float[] logits;
            try (Grad g = Grad.disabled()) {
                logits = model.forward(Arrays.copyOfRange(out, from, len), 1, len - from).toArray();
            }
            assertEquals(TokenPicker.argmax(logits, (len - from - 1) * 7, 7), out[len], "token " + len);
        }
    }

    @Test
    void topKNeverPicksOutsideTheTopK() {
        float[] logits = {5f, 4f, 3f, -1f, -2f};
        TokenPicker p = new TokenPicker(1.5f, 2, new SplittableRandom(3));
        int[] counts = new int[5];
        for (int i = 0; i < 2000; i++) counts[p.pick(logits, 0, 5)]++;
        assertEquals(0, counts[2] + counts[3] + counts[4]);
        assertTrue(counts[0] > counts[1] && counts[1] > 0);
    }

    @Test
    void temperatureSamplingIsSeeded() {
        GPT model = new GPT(new GPTConfig(1, 1, 8, 8, 5, true, 0f), 2);
        int[] a = Generator.generate(model, new int[] {0}, 12, new TokenPicker(1f, 0, new SplittableRandom(4)), null);
        int[] b = Generator.generate(model, new int[] {0}, 12, new TokenPicker(1f, 0, new SplittableRandom(4)), null);
        assertArrayEquals(a, b);
        assertThrows(IllegalArgumentException.class, () -> new TokenPicker(-1f, 0, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> new TokenPicker(1f, -3, new SplittableRandom(1)));
    }

    @Test
    void generationLeavesTheModelInTheModeItWasIn() {
        GPT model = new GPT(new GPTConfig(1, 1, 8, 4, 5, true, 0.5f), 2);   // dropout 0.5: eval matters
        TokenPicker greedy = new TokenPicker(0f, 0, null);
        int[] inTraining = Generator.generate(model, new int[] {0}, 9, greedy, null);   // past the block size too
        assertTrue(model.isTraining(), "a sample taken inside a training loop switched dropout off");
        model.eval();
        assertArrayEquals(Generator.generate(model, new int[] {0}, 9, greedy, null), inTraining);   // ran without dropout
        assertFalse(model.isTraining());
    }

    @Test
    void samplingWithoutAGeneratorIsRefusedAtOnceAndGreedyNeedsNone() {
        String msg = assertThrows(IllegalArgumentException.class, () -> new TokenPicker(0.8f, 0, null)).getMessage();
        assertEquals("temperature 0.8 samples at random and needs a generator; pass one (e.g. new SplittableRandom(seed)),"
                + " or temperature 0 for greedy decoding", msg);
        GPT model = new GPT(new GPTConfig(1, 1, 8, 8, 5, true, 0f), 2);
        int[] greedy = Generator.generate(model, new int[] {0}, 4, new TokenPicker(0f, 0, null), null);
        assertArrayEquals(Generator.generate(model, new int[] {0}, 4, new TokenPicker(0f, 0, new SplittableRandom(1)), null), greedy);
    }
}
