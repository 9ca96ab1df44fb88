package dev.vecgrad.autograd;

import java.util.random.RandomGenerator;

/**
 * Keep/drop decisions of inverted dropout, one bit each (set = kept), shared by the dropout op and
 * the attention op's fused dropout so both draw the same decisions from the same generator.
 *
 * <p>Element {@code i} takes 24 bits of one {@code nextLong()} (bits 40..63 for even {@code i},
 * 8..31 for odd) as a uniform {@code u} in {@code [0, 1)} on the grid {@code 2^-24}, exactly the
 * values {@code nextFloat()} yields, and is dropped when {@code u < p}. Two decisions per draw
 * halve the generator's share of a training step: at {@code baby-gpt}'s size the attention
 * weights alone need 150 million decisions per step.
 */
final class DropoutBits {
    private DropoutBits() {}

    /** Decisions for {@code n} elements with drop probability {@code p}, drawn in element order. */
    static long[] draw(int n, float p, RandomGenerator rng) {
        long[] bits = new long[(n + 63) >>> 6];
        // u < p  <=>  (24-bit integer) < p * 2^24, both sides exact in double.
        double limit = p * 16777216.0;
        for (int i = 0; i < n; i += 2) {
            long r = rng.nextLong();
            if (!((r >>> 40) < limit)) bits[i >>> 6] |= 1L << i;
            if (i + 1 < n && !(((r >>> 8) & 0xFFFFFFL) < limit)) bits[(i + 1) >>> 6] |= 1L << (i + 1);
        }
        return bits;
    }

    /** Whether element {@code i} is kept. */
    static boolean kept(long[] bits, int i) {
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    /** {@code dst[dOff + e] = kept(bitStart + e) ? src[sOff + e] * scale : 0} for {@code e < n}. */
    static void apply(float[] dst, int dOff, float[] src, int sOff, long[] bits, int bitStart, float scale, int n) {
        for (int e = 0; e < n; e++) {
            int bit = bitStart + e;
            dst[dOff + e] = (bits[bit >>> 6] & (1L << bit)) != 0 ? src[sOff + e] * scale : 0f;
        }
    }
}
