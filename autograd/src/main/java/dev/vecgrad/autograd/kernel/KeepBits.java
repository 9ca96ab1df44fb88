package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Keep/drop words for inverted dropout from a SplitMix64 sequence, several outputs per vector
 * ({@link KeepBitsScalar} is the one-at-a-time twin and definition).
 *
 * <p>A block of {@code count} elements, seeded by {@code seed}: output {@code j} of the sequence is
 * {@code mix(seed + (j + 1) * 0x9E3779B97F4A7C15)} and decides elements {@code 2j} (its bits
 * 40..63) and {@code 2j + 1} (bits 8..31), each a uniform {@code k 2^-24}; an element is kept
 * (its bit set) when {@code k >= limit}. Element {@code i} of the block is bit {@code i mod 64} of
 * word {@code firstWord + i / 64}; the bits past {@code count} in the last word are zero.
 *
 * <p>The sequence's state is a counter, so lane {@code l} of a vector can compute output
 * {@code j + l} directly: one vector of L/2 longs decides L elements. One output at a time cost
 * 1.2 ns an element, 80 us for one (batch, head) of {@code baby-gpt}'s attention weights and about
 * 4 % of its training step (all dropout layers together).
 */
public final class KeepBits {
    /** SplitMix64's increment. */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** Longs of the same vector width as the float kernels (2, 4 or 8). */
    private static final VectorSpecies<Long> S = VectorSpecies.of(long.class, Simd.F.vectorShape());
    private static final int N = S.length();
    /** Lane l's offset from the state before a vector: (l + 1) increments. */
    private static final long[] LANE_STEPS = laneSteps();
    /**
     * Whether the vectors are used: from 4 lanes (256 bits). With 2 (128-bit vectors) C2 compiled
     * the lane-wise ops to no vector instructions on Zen 5, even under {@code -XX:UseAVX=2}: the
     * Java fallback, 400 us and 4.5 MB of boxed vectors per 65,536 elements, against 60-85 us
     * for the scalar twin. 4 lanes: 12 us (27 us under {@code -XX:UseAVX=2}), 8 lanes: 6 us.
     */
    private static final boolean VECTOR = N >= 4;
    /** Where a vector's even and odd elements go among its 2N bits. */
    private static final long EVEN_BITS = 0x5555_5555_5555_5555L >>> (64 - 2 * N), ODD_BITS = EVEN_BITS << 1;

    private KeepBits() {}

    private static long[] laneSteps() {
        long[] s = new long[N];
        for (int l = 0; l < N; l++) s[l] = (l + 1) * GOLDEN_GAMMA;
        return s;
    }

    /**
     * Writes the {@code ceil(count / 64)} words of one block from {@code bits[firstWord]} (see the
     * class comment); {@code limit} is {@code ceil(p 2^24)} for drop probability {@code p}.
     * Modifies {@code bits}.
     */
    public static void fill(long[] bits, int firstWord, int count, long seed, long limit) {
        if (!VECTOR) {
            KeepBitsScalar.fill(bits, firstWord, count, seed, limit);
            return;
        }
        int full = count >>> 6, perWord = 32 / N, shift = 2 * N;
        LongVector state = LongVector.fromArray(S, LANE_STEPS, 0).add(seed);
        LongVector step = LongVector.broadcast(S, N * GOLDEN_GAMMA);
        for (int w = 0; w < full; w++) {
            long word = 0;
            for (int q = 0; q < perWord; q++) {
                // mix, lane-wise; written out here (a method taking a vector that C2 does not
                // inline would box it).
                LongVector z = state;
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
                long even = z.lanewise(VectorOperators.LSHR, 40).compare(VectorOperators.GE, limit).toLong();
                long odd = z.lanewise(VectorOperators.LSHR, 8).and(0xFFFFFFL).compare(VectorOperators.GE, limit).toLong();
                // Lane l's decisions go to bits 2l and 2l + 1 (Long.expand is one PDEP on x86 with BMI2).
                word |= (Long.expand(even, EVEN_BITS) | Long.expand(odd, ODD_BITS)) << (q * shift);
                state = state.add(step);
            }
            bits[firstWord + w] = word;
        }
        if (full << 6 < count) KeepBitsScalar.fillFrom(bits, firstWord, full, count, seed, limit);
    }
}
