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
}
