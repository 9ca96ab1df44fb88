package dev.vecgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.SplitPattern;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hugging Face GPT-2 folders: PyTorch parity through the name map (fixtures from
 * tools/pytorch/hf_gpt2.py: no prefix with mask buffers, prefix with a tied lm_head, F16), round
 * trips both ways, BF16, and one clear error for each kind of hostile folder.
 */
class HfGpt2Test {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/hf_gpt2");

    @TempDir Path tmp;

    static Stream<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(FIXTURES)) {
            return s.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "fixture {0}")
    @MethodSource("fixtures")
    void logitsLossAndEveryGradientMatchPyTorch(Path dir) throws IOException {
        GPT model = HfGpt2.load(dir, 0).model();
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
        assertEquals(wantLoss, loss.item(), 1e-5 * wantLoss, dir + ": loss");
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

    @Test
    void theF16FixtureReallyIsHalfPrecision() throws IOException {
        SafeTensorsFile f = SafeTensors.read(FIXTURES.resolve("f16/model.safetensors"));
        assertEquals(DType.F16, f.get("h.0.attn.c_attn.weight").dtype());
    }

    @Test
    void theTableCoversEveryParameterOnceAndGpt2SmallHasItsKnownSize() {
        GPTConfig small = new GPTConfig(12, 12, 768, 1024, 50257, true, 0f);
        long n = 0;
        List<String> vecgradNames = new ArrayList<>();
        for (int layer = -1; layer < 2; layer++) {
            for (HfGpt2.Row r : HfGpt2.TABLE) {
                if (r.hf().contains("{i}") != (layer >= 0)) continue;
                vecgradNames.add(HfGpt2.name(r.vecgrad(), layer));
            }
        }
        for (HfGpt2.Row r : HfGpt2.TABLE) {
            long k = 1;
            for (int d : HfGpt2.folderShape(r, small)) k *= d;
            n += r.hf().contains("{i}") ? 12 * k : k;
        }
        assertEquals(124_439_808L, n);
        GPT tiny = new GPT(new GPTConfig(2, 2, 8, 4, 5, true, 0f), 1L);
        assertEquals(new java.util.TreeSet<>(tiny.namedParameters().keySet()), new java.util.TreeSet<>(vecgradNames));
        assertEquals(tiny.namedParameters().size(), vecgradNames.size());
    }

    /** A model with every parameter distinct from its init, deterministic. */
    static GPT randomModel(GPTConfig c, long seed) {
        GPT m = new GPT(c, seed);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed + 1);
        for (Parameter p : m.parameters()) {
            float[] a = p.tensor().storage();
            for (int i = 0; i < a.length; i++) a[i] += (float) (0.1 * r.nextGaussian());
        }
        return m;
    }

    @Test
    void exportThenLoadGivesTheSameLogitsBitForBit() throws IOException {
        GPT m = randomModel(new GPTConfig(2, 2, 16, 8, 11, true, 0f), 5);
        HfGpt2.write(tmp.resolve("out"), m, null);
        GPT back = HfGpt2.load(tmp.resolve("out"), 0).model();
        int[] idx = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 3};
        assertArrayEquals(m.forward(idx, 2, 6).toArray(), back.forward(idx, 2, 6).toArray());
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().tensor().toArray(), back.namedParameters().get(e.getKey()).tensor().toArray(), e.getKey());
        }
        assertTrue(HfGpt2.isFolder(tmp.resolve("out")));
    }

    /** 256 byte tokens, the merge "a b", then {@code <|endoftext|>}: 258 tokens. */
    static BpeTokenizer smallTokenizer() {
        byte[][] tokens = new byte[258][];
        for (int b = 0; b < 256; b++) tokens[b] = new byte[] {(byte) b};
        tokens[256] = new byte[] {'a', 'b'};
        return BpeTokenizer.fromMerges(tokens, new int[][] {{'a', 'b'}}, Map.of(HfGpt2.END_OF_TEXT, 257), SplitPattern.GPT2, false);
    }

    @Test
    void exportWritesTheTokenizerAndLoadReadsItBack() throws IOException {
        GPT m = randomModel(new GPTConfig(1, 2, 8, 8, 258, true, 0f), 9);
        Path out = tmp.resolve("tok");
        HfGpt2.write(out, m, smallTokenizer());
        for (String f : List.of("config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"eos_token_id\" : 257"));
        HfGpt2.Loaded l = HfGpt2.load(out, 0);
        assertArrayEquals(new int[] {256, 'c'}, l.tokenizer().encode("abc"));
        assertEquals(257, l.tokenizer().specialTokens().get(HfGpt2.END_OF_TEXT));
        // a tokenizer larger than the model's vocabulary is refused both ways
        GPT small = randomModel(new GPTConfig(1, 2, 8, 8, 200, true, 0f), 9);
        assertThrows(IllegalArgumentException.class, () -> HfGpt2.write(tmp.resolve("big"), small, smallTokenizer()));
        Files.writeString(out.resolve("config.json"), Files.readString(out.resolve("config.json")).replace("\"vocab_size\" : 258", "\"vocab_size\" : 200"));
        assertTrue(assertThrows(IOException.class, () -> HfGpt2.load(out, 0)).getMessage().contains("the tokenizer has 258 tokens"));
    }

    @Test
    void folderToVecgradToExportGivesTheSameTensors() throws IOException {
        for (String fixture : List.of("plain", "prefixed")) {
            Path in = FIXTURES.resolve(fixture);
            HfGpt2.write(tmp.resolve(fixture), HfGpt2.load(in, 0).model(), null);
            SafeTensorsFile a = SafeTensors.read(in.resolve(HfGpt2.WEIGHTS)), b = SafeTensors.read(tmp.resolve(fixture).resolve(HfGpt2.WEIGHTS));
            int compared = 0;
            for (SafeTensor t : a.tensors().values()) {
                String n = t.name().startsWith(HfGpt2.PREFIX) ? t.name().substring(HfGpt2.PREFIX.length()) : t.name();
                if (n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias") || n.equals(HfGpt2.LM_HEAD)) continue;
                assertArrayEquals(t.shape(), b.get(n).shape(), n);
                assertEquals(t.bytes(), b.get(n).bytes(), fixture + ": " + n);
                compared++;
            }
            assertEquals(b.tensors().size(), compared, fixture + ": the export has exactly the folder's weights");
        }
    }

    @Test
    void bf16WeightsLoadWidenedExactly() throws IOException {
        Path dir = copyFixture("plain");
        SafeTensorsFile f = SafeTensors.read(dir.resolve(HfGpt2.WEIGHTS));
        List<SafeTensor> out = new ArrayList<>();
        Map<String, float[]> rounded = new LinkedHashMap<>();
        for (SafeTensor t : f.tensors().values()) {
            if (!t.dtype().equals(DType.F32)) {
                out.add(t);
                continue;
            }
            float[] v = t.toFloats();
            ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            float[] r = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                short bits = (short) (Float.floatToIntBits(v[i]) >>> 16);   // truncation: any BF16 value will do
                b.putShort(i * 2, bits);
                r[i] = Float.intBitsToFloat((bits & 0xFFFF) << 16);
            }
            out.add(new SafeTensor(t.name(), DType.BF16, t.shape(), b));
            rounded.put(t.name(), r);
        }
        SafeTensors.write(dir.resolve(HfGpt2.WEIGHTS), out, Map.of("format", "pt"));
        GPT m = HfGpt2.load(dir, 0).model();
        assertArrayEquals(rounded.get("wte.weight"), m.wte().weight().tensor().toArray());
        assertArrayEquals(rounded.get("h.1.mlp.c_fc.bias"), m.blocks().get(1).mlp().cFc().bias().tensor().toArray());
    }

    @Test
    void blockSizeCropsThePositionEmbedding() throws IOException {
        Path in = FIXTURES.resolve("plain");
        GPT full = HfGpt2.load(in, 0).model(), cropped = HfGpt2.load(in, 5).model();
        assertEquals(5, cropped.config().blockSize());
        float[] f = full.wpe().weight().tensor().toArray(), c = cropped.wpe().weight().tensor().toArray();
        assertArrayEquals(java.util.Arrays.copyOf(f, c.length), c);
        int[] idx = {1, 2, 3, 4, 5};
        assertArrayEquals(full.forward(idx, 1, 5).toArray(), cropped.forward(idx, 1, 5).toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfGpt2.load(in, 9));
        assertTrue(e.getMessage().contains("n_positions 8"), e.getMessage());
    }

    // ---------------------------------------------------------------- hostile folders

    private Path copyFixture(String name) throws IOException {
        Path dst = tmp.resolve("copy-" + name + "-" + System.nanoTime());
        Files.createDirectories(dst);
        for (String f : List.of("config.json", HfGpt2.WEIGHTS)) Files.copy(FIXTURES.resolve(name).resolve(f), dst.resolve(f));
        return dst;
    }

    private String loadError(Path dir) {
        IOException e = assertThrows(IOException.class, () -> HfGpt2.load(dir, 0));
        return e.getMessage();
    }

    private Path withConfig(UnaryOperator<String> edit) throws IOException {
        Path d = copyFixture("plain");
        Files.writeString(d.resolve("config.json"), edit.apply(Files.readString(d.resolve("config.json"))));
        return d;
    }

    private Path withTensors(UnaryOperator<List<SafeTensor>> edit) throws IOException {
        Path d = copyFixture("plain");
        List<SafeTensor> ts = new ArrayList<>(SafeTensors.read(d.resolve(HfGpt2.WEIGHTS)).tensors().values());
        List<SafeTensor> copy = new ArrayList<>();
        for (SafeTensor t : edit.apply(ts)) copy.add(new SafeTensor(t.name(), t.dtype(), t.shape(), copyOf(t.bytes())));
        SafeTensors.write(d.resolve(HfGpt2.WEIGHTS), copy, Map.of("format", "pt"));
        return d;
    }

    private static ByteBuffer copyOf(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    private static SafeTensor renamed(SafeTensor t, String name) {
        return new SafeTensor(name, t.dtype(), t.shape(), t.bytes());
    }

    @Test
    void pickleOnlyFolderIsRefusedWithoutOpeningIt() throws IOException {
        Path d = tmp.resolve("bin");
        Files.createDirectories(d);
        Files.copy(FIXTURES.resolve("plain/config.json"), d.resolve("config.json"));
        Files.write(d.resolve(HfGpt2.PICKLE), new byte[] {(byte) 0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm'});
        assertTrue(HfGpt2.isFolder(d));
        String m = loadError(d);
        assertTrue(m.contains("pytorch_model.bin") && m.contains("pickle") && m.contains("model.safetensors"), m);
    }

    @Test
    void configProblemsAreNamed() throws IOException {
        assertTrue(loadError(withConfig(s -> s.replace("\"n_layer\": 2,", ""))).contains("no \"n_layer\""));
        assertTrue(loadError(withConfig(s -> s.replace("\"n_positions\": 8,", "").replace("\"n_ctx\": 8,", ""))).contains("no \"n_positions\""));
        assertTrue(loadError(withConfig(s -> s.replace("\"n_ctx\": 8", "\"n_ctx\": 16"))).contains("contradictory fields: \"n_positions\" is 8 but \"n_ctx\" is 16"));
        assertTrue(loadError(withConfig(s -> s.replace("\"n_head\": 2,", "\"n_head\": 2, \"num_attention_heads\": 4,")))
                .contains("\"n_head\" is 2 but \"num_attention_heads\" is 4"));
        assertTrue(loadError(withConfig(s -> s.replace("\"n_head\": 2,", "\"n_head\": 3,"))).contains("not divisible by \"n_head\" 3"));
        assertTrue(loadError(withConfig(s -> s.replace("\"gpt2\"", "\"llama\""))).contains("\"model_type\" is \"llama\", not \"gpt2\""));
        assertTrue(loadError(withConfig(s -> s.replace("\"model_type\": \"gpt2\",", ""))).contains("no \"model_type\""));
        assertTrue(loadError(withConfig(s -> s.replace("\"gelu_new\"", "\"relu\""))).contains("\"activation_function\" is \"relu\""));
        assertTrue(loadError(withConfig(s -> s.replace("1e-05", "1e-06"))).contains("layer_norm_epsilon"));
        assertTrue(loadError(withConfig(s -> s.replace("\"n_embd\": 16", "\"n_embd\": \"16\""))).contains("\"n_embd\" must be an integer"));
        assertTrue(loadError(withConfig(s -> s.replace("\"n_inner\": null", "\"n_inner\": 32"))).contains("n_inner"));
        assertTrue(loadError(withConfig(s -> s.substring(0, 40))).contains("not valid JSON"));
        // Jackson's reason, without the source-location dump its full message appends.
        String cut = loadError(withConfig(s -> "{\"model_type\": \"gpt2\""));
        assertTrue(cut.contains("not valid JSON (Unexpected end-of-input") && !cut.contains("Source:") && !cut.contains("REDACTED")
                && !cut.contains("line:"), cut);
        // A byte-order mark (Windows editors write one) is dropped, not "not valid JSON".
        assertEquals(HfGpt2.readConfig(FIXTURES.resolve("plain")), HfGpt2.readConfig(withConfig(s -> "\uFEFF" + s)));
        // Bytes that are not UTF-8 are said to be that, with the file's name.
        Path latin1 = withConfig(s -> s);
        Files.write(latin1.resolve("config.json"), "{\"n_embd\": 16, \"name\": \"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String bad = loadError(latin1);
        assertTrue(bad.contains("config.json") && bad.contains("not valid UTF-8 text"), bad);
    }

    @Test
    void shapesThatDisagreeWithTheConfigAreNamed() throws IOException {
        // config says 12 tokens, the file holds 11
        String m = loadError(withConfig(s -> s.replace("\"vocab_size\": 11", "\"vocab_size\": 12")));
        assertTrue(m.contains("'wte.weight' has shape [11, 16] but config.json implies [12, 16]"), m);
        // a Linear-layout weight where GPT-2 keeps Conv1D
        m = loadError(withTensors(ts -> ts.stream().map(t -> !t.name().equals("h.0.mlp.c_fc.weight") ? t
                : new SafeTensor(t.name(), t.dtype(), new int[] {64, 16}, t.bytes())).toList()));
        assertTrue(m.contains("'h.0.mlp.c_fc.weight' has shape [64, 16]") && m.contains("Conv1D"), m);
        // fewer layers in the config than in the file
        m = loadError(withConfig(s -> s.replace("\"n_layer\": 2", "\"n_layer\": 1")));
        assertTrue(m.contains("belongs to block 1 but config.json has n_layer 1"), m);
        // more layers in the config than in the file
        m = loadError(withConfig(s -> s.replace("\"n_layer\": 2", "\"n_layer\": 3")));
        assertTrue(m.contains("missing tensors h.2.ln_1.weight"), m);
    }

    /** Sizes in config.json far beyond the weights are refused before a model of that size is allocated. */
    @Test
    void configSizesBeyondTheWeightsAreRefusedBeforeAllocating() throws IOException {
        for (String[] edit : new String[][] {{"\"n_positions\": 8", "\"n_positions\": 1073741824"},
                {"\"n_embd\": 16", "\"n_embd\": 1073741824"}, {"\"vocab_size\": 11", "\"vocab_size\": 2000000000"},
                {"\"n_positions\": 8", "\"n_positions\": 4000000"}}) {
            String m = loadError(withConfig(s -> s.replace(edit[0], edit[1]).replace("\"n_ctx\": 8", "\"n_ctx\": null")));
            assertTrue(m.contains("model.safetensors: tensor '") && m.contains("but config.json implies"), m);
        }
        String m = loadError(withConfig(s -> s.replace("\"n_layer\": 2", "\"n_layer\": 2147483647")));
        assertTrue(m.contains("config.json has n_layer 2147483647 but the file holds the tensors of 2 blocks"), m);
    }

    @Test
    void tensorProblemsAreNamed() throws IOException {
        String m = loadError(withTensors(ts -> ts.stream().filter(t -> !t.name().equals("ln_f.bias")).toList()));
        assertTrue(m.contains("missing tensor ln_f.bias"), m);
        m = loadError(withTensors(ts -> Stream.concat(ts.stream(), Stream.of(renamed(ts.get(0), "score.weight"))).toList()));
        assertTrue(m.contains("unexpected tensor 'score.weight'"), m);
        m = loadError(withTensors(ts -> Stream.concat(ts.stream(),
                ts.stream().filter(t -> t.name().equals("wpe.weight")).map(t -> renamed(t, "transformer.wpe.weight"))).toList()));
        assertTrue(m.contains("'wpe.weight' appears twice"), m);
        m = loadError(withTensors(ts -> ts.stream().map(t -> !t.name().equals("ln_f.weight") ? t
                : SafeTensor.i32(t.name(), new int[16], 16)).toList()));
        assertTrue(m.contains("'ln_f.weight' is I32"), m);
        m = loadError(withTensors(ts -> Stream.concat(ts.stream(), ts.stream().filter(t -> t.name().equals("wte.weight"))
                .map(t -> SafeTensor.f32(HfGpt2.LM_HEAD, new float[t.numel()], t.shape()))).toList()));
        assertTrue(m.contains("'lm_head.weight' differs from 'wte.weight'"), m);
    }

    @Test
    void folderWithNeitherWeightsFileIsNamed() throws IOException {
        Path d = copyFixture("plain");
        Files.delete(d.resolve(HfGpt2.WEIGHTS));
        assertTrue(loadError(d).contains("no model.safetensors"));
    }

    @Test
    void folderWithoutConfigJsonSaysSoRatherThanAskingForVecgradMetadata() throws IOException {
        for (String fixture : List.of("plain", "f16")) {
            Path d = copyFixture(fixture);
            Files.delete(d.resolve("config.json"));
            IOException e = assertThrows(IOException.class, () -> ModelCheckpoint.load(d));
            assertTrue(e.getMessage().contains("GPT-2's tensor names") && e.getMessage().contains("config.json"), e.getMessage());
        }
    }

    /** The folder's weights file stands for the folder: the same model, its tokenizer, the file as given. */
    @Test
    void theFoldersWeightsFileLoadsTheFolder() throws IOException {
        Path d = copyFixture("plain");
        GPT m = randomModel(new GPTConfig(1, 2, 8, 8, 258, true, 0f), 4);
        Path folder = tmp.resolve("with-tokenizer");
        HfGpt2.write(folder, m, smallTokenizer());
        ModelCheckpoint.Loaded whole = ModelCheckpoint.load(folder), file = ModelCheckpoint.load(folder.resolve(HfGpt2.WEIGHTS));
        assertEquals(folder.resolve(HfGpt2.WEIGHTS), file.file());
        for (Map.Entry<String, Parameter> e : whole.model().namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().tensor().toArray(), file.model().namedParameters().get(e.getKey()).tensor().toArray(), e.getKey());
        }
        assertArrayEquals(whole.tokenizer().encode("abc"), file.tokenizer().encode("abc"));
        // A folder without tokenizer files: the file loads too, and says which files it lacks.
        ModelCheckpoint.Loaded bare = ModelCheckpoint.load(d.resolve(HfGpt2.WEIGHTS));
        assertEquals(ModelCheckpoint.load(d).model().config(), bare.model().config());
        assertTrue(bare.missingTokenizer().contains("no tokenizer in the GPT-2 folder"), bare.missingTokenizer());
    }

    /** Reading tensors alone (no folder to build from) still names the folder's config.json and asks for the folder. */
    @Test
    void readingTheFoldersWeightsAsVecgradTensorsAsksForTheFolder() throws IOException {
        Path d = copyFixture("plain");
        IOException e = assertThrows(IOException.class, () -> ModelCheckpoint.readTensors(d.resolve(HfGpt2.WEIGHTS)));
        assertEquals(d.resolve(HfGpt2.WEIGHTS) + ": GPT-2's tensor names, whose architecture is in config.json beside them;"
                + " pass the folder that holds them, " + d, e.getMessage());
    }

    /** Another .safetensors file with GPT-2's names in the folder is not the folder's weights: loading it must not read model.safetensors instead. */
    @Test
    void anotherWeightsFileInTheFolderIsNotTakenForTheFolder() throws IOException {
        Path d = copyFixture("plain");
        Files.copy(d.resolve(HfGpt2.WEIGHTS), d.resolve("other.safetensors"));
        IOException e = assertThrows(IOException.class, () -> ModelCheckpoint.load(d.resolve("other.safetensors")));
        assertTrue(e.getMessage().startsWith(d.resolve("other.safetensors") + ": GPT-2's tensor names"), e.getMessage());
    }

    @Test
    void aFileOfTheFolderOtherThanItsWeightsAsksForTheFolder() throws IOException {
        Path d = copyFixture("plain");
        IOException e = assertThrows(IOException.class, () -> ModelCheckpoint.load(d.resolve("config.json")));
        assertEquals(d.resolve("config.json") + ": not a model file; pass the folder that holds it, " + d, e.getMessage());
    }

    @Test
    void halfOfGpt2sTokenizerPairNamesTheMissingFile() throws IOException {
        Path d = copyFixture("plain");
        Files.writeString(d.resolve("vocab.json"), "{}");
        String m = loadError(d);
        assertTrue(m.contains("has vocab.json but no merges.txt"), m);
        Files.delete(d.resolve("vocab.json"));
        Files.writeString(d.resolve("merges.txt"), "#version: 0.2\n");
        m = loadError(d);
        assertTrue(m.contains("has merges.txt but no vocab.json"), m);
    }

    @Test
    void aFolderWithoutTokenizerFilesSaysWhichFilesAreMissing() throws IOException {
        ModelCheckpoint.Loaded l = ModelCheckpoint.load(copyFixture("plain"));
        assertEquals(null, l.tokenizer());
        assertTrue(l.missingTokenizer().contains("no tokenizer in the GPT-2 folder (tokenizer.json, or vocab.json + merges.txt)"),
                l.missingTokenizer());
    }

    /** A model file of vecgrad's format that lies beside a config.json is not a GPT-2 folder's: it lacks tokenizer metadata. */
    @Test
    void aModelFileWithoutTokenizerBesideAConfigJsonSaysItsMetadataLacksOne() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("beside"));
        Files.copy(FIXTURES.resolve("plain/config.json"), d.resolve("config.json"));
        Path file = d.resolve("model.safetensors");
        ModelCheckpoint.save(file, new GPT(GPTConfig.tiny(5), 1L), null, null);
        ModelCheckpoint.Loaded l = ModelCheckpoint.load(file);
        assertEquals(null, l.tokenizer());
        assertEquals(file + " has no tokenizer in its metadata (a model converted from elsewhere holds only token ids)",
                l.missingTokenizer());
    }

    @Test
    void modelsWithoutBiasesCannotBeExported() {
        GPT m = new GPT(new GPTConfig(1, 1, 8, 4, 5, false, 0f), 1L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfGpt2.write(tmp.resolve("nb"), m, null));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
    }

    @Test
    void modelCheckpointLoadAcceptsAFolder() throws IOException {
        ModelCheckpoint.Loaded l = ModelCheckpoint.load(FIXTURES.resolve("prefixed"));
        assertEquals(13, l.model().config().vocabSize());
        assertEquals(12, l.model().config().blockSize());
    }
}
