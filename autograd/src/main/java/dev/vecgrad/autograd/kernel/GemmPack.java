package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.GemmKernels.F;
import static dev.vecgrad.autograd.kernel.GemmKernels.L;
import static dev.vecgrad.autograd.kernel.GemmKernels.MR;
import static dev.vecgrad.autograd.kernel.GemmKernels.NR;

import jdk.incubator.vector.FloatVector;

/**
 * Packs op(B) into the micro-panel layout {@link GemmKernels} reads (see its class comment), and
 * holds what op(A)'s packing ({@link GemmPackA}) shares with it: the gates and permute tables of
 * the vector transposes. Package-private.
 *
 * <p>Two of the four cases are transposes: A stored (m, k) must become columns of MR rows, and B
 * stored (n, k) (op NT) rows of NR columns. Element by element they cost 5-7 % of a 512^3 product
 * on one core (scalar loads and stores, one float each); with 512-bit vectors they are done as
 * in-register transposes of 8x16 and 16x16 blocks with two-source permutes ({@code selectFrom},
 * VPERMI2PS/VPERMT2PS), 3-4x faster (A of a 512^3 product: 23 us against 62-105 us). With 256-bit
 * vectors (AVX2, MR = 4, NR = 16) {@link GemmPack8} transposes 4x8 blocks of A and 8x8 blocks of
 * B with one-source permutes and blends, since AVX2 has no two-source permute: on a Zen 3, 2.1x
 * (A) and 2.4x (B) faster than element by element (its class comment has the figures). A 256^3
 * product on one core went from 72.7 to 75.7 GFLOP/s (NN) and from 68.8 to 77.7 (NT) (medians of
 * 25 repetitions), and a shakespeare-char step's products at 1 thread from 38-40 to 34-37 ms
 * (linear backward) and from 13-14 to 9-10 ms (attention and its backward), in runs alternating
 * the two builds (bench/RESULTS.md, 2026-12-06, AVX2 packing). Each transpose is gated on the exact
 * lane count and panel shape it is written for; any other combination (another MR for AVX2, say)
 * uses the element-by-element twins, which are also the reference the tests compare the
 * transposes with (they must agree exactly: packing moves floats, it does no arithmetic).
 */
final class GemmPack {
    /** The 16-lane transposes are written for 16 lanes and an 8-row A micro-panel. */
    static final boolean VECTOR_TRANSPOSE = L == 16 && MR == 8;
    /** {@link GemmPack8#rows4} is written for 8 lanes and a 4-row A micro-panel. */
    static final boolean VECTOR_TRANSPOSE_A8 = L == 8 && MR == 4;
    /** {@link GemmPack8#block8} fills 8 columns of a panel: two per panel at 8 lanes, NR = 16. */
    static final boolean VECTOR_TRANSPOSE_B8 = L == 8 && NR == 16;
    /** Floats of scratch {@link #packBPanel} needs: one 16x16 block. */
    static final int SCRATCH = 256;

    // Permute indices for the transposes; index i < 16 picks lane i of the first source, 16 + i
    // lane i of the second. Stage 1 interleaves single floats of two rows, stage 2 pairs, stage 3
    // groups of four, stage 4 groups of eight.
    static final float[] S1_LO = interleave(1, 0);
    static final float[] S1_HI = interleave(1, 8);
    static final float[] S2_LO = interleave(2, 0);
    static final float[] S2_HI = interleave(2, 8);
    static final float[] S3_LO = interleave(4, 0);
    static final float[] S3_HI = interleave(4, 8);
    private static final float[] S4_LO = interleave(8, 0);
    private static final float[] S4_HI = interleave(8, 8);

    private GemmPack() {}

    /**
     * Indices that alternate runs of {@code run} lanes from the two sources, starting at lane
     * {@code from} of each: run 1 from 0 gives 0, 16, 1, 17, ..., 7, 23.
     */
    private static float[] interleave(int run, int from) {
        float[] idx = new float[16];
        for (int i = 0; i < 16; i++) {
            int group = i / (2 * run), inGroup = i % (2 * run);
            int lane = from + group * run + inGroup % run;
            idx[i] = inGroup < run ? lane : 16 + lane;
        }
        return idx;
    }


    /**
     * Transposes the 16x16 block of B storage at {@code b[src]} (leading dimension ldb) into 16
     * rows of 16 floats at {@code bp[d + p*NR]}, in two halves through {@code scratch} (256 floats):
     * one method doing all four permute stages would exceed C2's inlining node budget, and a
     * vector passed between methods that are not inlined is boxed on the heap.
     */
    private static void transposeBlock16(float[] bp, int d, float[] b, int src, int ldb, float[] scratch) {
        groupsOf4(scratch, b, src, ldb);
        columnsOf16(bp, d, scratch);
    }

    /**
     * Stages 1 and 2 for each group of four rows 4g..4g+3: stores the rows' columns 4c..4c+3
     * (four floats each, column by column) at {@code t[(4g + c) * 16]}. Modifies {@code t}.
     */
    private static void groupsOf4(float[] t, float[] b, int src, int ldb) {
        FloatVector s1l = FloatVector.fromArray(F, S1_LO, 0), s1h = FloatVector.fromArray(F, S1_HI, 0);
        FloatVector s2l = FloatVector.fromArray(F, S2_LO, 0), s2h = FloatVector.fromArray(F, S2_HI, 0);
        for (int g = 0; g < 4; g++) {
            int row = src + 4 * g * ldb;
            FloatVector r0 = FloatVector.fromArray(F, b, row);
            FloatVector r1 = FloatVector.fromArray(F, b, row + ldb);
            FloatVector r2 = FloatVector.fromArray(F, b, row + 2 * ldb);
            FloatVector r3 = FloatVector.fromArray(F, b, row + 3 * ldb);
            FloatVector t01l = s1l.selectFrom(r0, r1), t01h = s1h.selectFrom(r0, r1);
            FloatVector t23l = s1l.selectFrom(r2, r3), t23h = s1h.selectFrom(r2, r3);
            int o = 64 * g;
            s2l.selectFrom(t01l, t23l).intoArray(t, o);
            s2h.selectFrom(t01l, t23l).intoArray(t, o + 16);
            s2l.selectFrom(t01h, t23h).intoArray(t, o + 32);
            s2h.selectFrom(t01h, t23h).intoArray(t, o + 48);
        }
    }

