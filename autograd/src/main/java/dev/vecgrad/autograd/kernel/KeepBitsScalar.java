package dev.vecgrad.autograd.kernel;

/**
 * The scalar twin of {@link KeepBits}: one SplitMix64 output at a time, the definition the vector
 * version must reproduce bit for bit (the property tests compare the two).
 */
public final class KeepBitsScalar {
    private KeepBitsScalar() {}

    /** As {@link KeepBits#fill}, one pair of elements at a time. Modifies {@code bits}. */
    public static void fill(long[] bits, int firstWord, int count, long seed, long limit) {
        fillFrom(bits, firstWord, 0, count, seed, limit);
    }

    /**
     * The words from {@code word} on of a block of {@code count} elements (so elements
     * {@code 64 word} onward, pair {@code 32 word} onward of the block's sequence).
     */
    static void fillFrom(long[] bits, int firstWord, int word, int count, long seed, long limit) {
        long state = seed + 32L * word * KeepBits.GOLDEN_GAMMA;
        for (int w = word; w < (count + 63) >>> 6; w++) {
            int inWord = Math.min(64, count - (w << 6));
            long bitsOfWord = 0;
            // Branch-free: the sign of (k - limit) is the drop decision. With a branch per element
            // the mispredictions at p = 0.2 cost more than the generator.
            for (int j = 0; j < inWord; j += 2) {
                state += KeepBits.GOLDEN_GAMMA;
                long r = mix(state);
                bitsOfWord |= ((((r >>> 40) - limit) >>> 63) ^ 1L) << j;
                if (j + 1 < inWord) bitsOfWord |= (((((r >>> 8) & 0xFFFFFFL) - limit) >>> 63) ^ 1L) << (j + 1);
            }
            bits[firstWord + w] = bitsOfWord;
        }
    }

    /** SplitMix64's output function. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
