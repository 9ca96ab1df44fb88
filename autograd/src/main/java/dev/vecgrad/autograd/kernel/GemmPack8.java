package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The in-register transposes {@link GemmPackA} and {@link GemmPack} use with 256-bit vectors (AVX2): 4x8 blocks of A
 * into 4-row micro-panels, 8x8 blocks of B stored (n, k) into 16-column panels. Package-private;
 * {@link GemmPackA} and {@link GemmPack} decide when they apply and keep the element-by-element twins.
 *
 * <p>Why not the two-source permutes the 16-lane transposes use: AVX2 has no two-source permute
 * (VPERMI2PS is AVX-512), so C2 emits each {@code selectFrom(v1, v2)} as two VPERMPS and a blend.
 * These transposes use one-source permutes (one VPERMPS each), blends and 64-bit shifts instead:
 * <ul>
 *   <li>A (4 rows, 8 columns): row i is permuted so that its column 2j + c lands in lane
 *       4c + (i + j) mod 4. For each j the four permuted rows then hold columns 2j and 2j + 1 in
 *       disjoint lanes, three blends gather them into one vector, and one more permute puts row i
 *       in lane 4c + i (none for j = 0). 7 permutes and 12 blends for 32 floats, against 16
 *       permutes and 8 blends with {@code selectFrom}.
 *   <li>B (8 storage rows, 8 columns): a 64-bit shift and a blend join rows 2g and 2g + 1 into
 *       pairs (row 2g, row 2g + 1) of one column (even columns in one vector, odd in another);
 *       what is left is two 4x4 transposes of those 64-bit pairs, done like A's with whole pairs
 *       as the unit: 12 permutes, 32 blends, 8 shifts for 64 floats (48 permutes, 24 blends with
 *       {@code selectFrom}).
 * </ul>
 * Measured on an AVX2 Zen 3, one core, 256 columns deep: 64 rows of A 5.7-5.9 us element by
 * element, 4.0-4.2 with {@code selectFrom}, 2.7-2.8 this way; 16 panels of B (256 x 256) 42-44 us,
 * 25.7-26.1 and 17.7-18.0. Packing moves floats and does no arithmetic, so the results are
 * those of the twins bit for bit ({@code GemmPackProperties}).
 *
 * <p>Every vector stays inside the method that creates it: a vector passed to or returned from a
 * method C2 does not inline is boxed on the heap, which in a training step (unlike in a unit
 * test's loop) showed up as tens of MB a step.
 */
final class GemmPack8 {
    /** The species these transposes are written for: eight float lanes. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    // A: row i's column 2j + c goes to lane 4c + (i + j) mod 4 (PRE_A*); the output for columns
    // 2j, 2j + 1 takes lanes q and 4 + q from row (q - j) mod 4 (masks LANE_Q*), then lane
    // 4c + (i + j) mod 4 moves to lane 4c + i (POST_A*).
    private static final VectorShuffle<Float> PRE_A0 = shuffle(preA(0)), PRE_A1 = shuffle(preA(1));
    private static final VectorShuffle<Float> PRE_A2 = shuffle(preA(2)), PRE_A3 = shuffle(preA(3));
    private static final VectorShuffle<Float> POST_A1 = shuffle(postA(1)), POST_A2 = shuffle(postA(2));
    private static final VectorShuffle<Float> POST_A3 = shuffle(postA(3));
    private static final VectorMask<Float> LANE_Q1 = mask(1, 5), LANE_Q2 = mask(2, 6), LANE_Q3 = mask(3, 7);

    // B, after the pairing step, in units of two lanes (one 64-bit pair): source s is rotated so
    // its unit u lands in unit (u + s) mod 4 (ROT*); output u takes unit q from source
    // (q - u) mod 4 (masks UNIT*), then unit (s + u) mod 4 moves to unit s (BACK*).
    private static final VectorShuffle<Float> ROT1 = shuffle(rotateUnits(1)), ROT2 = shuffle(rotateUnits(2));
    private static final VectorShuffle<Float> ROT3 = shuffle(rotateUnits(3));
    private static final VectorShuffle<Float> BACK1 = shuffle(unitsBack(1)), BACK2 = shuffle(unitsBack(2));
    private static final VectorShuffle<Float> BACK3 = shuffle(unitsBack(3));
    private static final VectorMask<Float> UNIT1 = mask(2, 3), UNIT2 = mask(4, 5), UNIT3 = mask(6, 7);
    private static final VectorMask<Float> ODD = mask(1, 3, 5, 7), EVEN = mask(0, 2, 4, 6);

    private GemmPack8() {}

    private static VectorShuffle<Float> shuffle(int[] lanes) {
        return VectorShuffle.fromArray(S, lanes, 0);
    }

    private static VectorMask<Float> mask(int... lanes) {
        boolean[] bits = new boolean[8];
        for (int lane : lanes) {
            bits[lane] = true;
        }
        return VectorMask.fromArray(S, bits, 0);
    }

    /** Source lane of each lane of row i's permute: column 2j + c to lane 4c + (i + j) mod 4. */
    private static int[] preA(int i) {
        int[] from = new int[8];
        for (int j = 0; j < 4; j++) {
            for (int c = 0; c < 2; c++) {
                from[4 * c + (i + j) % 4] = 2 * j + c;
            }
        }
        return from;
    }

    /** Source lane of each lane of output j's permute: lane 4c + (i + j) mod 4 to lane 4c + i. */
    private static int[] postA(int j) {
        int[] from = new int[8];
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 2; c++) {
                from[4 * c + i] = 4 * c + (i + j) % 4;
            }
        }
        return from;
    }

    /** Source lane of each lane when two-lane unit u moves to unit (u + s) mod 4. */
    private static int[] rotateUnits(int s) {
        int[] from = new int[8];
        for (int u = 0; u < 4; u++) {
            for (int h = 0; h < 2; h++) {
                from[2 * ((u + s) % 4) + h] = 2 * u + h;
            }
        }
        return from;
    }

    /** Source lane of each lane when unit (s + u) mod 4 moves to unit s, for every s. */
    private static int[] unitsBack(int u) {
        int[] from = new int[8];
        for (int s = 0; s < 4; s++) {
            for (int h = 0; h < 2; h++) {
                from[2 * s + h] = 2 * ((s + u) % 4) + h;
            }
        }
        return from;
    }

    /**
     * Transposes 4 rows of A (from {@code a[src]}, leading dimension lda) into one 4-row micro-panel
     * at {@code ap[base]} (element (r, p) at {@code base + 4p + r}), 8 columns at a time; returns the
     * number of columns done (kc rounded down to 8). Modifies {@code ap}.
     */
    static int rows4(float[] ap, int base, float[] a, int src, int lda, int kc) {
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            FloatVector r0 = FloatVector.fromArray(S, a, src + p).rearrange(PRE_A0);
            FloatVector r1 = FloatVector.fromArray(S, a, src + lda + p).rearrange(PRE_A1);
            FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * lda + p).rearrange(PRE_A2);
            FloatVector r3 = FloatVector.fromArray(S, a, src + 3 * lda + p).rearrange(PRE_A3);
            int d = base + 4 * p;
            r0.blend(r1, LANE_Q1).blend(r2, LANE_Q2).blend(r3, LANE_Q3).intoArray(ap, d);
            r3.blend(r0, LANE_Q1).blend(r1, LANE_Q2).blend(r2, LANE_Q3).rearrange(POST_A1).intoArray(ap, d + 8);
            r2.blend(r3, LANE_Q1).blend(r0, LANE_Q2).blend(r1, LANE_Q3).rearrange(POST_A2).intoArray(ap, d + 16);
            r1.blend(r2, LANE_Q1).blend(r3, LANE_Q2).blend(r0, LANE_Q3).rearrange(POST_A3).intoArray(ap, d + 24);
        }
        return p;
    }

    /**
     * Transposes the 8x8 block of B storage at {@code b[src]} (leading dimension ldb; storage row r
     * is panel column r) into 8 panel rows of 8 floats at {@code bp[d + p*stride]}. Modifies
     * {@code bp}.
     */
    static void block8(float[] bp, int d, int stride, float[] b, int src, int ldb) {
        FloatVector r0 = FloatVector.fromArray(S, b, src);
        FloatVector r1 = FloatVector.fromArray(S, b, src + ldb);
        FloatVector r2 = FloatVector.fromArray(S, b, src + 2 * ldb);
        FloatVector r3 = FloatVector.fromArray(S, b, src + 3 * ldb);
        FloatVector r4 = FloatVector.fromArray(S, b, src + 4 * ldb);
        FloatVector r5 = FloatVector.fromArray(S, b, src + 5 * ldb);
        FloatVector r6 = FloatVector.fromArray(S, b, src + 6 * ldb);
        FloatVector r7 = FloatVector.fromArray(S, b, src + 7 * ldb);
        // x_g unit u: (row 2g, row 2g+1) of column 2u; y_g: of column 2u + 1. Shifting a 64-bit
        // lane left by 32 moves its even float into the odd slot, right by 32 the odd one down.
        // (Written out, not in a helper: see the class comment on vectors crossing methods.)
        FloatVector x0 = r0.blend(r1.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 32).reinterpretAsFloats(), ODD);
        FloatVector y0 = r1.blend(r0.reinterpretAsLongs().lanewise(VectorOperators.LSHR, 32).reinterpretAsFloats(), EVEN);
        FloatVector x1 = r2.blend(r3.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 32).reinterpretAsFloats(), ODD);
        FloatVector y1 = r3.blend(r2.reinterpretAsLongs().lanewise(VectorOperators.LSHR, 32).reinterpretAsFloats(), EVEN);
        FloatVector x2 = r4.blend(r5.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 32).reinterpretAsFloats(), ODD);
        FloatVector y2 = r5.blend(r4.reinterpretAsLongs().lanewise(VectorOperators.LSHR, 32).reinterpretAsFloats(), EVEN);
        FloatVector x3 = r6.blend(r7.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 32).reinterpretAsFloats(), ODD);
        FloatVector y3 = r7.blend(r6.reinterpretAsLongs().lanewise(VectorOperators.LSHR, 32).reinterpretAsFloats(), EVEN);
        // Panel row 2u is (x0, x1, x2, x3) unit u each, row 2u + 1 the same of the y.
        x1 = x1.rearrange(ROT1);
        x2 = x2.rearrange(ROT2);
        x3 = x3.rearrange(ROT3);
        y1 = y1.rearrange(ROT1);
        y2 = y2.rearrange(ROT2);
        y3 = y3.rearrange(ROT3);
        x0.blend(x1, UNIT1).blend(x2, UNIT2).blend(x3, UNIT3).intoArray(bp, d);
        y0.blend(y1, UNIT1).blend(y2, UNIT2).blend(y3, UNIT3).intoArray(bp, d + stride);
        x3.blend(x0, UNIT1).blend(x1, UNIT2).blend(x2, UNIT3).rearrange(BACK1).intoArray(bp, d + 2 * stride);
        y3.blend(y0, UNIT1).blend(y1, UNIT2).blend(y2, UNIT3).rearrange(BACK1).intoArray(bp, d + 3 * stride);
        x2.blend(x3, UNIT1).blend(x0, UNIT2).blend(x1, UNIT3).rearrange(BACK2).intoArray(bp, d + 4 * stride);
        y2.blend(y3, UNIT1).blend(y0, UNIT2).blend(y1, UNIT3).rearrange(BACK2).intoArray(bp, d + 5 * stride);
        x1.blend(x2, UNIT1).blend(x3, UNIT2).blend(x0, UNIT3).rearrange(BACK3).intoArray(bp, d + 6 * stride);
        y1.blend(y2, UNIT1).blend(y3, UNIT2).blend(y0, UNIT3).rearrange(BACK3).intoArray(bp, d + 7 * stride);
    }
}