    /**
     * Stages 3 and 4: for each group of four columns, joins the four row groups into whole
     * 16-float columns and stores column p at {@code bp[d + p*NR]}. Modifies {@code bp}.
     */
    private static void columnsOf16(float[] bp, int d, float[] t) {
        FloatVector s3l = FloatVector.fromArray(F, S3_LO, 0), s3h = FloatVector.fromArray(F, S3_HI, 0);
        FloatVector s4l = FloatVector.fromArray(F, S4_LO, 0), s4h = FloatVector.fromArray(F, S4_HI, 0);
        for (int c = 0; c < 4; c++) {
            FloatVector x0 = FloatVector.fromArray(F, t, 16 * c);
            FloatVector x1 = FloatVector.fromArray(F, t, 64 + 16 * c);
            FloatVector x2 = FloatVector.fromArray(F, t, 128 + 16 * c);
            FloatVector x3 = FloatVector.fromArray(F, t, 192 + 16 * c);
            FloatVector lo01 = s3l.selectFrom(x0, x1), hi01 = s3h.selectFrom(x0, x1);
            FloatVector lo23 = s3l.selectFrom(x2, x3), hi23 = s3h.selectFrom(x2, x3);
            int o = d + 4 * c * NR;
            s4l.selectFrom(lo01, lo23).intoArray(bp, o);
            s4h.selectFrom(lo01, lo23).intoArray(bp, o + NR);
            s4l.selectFrom(hi01, hi23).intoArray(bp, o + 2 * NR);
            s4h.selectFrom(hi01, hi23).intoArray(bp, o + 3 * NR);
        }
    }

    /**
     * Packs op(B) rows {@code [p0, p0+kc)}, columns {@code [j, j + width)} as one NR-column
     * micro-panel at {@code bp[base ...]} ({@code kc*NR} floats, zero-padded). {@code scratch}
     * (at least {@link #SCRATCH} floats) is working space for the transposes. Modifies {@code bp}
     * and {@code scratch}.
     */
    static void packBPanel(float[] bp, int base, boolean transB, float[] b, int bOff, int ldb,
                           int p0, int kc, int j, int width, float[] scratch) {
        if (!transB) {
            // B (k, n) row-major: each packed row is a contiguous slice of a B row.
            for (int p = 0; p < kc; p++) {
                int src = bOff + (p0 + p) * ldb + j;
                int d = base + p * NR;
                if (width == NR) {
                    FloatVector.fromArray(F, b, src).intoArray(bp, d);
                    FloatVector.fromArray(F, b, src + L).intoArray(bp, d + L);
                } else {
                    System.arraycopy(b, src, bp, d, width);
                    for (int jj = width; jj < NR; jj++) {
                        bp[d + jj] = 0f;
                    }
                }
            }
            return;
        }
        if (!(VECTOR_TRANSPOSE || VECTOR_TRANSPOSE_B8) || width < NR) {
            packBTransScalar(bp, base, b, bOff, ldb, p0, kc, j, width);
            return;
        }
        // B stored (n, k): the panel's NR columns are NR storage rows, transposed in 16x16 blocks
        // (16 lanes) or 8x8 blocks (8 lanes).
        int src = bOff + j * ldb + p0;
        int block = VECTOR_TRANSPOSE ? 16 : 8;
        int done = kc / block * block;
        for (int p = 0; p < done; p += block) {
            for (int h = 0; h < NR; h += block) {
                if (VECTOR_TRANSPOSE) {
                    transposeBlock16(bp, base + p * NR + h, b, src + h * ldb + p, ldb, scratch);
                } else {
                    GemmPack8.block8(bp, base + p * NR + h, NR, b, src + h * ldb + p, ldb);
                }
            }
        }
        if (done < kc) {
            packBTransScalar(bp, base + done * NR, b, bOff, ldb, p0 + done, kc - done, j, width);
        }
    }

    /** Element-by-element {@link #packBPanel} for op NT: the twin of the transposes. */
    static void packBPanelScalar(float[] bp, int base, boolean transB, float[] b, int bOff, int ldb,
                                 int p0, int kc, int j, int width) {
        if (!transB) {
            packBPanel(bp, base, false, b, bOff, ldb, p0, kc, j, width, null);
        } else {
            packBTransScalar(bp, base, b, bOff, ldb, p0, kc, j, width);
        }
    }

    /** B stored (n, k): op(B)(p, j) = b[j*ldb + p]; reads rows of storage, writes strided, zero-pads. */
    private static void packBTransScalar(float[] bp, int base, float[] b, int bOff, int ldb, int p0, int kc,
                                         int j, int width) {
        for (int jj = 0; jj < width; jj++) {
            int src = bOff + (j + jj) * ldb + p0;
            for (int p = 0, d = base + jj; p < kc; p++, d += NR) {
                bp[d] = b[src + p];
            }
        }
        for (int jj = width; jj < NR; jj++) {
            for (int p = 0, d = base + jj; p < kc; p++, d += NR) {
                bp[d] = 0f;
            }
        }
    }
}
