package dev.vecgrad.train.run;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmpEvalTest {
    @TempDir Path tmp;

    @Test
    void probe() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) sb.append("the quick brown fox jumps over the lazy dog. ");
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, sb.toString());
        TrainConfig cfg = new TrainConfig(1, 6, 384, 256, true, 0.2f, 2, 1, 6, 1e-3f, 1e-4f, 2, 6, 0.1f, 0.9f, 0.99f,
                1f, 4, 2, 7);
        Trainer t = new Trainer(cfg, TextTask.load(f, null));
        for (int i = 0; i < 3; i++) System.out.println("step " + t.trainStep().loss());
        GPT m = t.model();
        Batch b = t.task().valBatch(2, 256, new StepRandom(1, 1, 1));
        m.eval();
        float withGrad = m.loss(m.forward(b.idx(), 2, 256), b.targets()).item();
        float noGrad;
        try (Grad g = Grad.disabled()) {
            noGrad = m.loss(m.forward(b.idx(), 2, 256), b.targets()).item();
        }
        m.train();
        float train = m.loss(m.forward(b.idx(), 2, 256), b.targets()).item();
        System.out.println("eval+grad " + withGrad + " eval nograd " + noGrad + " train mode " + train);
    }
}
