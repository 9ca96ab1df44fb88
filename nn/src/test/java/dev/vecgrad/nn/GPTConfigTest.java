package dev.vecgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GPTConfigTest {

    @Test
    void presets() {
        assertEquals(new GPTConfig(4, 4, 128, 64, 65, true, 0f), GPTConfig.shakespeareChar(65));
        assertEquals(new GPTConfig(6, 6, 384, 256, 65, true, 0.2f), GPTConfig.babyGpt(65));
        assertEquals(16, GPTConfig.tiny().vocabSize());
    }

    @Test
    void validation() {
        var e = assertThrows(IllegalArgumentException.class, () -> new GPTConfig(1, 3, 8, 4, 5, true, 0f));
        assertEquals("GPTConfig: nEmbd 8 is not divisible by nHead 3 (each head gets nEmbd / nHead dimensions)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GPTConfig(0, 1, 8, 4, 5, true, 0f));
        assertEquals("GPTConfig: nLayer must be positive, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GPTConfig(1, 1, 8, 4, 5, true, 1f));
    }

    @Test
    void jsonRoundTrip() {
        GPTConfig c = GPTConfig.shakespeareChar(65);
        String json = "{\"n_layer\":4,\"n_head\":4,\"n_embd\":128,\"block_size\":64,\"vocab_size\":65,\"bias\":true}";
        assertEquals(json, c.toJson());
        assertEquals(c, GPTConfig.fromJson(json));
        GPTConfig d = GPTConfig.fromJson(" {\n \"bias\" : false, \"vocab_size\": 10, \"block_size\": 8,"
                + " \"n_embd\": 16, \"n_head\": 2, \"n_layer\": 1, \"dropout\": 0.1 } ");
        assertEquals(new GPTConfig(1, 2, 16, 8, 10, false, 0.1f), d);
    }

    @Test
    void jsonErrorsAreSpecific() {
        String base = "\"n_layer\":4,\"n_head\":4,\"n_embd\":128,\"block_size\":64,\"vocab_size\":65";
        assertMessage("missing key \"bias\"", "{" + base + "}");
        assertMessage("unknown key \"flash\"", "{" + base + ",\"bias\":true,\"flash\":true}");
        assertMessage("\"n_layer\" must be an integer", "{" + base.replace(":4,\"n_head", ":4.5,\"n_head") + ",\"bias\":true}");
        assertMessage("\"bias\" must be true or false", "{" + base + ",\"bias\":1}");
        assertMessage("duplicate key \"bias\"", "{" + base + ",\"bias\":true,\"bias\":true}");
        assertMessage("invalid JSON at position", "{" + base + ",\"bias\":true");
        assertMessage("unexpected text after the object", "{" + base + ",\"bias\":true}x");
        assertMessage("must be a number", "{\"n_layer\":\"4\"}");
    }

    private static void assertMessage(String part, String json) {
        var e = assertThrows(IllegalArgumentException.class, () -> GPTConfig.fromJson(json));
        assertTrue(e.getMessage().startsWith("GPTConfig.fromJson"), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
