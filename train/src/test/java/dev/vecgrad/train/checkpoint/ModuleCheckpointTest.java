package dev.vecgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.Linear;
import dev.vecgrad.nn.Module;
import dev.vecgrad.nn.Parameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any module's parameters to a safetensors file and back, and every way a file can fail to fit. */
class ModuleCheckpointTest {
    @TempDir
    Path tmp;

    /** A user's own module: two layers, as in the XOR demo, with random weights from a seed. */
    static final class Mlp extends Module {
        Mlp(int hidden, long seed) {
            registerModule("hidden", new Linear(2, hidden, true));
            registerModule("out", new Linear(hidden, 1, true));
            SplittableRandom r = new SplittableRandom(seed);
            for (Parameter p : namedParameters().values()) {
                float[] v = p.tensor().storage();
                for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            }
        }
    }

    /** The hidden layer alone: the MLP's file has a tensor too many for it, and it lacks none. */
    static final class HiddenOnly extends Module {
        HiddenOnly() {
            registerModule("hidden", new Linear(2, 8, true));
        }
    }

    /** One parameter of three values, for files written by hand. */
    static final class Vec3 extends Module {
        final Parameter v = registerParameter("v", Parameter.zeros(3));
    }

    private static Map<String, float[]> values(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((n, t) -> out.put(n, t.toArray()));
        return out;
    }

