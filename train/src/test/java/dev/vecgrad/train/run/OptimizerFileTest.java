package dev.vecgrad.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import dev.vecgrad.train.checkpoint.SafeTensor;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.checkpoint.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What optimizer.safetensors holds, that files from before the moments had shapes still resume,
 * and that a damaged model or optimizer file stops a resume with one error naming it.
 */
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

    /** A copy of {@code run} whose optimizer file holds {@code edit} of its tensors. */
    private Path withOptimizer(Path run, String name, UnaryOperator<SafeTensor> edit) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve(name));
        for (String f : CheckpointCommitTest.FILES) Files.copy(run.resolve(f), copy.resolve(f));
        SafeTensorsFile opt = SafeTensors.read(run.resolve(RunDirectory.OPTIMIZER));
        List<SafeTensor> tensors = new ArrayList<>();
        for (SafeTensor st : opt.tensors().values()) {
            SafeTensor own = st.name().equals("step") ? SafeTensor.i64("step", st.toLongs(), st.shape())
                    : SafeTensor.f32(st.name(), st.toFloats(), st.shape());   // copies: the source file stays unmapped
            tensors.add(edit.apply(own));
        }
        SafeTensors.write(copy.resolve(RunDirectory.OPTIMIZER), tensors, opt.metadata());
        return copy;
    }

    private void resumeFails(Path run, Path data, String file, String words) {
        var e = assertThrows(CheckpointFormatException.class, () -> new RunDirectory(run).resume(null, TextTask.load(data, null)));
        assertTrue(e.getMessage().startsWith(run.resolve(file) + ": ") && e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void damagedCheckpointFilesAreNamedOnResume() throws IOException {
        Path data = text();
        Path run = tmp.resolve("run");
        new Trainer(TrainerTest.small(2, 0f), TextTask.load(data, null)).run(run, new Trainer.Listener() {});
        String opt = RunDirectory.OPTIMIZER;
        // The step count: one integer >= 0 (an empty tensor used to escape as ArrayIndexOutOfBounds).
        resumeFails(withOptimizer(run, "empty-step", t -> t.name().equals("step") ? SafeTensor.i64("step", new long[0], 0) : t),
                data, opt, "tensor 'step' must hold one integer >= 0");
        resumeFails(withOptimizer(run, "float-step", t -> t.name().equals("step") ? SafeTensor.f32("step", new float[] {2}, 1) : t),
                data, opt, "got F32 [1]");
        resumeFails(withOptimizer(run, "negative-step", t -> t.name().equals("step") ? SafeTensor.i64("step", new long[] {-5}, 1) : t),
                data, opt, "= -5");
        resumeFails(withOptimizer(run, "int-moment", t -> t.name().startsWith("exp_avg.")
                ? SafeTensor.i32(t.name(), new int[t.numel()], t.shape()) : t), data, opt, "is I32, expected F32");

        // A model file whose own config describes another model than state.json's.
        Path other = Files.createDirectories(tmp.resolve("other-model"));
        for (String f : CheckpointCommitTest.FILES) Files.copy(run.resolve(f), other.resolve(f));
        Trainer wider = new Trainer(TrainerTest.small(2, 0f).toBuilder().nEmbd(32).build(), TextTask.load(data, null));
        dev.vecgrad.train.checkpoint.ModelCheckpoint.save(other.resolve("model.safetensors"), wider.model(), wider.task().tokenizer(),
                Map.of("step", "2"));
        resumeFails(other, data, "model.safetensors", "does not fit the run's config in state.json");
    }
}
