package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** {@link KeepBits} against {@link KeepBitsScalar}: the same words, bit for bit. */
class KeepBitsTest {

    @Property(tries = 300, seed = "77")
    void vectorWordsMatchTheTwin(@ForAll @IntRange(min = 0, max = 1000) int count, @ForAll long seed,
                                 @ForAll @LongRange(min = 0, max = 1L << 24) long limit,
                                 @ForAll @IntRange(max = 3) int firstWord) {
        int words = firstWord + (count + 63) / 64 + 2;
        long[] vector = new long[words], scalar = new long[words];
        Arrays.fill(vector, 0x5A5A5A5A5A5A5A5AL);   // every word the fill owns must be written
        Arrays.fill(scalar, 0x5A5A5A5A5A5A5A5AL);
        KeepBits.fill(vector, firstWord, count, seed, limit);
        KeepBitsScalar.fill(scalar, firstWord, count, seed, limit);
        assertArrayEquals(scalar, vector, () -> "count " + count + " seed " + seed + " limit " + limit);
    }

    @Test
    void limitsAtTheEndsKeepAllOrNothing() {
        long[] all = new long[2], none = new long[2];
        KeepBits.fill(all, 0, 100, 42, 0);
        KeepBits.fill(none, 0, 100, 42, 1L << 24);
        assertEquals(-1L, all[0]);
        assertEquals((1L << 36) - 1, all[1], "100 elements: 36 bits of the second word, none past them");
        assertArrayEquals(new long[2], none);
    }

    @Test
    void aWordDecidesItsElementsFromTheSequence() {
        // Element 2j from bits 40..63 of output j, element 2j + 1 from bits 8..31: checked for
        // one word against SplitMix64 written out here.
        long seed = 12345, limit = (long) Math.ceil(0.3 * (1 << 24));
        long[] bits = new long[1];
        KeepBits.fill(bits, 0, 64, seed, limit);
        for (int j = 0; j < 32; j++) {
            long z = seed + (j + 1) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            assertEquals((z >>> 40) >= limit, (bits[0] >>> (2 * j) & 1) == 1, "element " + 2 * j);
            assertEquals(((z >>> 8) & 0xFFFFFF) >= limit, (bits[0] >>> (2 * j + 1) & 1) == 1, "element " + (2 * j + 1));
        }
    }
}