    private static void assertBitExact(Module expected, Module actual) {
        Map<String, float[]> e = values(expected), a = values(actual);
        assertEquals(e.keySet(), a.keySet());
        e.forEach((n, v) -> {
            int[] eb = new int[v.length], ab = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                eb[i] = Float.floatToRawIntBits(v[i]);
                ab[i] = Float.floatToRawIntBits(a.get(n)[i]);
            }
            assertArrayEquals(eb, ab, n);
        });
    }

    @Test
    void roundTripIsBitExactAndKeepsMetadata() throws IOException {
        Mlp saved = new Mlp(8, 1), loaded = new Mlp(8, 2);
        Path file = tmp.resolve("xor.safetensors");
        ModuleCheckpoint.save(saved, file, Map.of("epochs", "1000"));
        Map<String, String> meta = ModuleCheckpoint.load(loaded, file);
        assertBitExact(saved, loaded);
        assertEquals(Map.of("format", "pt", "epochs", "1000"), meta);
        assertEquals(List.of("hidden.weight", "hidden.bias", "out.weight", "out.bias"),
                List.copyOf(SafeTensors.read(file).tensors().keySet()));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(file), s.toList(), "the temporary file was moved, not left behind");
        }
    }

    @Test
    void truncatedFileIsRefusedAndTheModuleIsUnchanged() throws IOException {
        Path file = tmp.resolve("m.safetensors");
        ModuleCheckpoint.save(new Mlp(8, 1), file);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 5));
        Mlp target = new Mlp(8, 2), before = new Mlp(8, 2);
        String msg = assertThrows(CheckpointFormatException.class, () -> ModuleCheckpoint.load(target, file)).getMessage();
        assertTrue(msg.startsWith(file + ": ") && msg.contains("data_offsets"), msg);
        assertBitExact(before, target);
    }

    @Test
    void wrongShapesNameTheFileTheTensorAndBothShapes() throws IOException {
        Path file = tmp.resolve("m.safetensors");
        ModuleCheckpoint.save(new Mlp(8, 1), file);
        Mlp target = new Mlp(4, 2), before = new Mlp(4, 2);
        String msg = assertThrows(CheckpointFormatException.class, () -> ModuleCheckpoint.load(target, file)).getMessage();
        assertTrue(msg.startsWith(file + ": does not fit: "), msg);
        assertTrue(msg.contains("hidden.weight: got shape [8, 2], expected [4, 2]"), msg);
        assertTrue(msg.contains("out.weight: got shape [1, 8], expected [1, 4]"), msg);
        assertBitExact(before, target);
    }

    @Test
    void missingAndExtraTensorsAreNamed() throws IOException {
        Path mlpFile = tmp.resolve("mlp.safetensors"), hiddenFile = tmp.resolve("hidden.safetensors");
        ModuleCheckpoint.save(new Mlp(8, 1), mlpFile);
        ModuleCheckpoint.save(new HiddenOnly(), hiddenFile);
        String extra = assertThrows(CheckpointFormatException.class,
                () -> ModuleCheckpoint.load(new HiddenOnly(), mlpFile)).getMessage();
        assertTrue(extra.startsWith(mlpFile + ": ") && extra.contains("unexpected tensors (strict mode): out.weight, out.bias"), extra);
        String missing = assertThrows(CheckpointFormatException.class,
                () -> ModuleCheckpoint.load(new Mlp(8, 2), hiddenFile)).getMessage();
        assertTrue(missing.startsWith(hiddenFile + ": ") && missing.contains("missing tensors: out.weight, out.bias"), missing);
    }

    @Test
    void aGptModelFileLoadedIntoAnMlpSaysWhatItIs() throws IOException {
        Path file = tmp.resolve("model.safetensors");
        ModelCheckpoint.save(file, new GPT(GPTConfig.tiny(5), 1L), null, null);
        String msg = assertThrows(CheckpointFormatException.class, () -> ModuleCheckpoint.load(new Mlp(8, 1), file)).getMessage();
        assertTrue(msg.startsWith(file + ": a GPT model file"), msg);
        assertTrue(msg.contains("ModelCheckpoint.load") && msg.contains("missing tensors: hidden.weight"), msg);
        assertTrue(msg.contains("transformer.wte.weight"), msg);
    }

    @Test
    void aGptSavedAsAModuleLoadsWithTheSameParameters() throws IOException {
        GPT saved = new GPT(GPTConfig.tiny(5), 1L), loaded = new GPT(GPTConfig.tiny(5), 2L);
        Path file = tmp.resolve("gpt.safetensors");
        ModuleCheckpoint.save(saved, file);
        ModuleCheckpoint.load(loaded, file);
        assertBitExact(saved, loaded);
        Map<String, Tensor> state = loaded.stateDict();
        assertSame(state.get("transformer.wte.weight"), state.get("lm_head.weight"), "still tied");
        assertFalse(SafeTensors.read(file).has("lm_head.weight"), "the tied weight is written once");

        // ModelCheckpoint writes the same tensors, so its files fill a module too, and the other way round.
        Path model = tmp.resolve("model.safetensors");
        ModelCheckpoint.save(model, saved, null, null);
        GPT third = new GPT(GPTConfig.tiny(5), 3L);
        ModuleCheckpoint.load(third, model);
        assertBitExact(saved, third);
    }

    @Test
    void halfPrecisionIsConvertedAndIntegersAreRefused() throws IOException {
        Path half = tmp.resolve("half.safetensors");
        // 1.0, -2.5 and 65504 in IEEE half
        Files.write(half, SafeTensorsTest.file("{\"v\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]}}",
                new byte[] {0x00, 0x3c, 0x00, (byte) 0xc1, (byte) 0xff, 0x7b}));
        Vec3 m = new Vec3();
        ModuleCheckpoint.load(m, half);
        assertArrayEquals(new float[] {1f, -2.5f, 65504f}, m.v.tensor().toArray());

        Path ints = tmp.resolve("ints.safetensors");
        SafeTensors.write(ints, List.of(SafeTensor.i64("v", new long[] {1, 2, 3}, 3)), Map.of());
        String msg = assertThrows(CheckpointFormatException.class, () -> ModuleCheckpoint.load(new Vec3(), ints)).getMessage();
        assertEquals(ints + ": tensor 'v' is I64, expected floats (F32, F16, BF16 or F64)", msg);
    }

    @Test
    void notASafetensorsFileSaysWhatItLooksLike() throws IOException {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello, this is text\n", StandardCharsets.UTF_8);
        String msg = assertThrows(CheckpointFormatException.class, () -> ModuleCheckpoint.load(new Vec3(), text)).getMessage();
        assertTrue(msg.startsWith(text + ": not a safetensors file"), msg);
    }
}
