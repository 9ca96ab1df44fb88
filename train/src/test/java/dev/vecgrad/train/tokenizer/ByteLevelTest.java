package dev.vecgrad.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ByteLevelTest {
    @Test
    void alphabetIsGpt2s() {
        char[] ref = Jtokkit.gpt2Alphabet();
        for (int b = 0; b < 256; b++) {
            assertEquals(ref[b], ByteLevel.charOf(b), "byte " + b);
            assertEquals(b, ByteLevel.byteOf(ref[b]));
        }
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals("Ġthe", ByteLevel.encode(" the".getBytes(StandardCharsets.UTF_8)));
        assertNull(ByteLevel.decode("a b")); // the space character is not in the alphabet
        assertEquals(-1, ByteLevel.byteOf('\u0144'));
    }

    @Test
    void gpt2ByteOrderIsR50kRanksOfSingleBytes() {
        String[] lines = new String(Jtokkit.resource("r50k_base"), StandardCharsets.US_ASCII).split("\n");
        int[] order = ByteLevel.gpt2ByteOrder();
        for (int r = 0; r < 256; r++) {
            byte[] tok = Base64.getDecoder().decode(lines[r].split(" ")[0]);
            assertArrayEquals(new byte[] {(byte) order[r]}, tok, "rank " + r);
        }
    }
}
