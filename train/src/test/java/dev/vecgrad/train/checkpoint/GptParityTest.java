package dev.vecgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.data.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with PyTorch: fixtures written by tools/pytorch/gen_gpt_fixtures.py (a nanoGPT-architecture
 * model with perturbed weights, a batch, and the float64 logits, loss and gradients). Every fixture
 * directory found is checked, so new configs need no code here.
 */
class GptParityTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/gpt");

    static Stream<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(FIXTURES)) {
            return s.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "fixture {0}")
    @MethodSource("fixtures")
    void logitsLossAndEveryGradientMatchPyTorch(Path dir) throws IOException {
        GPT model = ModelCheckpoint.load(dir.resolve("model.safetensors")).model();
        Batch batch = BatchFile.read(dir.resolve("batch.safetensors"));
        SafeTensorsFile expected = SafeTensors.read(dir.resolve("expected.safetensors"));

        Tensor logits = model.forward(batch.idx(), batch.batchSize(), batch.blockSize());
        float[] want = expected.get("logits").toFloats(), got = logits.toArray();
        double scale = 0, maxErr = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            maxErr = Math.max(maxErr, Math.abs(want[i] - got[i]));
        }
        assertTrue(maxErr <= 1e-5 * Math.max(scale, 1e-3), dir + ": logits differ by " + maxErr + " (scale " + scale + ")");

        Tensor loss = model.loss(logits, batch.targets());
        double wantLoss = expected.get("loss").toFloats()[0];
        double relLoss = Math.abs(loss.item() - wantLoss) / Math.abs(wantLoss);
        assertTrue(relLoss <= 1e-5, dir + ": loss " + loss.item() + " vs " + wantLoss + " (relative error " + relLoss + ")");

        loss.backward();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            float[] g = e.getValue().grad().toArray(), w = expected.get("grad." + e.getKey()).toFloats();
            double num = 0, den = 0;
            for (int i = 0; i < w.length; i++) {
                num += (g[i] - (double) w[i]) * (g[i] - (double) w[i]);
                den += (double) w[i] * w[i];
            }
            double rel = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
            assertTrue(rel <= 1e-4, dir + ": gradient of " + e.getKey() + " has relative L2 error " + rel);
        }
    }
}
