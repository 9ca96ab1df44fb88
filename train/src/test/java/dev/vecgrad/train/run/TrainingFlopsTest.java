package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import org.junit.jupiter.api.Test;

class TrainingFlopsTest {
    @Test
    void matmulParametersAreTheModelsWithoutThePositionEmbedding() {
        for (GPTConfig c : new GPTConfig[] {new GPTConfig(4, 4, 128, 64, 65, true, 0f), new GPTConfig(2, 2, 32, 16, 11, false, 0f),
            new GPTConfig(6, 6, 384, 256, 65, true, 0.2f)}) {
            GPT m = new GPT(c, 1);
            assertEquals(m.numParameters() - (long) c.blockSize() * c.nEmbd(), TrainingFlops.matmulParameters(c), c.toString());
        }
    }

    @Test
    void perTokenIsSixNPlusTwelveLayersContextWidth() {
        GPTConfig c = new GPTConfig(6, 6, 384, 256, 65, true, 0.2f);
        long n = TrainingFlops.matmulParameters(c);
        assertEquals(6.0 * n + 12.0 * 6 * 256 * 384, TrainingFlops.perToken(c, 256));
        // nanoGPT's baby GPT: ~10.7M parameters, so ~65 MFLOP per token plus attention's ~7 MFLOP.
        assertTrue(TrainingFlops.perToken(c, 256) > 70e6 && TrainingFlops.perToken(c, 256) < 72e6);
        // 1000 tokens/s of that against a 72 GFLOP/s peak is 1000 * perToken / 72e9.
        assertEquals(1000 * TrainingFlops.perToken(c, 256) / 72e9, TrainingFlops.utilization(c, 256, 1000, 72), 1e-12);
        assertTrue(Double.isNaN(TrainingFlops.utilization(c, 256, 1000, Double.NaN)));
        assertTrue(Double.isNaN(TrainingFlops.utilization(c, 256, Double.NaN, 72)));
    }
}
