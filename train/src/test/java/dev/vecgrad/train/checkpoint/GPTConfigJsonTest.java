package dev.vecgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GPTConfigJsonTest {
    @TempDir Path tmp;

    @Test
    void roundTripInNanoGptsKeys() {
        GPTConfig c = GPTConfig.shakespeareChar(65);
        String json = "{\"n_layer\":4,\"n_head\":4,\"n_embd\":128,\"block_size\":64,\"vocab_size\":65,\"bias\":true}";
        assertEquals(json, GPTConfigJson.write(c));
        assertEquals(c, GPTConfigJson.read(json));
        GPTConfig d = GPTConfigJson.read(" {\n \"bias\" : false, \"vocab_size\": 10, \"block_size\": 8,"
                + " \"n_embd\": 16, \"n_head\": 2, \"n_layer\": 1.0, \"dropout\": 0.1 } ");
        assertEquals(new GPTConfig(1, 2, 16, 8, 10, false, 0.1f), d);
    }

    @Test
    void errorsAreSpecific() {
        String base = "\"n_layer\":4,\"n_head\":4,\"n_embd\":128,\"block_size\":64,\"vocab_size\":65";
        assertMessage("missing key \"bias\"", "{" + base + "}");
        assertMessage("unknown key \"flash\"", "{" + base + ",\"bias\":true,\"flash\":true}");
        assertMessage("\"n_layer\" must be an integer, got 4.5", "{" + base.replace(":4,\"n_head", ":4.5,\"n_head") + ",\"bias\":true}");
        assertMessage("\"bias\" must be true or false, got 1", "{" + base + ",\"bias\":1}");
        assertMessage("Duplicate field 'bias'", "{" + base + ",\"bias\":true,\"bias\":true}");
        assertMessage("invalid JSON at position", "{" + base + ",\"bias\":true");
        assertMessage("invalid JSON", "{" + base + ",\"bias\":true}x");
        assertMessage("\"n_layer\" must be a number, got \"4\"", "{\"n_layer\":\"4\"}");
        assertMessage("expected a JSON object", "[1, 2]");
        assertMessage("the JSON text is null", null);
        // GPTConfig's own checks still apply
        var e = assertThrows(IllegalArgumentException.class, () -> GPTConfigJson.read("{" + base.replace("\"n_head\":4", "\"n_head\":3")
                + ",\"bias\":true}"));
        assertTrue(e.getMessage().contains("not divisible"), e.getMessage());
    }

    private static void assertMessage(String part, String json) {
        var e = assertThrows(IllegalArgumentException.class, () -> GPTConfigJson.read(json));
        assertTrue(e.getMessage().startsWith("model config: "), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /**
     * A checkpoint whose config metadata was edited to a huge model is refused by name before the
     * model is allocated (it used to fail inside the allocation, with OutOfMemoryError or "more
     * than 2^31-1 elements", naming neither the file nor the config).
     */
    @Test
    void aConfigLargerThanTheFilesWeightsIsRefusedBeforeAllocating() throws IOException {
        GPTConfig small = new GPTConfig(1, 2, 16, 8, 10, true, 0f);
        List<SafeTensor> weights = ModelCheckpoint.tensorsOf(new GPT(small, 1L).namedParameters());
        for (String edit : new String[] {"\"block_size\":1073741824", "\"block_size\":4000000", "\"vocab_size\":2000000000",
                "\"n_layer\":100000"}) {
            Path f = tmp.resolve("edited.safetensors");
            Map<String, String> meta = new LinkedHashMap<>();
            String key = edit.substring(0, edit.indexOf(':') + 1);
            meta.put("config", GPTConfigJson.write(small).replaceFirst(java.util.regex.Pattern.quote(key) + "[0-9]+", edit));
            SafeTensors.write(f, weights, meta);
            var e = assertThrows(CheckpointFormatException.class, () -> ModelCheckpoint.load(f), edit);
            assertTrue(e.getMessage().startsWith(f + ": the \"config\" metadata {") && e.getMessage().contains(edit)
                    && e.getMessage().contains("does not belong to these weights"), e.getMessage());
        }
    }
}
