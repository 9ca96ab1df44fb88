package dev.vecgrad.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.checkpoint.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ten AdamW steps on a small GPT against PyTorch (tools/pytorch/gen_adamw_fixture.py): nanoGPT's
 * parameter groups, global-norm clipping at 1.0, lr 1e-3, betas 0.9/0.99.
 */
class AdamWParityTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/adamw");

    @Test
    void tenStepsMatchPyTorch() throws IOException {
        tenSteps(false);
    }

    /** The trainer's path: the norm, then clipping, update and zeroing in one pass. */
    @Test
    void tenFusedStepsMatchPyTorch() throws IOException {
        tenSteps(true);
    }

    private static void tenSteps(boolean fused) throws IOException {
        GPT model = ModelCheckpoint.load(DIR.resolve("model_init.safetensors")).model();
        SafeTensorsFile batches = SafeTensors.read(DIR.resolve("batches.safetensors"));
        SafeTensorsFile expected = SafeTensors.read(DIR.resolve("expected.safetensors"));
        GPT after = ModelCheckpoint.load(DIR.resolve("model_after.safetensors")).model();
        long[] idx = batches.get("idx").toLongs(), tgt = batches.get("targets").toLongs();
        float[] losses = expected.get("losses").toFloats(), norms = expected.get("grad_norms").toFloats();

        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) params.put(e.getKey(), e.getValue().tensor());
        AdamW opt = new AdamW(List.of(ParamGroup.decayTwoDimensional(params, 0.1f)), 1e-3f, 0.9f, 0.99f, 1e-8f);
        int b = 4, t = 8;
        for (int s = 0; s < 10; s++) {
            int[] x = new int[b * t], y = new int[b * t];
            for (int i = 0; i < b * t; i++) {
                x[i] = (int) idx[s * b * t + i];
                y[i] = (int) tgt[s * b * t + i];
            }
            Tensor loss = model.loss(model.forward(x, b, t), y);
            assertEquals(losses[s], loss.item(), 1e-5 * Math.abs(losses[s]), "loss at step " + (s + 1));
            loss.backward();
            float norm = fused ? GradClip.globalNorm(params.values()) : GradClip.clipGradNorm(params.values(), 1f);
            assertEquals(norms[s], norm, 1e-4 * norms[s], "gradient norm at step " + (s + 1));
            if (fused) {
                opt.step(GradClip.coefficient(norm, 1f), true);
            } else {
                opt.step();
                opt.zeroGrad();
            }
        }
        Map<String, Parameter> want = after.namedParameters();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            float[] got = e.getValue().toArray(), w = want.get(e.getKey()).tensor().toArray();
            double num = 0, den = 0;
            for (int i = 0; i < w.length; i++) {
                num += (got[i] - (double) w[i]) * (got[i] - (double) w[i]);
                den += (double) w[i] * w[i];
            }
            double rel = Math.sqrt(num / Math.max(den, 1e-30));
            assertTrue(rel <= 1e-4, e.getKey() + ": relative error " + rel + " after 10 steps");
        }
    }
}
