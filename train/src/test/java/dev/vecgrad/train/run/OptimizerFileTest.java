package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.checkpoint.SafeTensor;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.checkpoint.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What optimizer.safetensors holds, and that files from before the moments had shapes still resume. */
class OptimizerFileTest {
    @TempDir Path tmp;

    private Path text() throws IOException {
        return Files.writeString(tmp.resolve("t.txt"), "to be, or not to be, that is the question. ".repeat(80));
    }

    @Test
    void momentsHaveTheirParametersShapesAndFlatOnesStillResumeBitForBit() throws IOException {
        Path data = text();
        TrainConfig eight = TrainerTest.small(8, 0f);
        Path run = tmp.resolve("run");
        new Trainer(eight.withMaxIters(4), TextTask.load(data, null)).run(run, new Trainer.Listener() {});

        SafeTensorsFile opt = SafeTensors.read(run.resolve(RunDirectory.OPTIMIZER));
        Trainer probe = new Trainer(eight, TextTask.load(data, null));
        Map<String, Parameter> params = probe.model().namedParameters();
        int shaped = 0;
        for (Map.Entry<String, Parameter> p : params.entrySet()) {
            for (String kind : new String[] {"exp_avg.", "exp_avg_sq."}) {
                SafeTensor st = opt.get(kind + p.getKey());
                assertArrayEquals(p.getValue().tensor().shape(), st.shape(), kind + p.getKey());
                if (st.shape().length > 1) shaped++;
            }
        }
        assertTrue(shaped > 0, "some parameter is a matrix");

        // The same checkpoint with every moment flattened, as earlier versions wrote it.
        Path flat = tmp.resolve("flat");
        Files.createDirectories(flat);
        for (String f : CheckpointCommitTest.FILES) Files.copy(run.resolve(f), flat.resolve(f));
        List<SafeTensor> tensors = new ArrayList<>();
        for (SafeTensor st : opt.tensors().values()) {
            tensors.add(st.name().equals("step") ? st : SafeTensor.f32(st.name(), st.toFloats(), st.numel()));
        }
        SafeTensors.write(flat.resolve(RunDirectory.OPTIMIZER), tensors, opt.metadata());

        Trainer a = new RunDirectory(run).resume(eight, TextTask.load(data, null));
        Trainer b = new RunDirectory(flat).resume(eight, TextTask.load(data, null));
        a.run(tmp.resolve("a"), new Trainer.Listener() {});
        b.run(tmp.resolve("b"), new Trainer.Listener() {});
        assertEquals(8, b.step());
        for (Map.Entry<String, Parameter> p : a.model().namedParameters().entrySet()) {
            assertArrayEquals(p.getValue().tensor().toArray(), b.model().namedParameters().get(p.getKey()).tensor().toArray(),
                    p.getKey());
        }
    }
}
