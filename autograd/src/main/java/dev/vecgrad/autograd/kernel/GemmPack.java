package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.GemmKernels.F;
import static dev.vecgrad.autograd.kernel.GemmKernels.L;
import static dev.vecgrad.autograd.kernel.GemmKernels.MR;
import static dev.vecgrad.autograd.kernel.GemmKernels.NR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Packs op(A) and op(B) into the micro-panel layouts {@link GemmKernels} reads (see its class
 * comment). Package-private.
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
    /** Rows of op(A) = A^T packed per pass down the storage rows: one 64-byte cache line of floats. */
    private static final int LINE = Math.max(16, MR);

    // Permute indices for the transposes; index i < 16 picks lane i of the first source, 16 + i
    // lane i of the second. Stage 1 interleaves single floats of two rows, stage 2 pairs, stage 3
    // groups of four, stage 4 groups of eight.
    private static final float[] S1_LO = interleave(1, 0);
    private static final float[] S1_HI = interleave(1, 8);
    private static final float[] S2_LO = interleave(2, 0);
    private static final float[] S2_HI = interleave(2, 8);
    private static final float[] S3_LO = interleave(4, 0);
    private static final float[] S3_HI = interleave(4, 8);
    private static final float[] S4_LO = interleave(8, 0);
    private static final float[] S4_HI = interleave(8, 8);
    /** Lanes 0-7 and 8-15 of a 16-lane vector (only used when {@link #VECTOR_TRANSPOSE}). */
    private static final VectorMask<Float> LOW_HALF = VectorMask.fromLong(F, 0x00FFL);
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(F, 0xFF00L);

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
     * Packs op(A) rows {@code [i0, i0+mc)}, columns {@code [p0, p0+kc)} into {@code ap} as
     * consecutive MR-row micro-panels ({@code ceil(mc/MR)*MR*kc} floats, the last one zero-padded).
     * Modifies {@code ap}.
     */
    static void packA(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc) {
        packA(ap, transA, a, aOff, lda, i0, mc, p0, kc, null, 0);
    }

    /**
     * {@link #packA}, and when {@code rowSums} is not null, adds each packed row's kc floats to
     * {@code rowSums[rsOff + i]} (row i of the block, i in {@code [0, mc)}), one float after the
     * other in order of p: the bits of the plain loop {@code s += op(A)[i][p]}, so a caller that
     * packs consecutive k blocks in order gets the sequential sum over all of k. The 16-lane
     * transposed path sums in the same pass as it copies (the weight gradient's A, whose row sums
     * are a bias gradient); the others sum the packed panel afterwards, from cache. Modifies
     * {@code ap} and {@code rowSums}.
     */
    static void packA(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float[] rowSums, int rsOff) {
        if (transA && VECTOR_TRANSPOSE) {
            packATransposed16(ap, a, aOff, lda, i0, mc, p0, kc, rowSums, rsOff);
            return;
        }
        packAOther(ap, transA, a, aOff, lda, i0, mc, p0, kc);
        if (rowSums != null) addRowSums(ap, 0, mc, kc, rowSums, rsOff);
    }

    /** {@link #packA} for every case but the 16-lane transposed one. Modifies {@code ap}. */
    private static void packAOther(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0,
                                   int kc) {
        if (transA || !(VECTOR_TRANSPOSE || VECTOR_TRANSPOSE_A8)) {
            packAScalar(ap, transA, a, aOff, lda, i0, mc, p0, kc);
            return;
        }
        int full = mc / MR * MR;
        for (int ir = 0; ir < full; ir += MR) {
            int src = aOff + (i0 + ir) * lda + p0;
            int base = ir * kc;
            int p = VECTOR_TRANSPOSE ? transposeRows8(ap, base, a, src, lda, kc)
                    : GemmPack8.rows4(ap, base, a, src, lda, kc);
            for (; p < kc; p++) {
                for (int r = 0; r < MR; r++) {
                    ap[base + p * MR + r] = a[src + r * lda + p];
                }
            }
        }
        if (full < mc) {
            // The last, partial micro-panel: element by element, zero-padded.
            packAScalar(ap, false, a, aOff, lda, i0 + full, mc - full, p0, kc, full * kc);
        }
    }

    /**
     * {@link #packA} of op(A) = A^T (A stored (k, m)) for 16 lanes and 8-row micro-panels: each
     * storage row's 16 floats for two adjacent micro-panels are one vector load and two masked
     * stores (the low half into the first panel, the high half into the second), 16 rows of op(A)
     * per pass down the kc storage rows. The plain float copies of {@link #transposedRows} cost
     * 0.77 ns a float for a weight gradient's A (baby-gpt, 1152 x 16384 TN), 14 % of the product's
     * time and most of its gap to the same shape untransposed; this way 0.34-0.45 ns (2026-12-07, Zen 5).
     * A last group of 8 rows, if any, and the padding go through the element copies.
     * Modifies {@code ap}.
     */
    private static void packATransposed16(float[] ap, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                                          float[] rowSums, int rsOff) {
        int pairs = mc / 16 * 16, src = aOff + p0 * lda + i0, panel = MR * kc;
        for (int ib = 0; ib < pairs; ib += 16) {
            int from = src + ib, to = ib * kc;
            if (rowSums == null) {
                for (int p = 0; p < kc; p++, from += lda, to += MR) {
                    FloatVector v = FloatVector.fromArray(F, a, from);
                    v.intoArray(ap, to, LOW_HALF);
                    v.intoArray(ap, to + panel - MR, HIGH_HALF);   // lanes 8-15 land at the next panel's row p
                }
            } else {
                // Lane r sums row ib + r of op(A) in order of p, as the scalar loop would.
                FloatVector sum = FloatVector.fromArray(F, rowSums, rsOff + ib);
                for (int p = 0; p < kc; p++, from += lda, to += MR) {
                    FloatVector v = FloatVector.fromArray(F, a, from);
                    v.intoArray(ap, to, LOW_HALF);
                    v.intoArray(ap, to + panel - MR, HIGH_HALF);
                    sum = sum.add(v);
                }
                sum.intoArray(rowSums, rsOff + ib);
            }
        }
        if (pairs < mc) {
            packAScalar(ap, true, a, aOff, lda, i0 + pairs, mc - pairs, p0, kc, pairs * kc);
            if (rowSums != null) addRowSums(ap, pairs * kc, mc - pairs, kc, rowSums, rsOff + pairs);
        }
    }

    /**
     * Adds the kc floats of each of {@code rows} packed rows (micro-panels from {@code ap[apOff]})
     * to {@code rowSums[rsOff + i]}, in order of p. Modifies {@code rowSums}.
     */
    private static void addRowSums(float[] ap, int apOff, int rows, int kc, float[] rowSums, int rsOff) {
        for (int i = 0; i < rows; i++) {
            int d = apOff + (i / MR) * MR * kc + i % MR;
            float s = rowSums[rsOff + i];
            for (int p = 0; p < kc; p++, d += MR) {
                s += ap[d];
            }
            rowSums[rsOff + i] = s;
        }
    }

    /**
     * Transposes 8 rows of A (from {@code a[src]}, leading dimension lda) into one A micro-panel at
     * {@code ap[base]}, 16 columns at a time; returns the number of columns done (kc rounded down
     * to 16). Each block: 8 row loads, 24 permutes, 8 stores of two packed columns each.
     */
    private static int transposeRows8(float[] ap, int base, float[] a, int src, int lda, int kc) {
        FloatVector s1l = FloatVector.fromArray(F, S1_LO, 0), s1h = FloatVector.fromArray(F, S1_HI, 0);
        FloatVector s2l = FloatVector.fromArray(F, S2_LO, 0), s2h = FloatVector.fromArray(F, S2_HI, 0);
        FloatVector s3l = FloatVector.fromArray(F, S3_LO, 0), s3h = FloatVector.fromArray(F, S3_HI, 0);
        int p = 0;
        for (; p + 16 <= kc; p += 16) {
            FloatVector r0 = FloatVector.fromArray(F, a, src + p);
            FloatVector r1 = FloatVector.fromArray(F, a, src + lda + p);
            FloatVector r2 = FloatVector.fromArray(F, a, src + 2 * lda + p);
            FloatVector r3 = FloatVector.fromArray(F, a, src + 3 * lda + p);
            FloatVector r4 = FloatVector.fromArray(F, a, src + 4 * lda + p);
            FloatVector r5 = FloatVector.fromArray(F, a, src + 5 * lda + p);
            FloatVector r6 = FloatVector.fromArray(F, a, src + 6 * lda + p);
            FloatVector r7 = FloatVector.fromArray(F, a, src + 7 * lda + p);
            // Rows paired float by float: columns 0-7 (l) and 8-15 (h) of rows 2g, 2g+1.
            FloatVector t01l = s1l.selectFrom(r0, r1), t01h = s1h.selectFrom(r0, r1);
            FloatVector t23l = s1l.selectFrom(r2, r3), t23h = s1h.selectFrom(r2, r3);
            FloatVector t45l = s1l.selectFrom(r4, r5), t45h = s1h.selectFrom(r4, r5);
            FloatVector t67l = s1l.selectFrom(r6, r7), t67h = s1h.selectFrom(r6, r7);
            // Four rows per column: columns 0-3, 4-7, 8-11, 12-15.
            FloatVector q0 = s2l.selectFrom(t01l, t23l), q4 = s2h.selectFrom(t01l, t23l);
            FloatVector q8 = s2l.selectFrom(t01h, t23h), q12 = s2h.selectFrom(t01h, t23h);
            FloatVector u0 = s2l.selectFrom(t45l, t67l), u4 = s2h.selectFrom(t45l, t67l);
            FloatVector u8 = s2l.selectFrom(t45h, t67h), u12 = s2h.selectFrom(t45h, t67h);
            // Eight rows per column, two columns per vector.
            int d = base + p * MR;
            s3l.selectFrom(q0, u0).intoArray(ap, d);
            s3h.selectFrom(q0, u0).intoArray(ap, d + 16);
            s3l.selectFrom(q4, u4).intoArray(ap, d + 32);
            s3h.selectFrom(q4, u4).intoArray(ap, d + 48);
            s3l.selectFrom(q8, u8).intoArray(ap, d + 64);
            s3h.selectFrom(q8, u8).intoArray(ap, d + 80);
            s3l.selectFrom(q12, u12).intoArray(ap, d + 96);
            s3h.selectFrom(q12, u12).intoArray(ap, d + 112);
        }
        return p;
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

    /** Element-by-element {@link #packA}: the twin of the transposes, and the path for other species. */
    static void packAScalar(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc) {
        packAScalar(ap, transA, a, aOff, lda, i0, mc, p0, kc, 0);
    }

    private static void packAScalar(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc,
                                    int p0, int kc, int apOff) {
        int padded = (mc + MR - 1) / MR * MR;
        if (!transA) {
            // A (m, k) row-major: read each row contiguously, write with stride MR.
            for (int i = 0; i < mc; i++) {
                int src = aOff + (i0 + i) * lda + p0;
                int d = apOff + (i / MR) * MR * kc + i % MR;
                for (int p = 0; p < kc; p++, d += MR) {
                    ap[d] = a[src + p];
                }
            }
        } else {
            // A stored (k, m): op(A)(i, p) = a[p*lda + i]. Sixteen rows of op(A) (one 64-byte line
            // of a storage row) at a time, down all kc storage rows: every line read is used
            // whole, and the stores go to at most four micro-panels. Sweeping every micro-panel
            // per storage row instead stored to mc/MR places MR*kc floats apart, 4 KB apart on
            // AVX2 at kc = 256: they share one L1 set and each store missed (a 256^3 TN product
            // spent 11 % of its time here). This way: 256^3 TN +4 %, 128x128x768 TN +16 % (1 thread,
            // same-JVM A/B, AVX2 Zen 3, 2026-12-06). With 4-row micro-panels (AVX2) one
            // micro-panel at a time is faster still (panelsOf4); 8-row ones keep the 16-row passes,
            // which is what was measured for them.
            int full = mc / MR * MR;
            if (MR == 4) {
                panelsOf4(ap, apOff, a, aOff + p0 * lda + i0, lda, kc, full);
            } else {
                for (int ib = 0; ib < full; ib += LINE) {
                    transposedRows(ap, apOff, a, aOff + p0 * lda + i0, lda, kc, ib, Math.min(full, ib + LINE));
                }
            }
            if (full < mc) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0;
                    int d = apOff + p * MR + full * kc;
                    for (int r = 0; full + r < mc; r++) {
                        ap[d + r] = a[src + full + r];
                    }
                }
            }
        }
        // Zero the padding rows of the last micro-panel so the kernel may read them.
        for (int i = mc; i < padded; i++) {
            int d = apOff + (i / MR) * MR * kc + i % MR;
            for (int p = 0; p < kc; p++, d += MR) {
                ap[d] = 0f;
            }
        }
    }

    /**
     * Rows {@code [0, full)} (whole 4-row micro-panels) of op(A) = A^T, A stored (k, m) from
     * {@code a[src]}, for MR = 4 (AVX2): one micro-panel at a time, down all kc storage rows, four
     * explicit float copies per row. The stores form one sequential stream and each storage line
     * read serves the next three micro-panels from cache. Against {@link #transposedRows} (16
     * rows per pass, stores spread over four micro-panels) it packs 1.6-2.1x faster: 0.36-0.45
     * against 0.72-0.84 ns a float for A stored 128x768, 768x512, 768x384 and 64x64, one core,
     * AVX2 Zen 3, 2026-12-06. The same loop with an inner {@code r < MR} loop ran 0.6-0.8 ns a
     * float (C2 compiled it differently), and a 4-lane vector copy risks the boxing described at
     * {@link #transposedRows}, so: plain statements. Modifies {@code ap}.
     */
    private static void panelsOf4(float[] ap, int apOff, float[] a, int src, int lda, int kc, int full) {
        for (int i = 0; i < full; i += 4) {
            int to = apOff + i * kc, from = src + i;
            for (int p = 0; p < kc; p++, to += 4, from += lda) {
                ap[to] = a[from];
                ap[to + 1] = a[from + 1];
                ap[to + 2] = a[from + 2];
                ap[to + 3] = a[from + 3];
            }
        }
    }

    /**
     * Rows {@code [ib, iEnd)} (whole micro-panels) of op(A) = A^T, A stored (k, m) from
     * {@code a[src]}: for each of the kc storage rows, MR floats at a time into their micro-panels.
     * Plain float copies, not an MR-lane vector: compiled inside a training step (not in
     * KernelAllocationTest's loop) the vector load and store were boxed, and a shakespeare-char
     * step allocated 41 MB instead of 0.4 (linear and attention backward, both TN products);
     * a copy of MR constant-indexed floats is unrolled by C2 and cannot allocate. Modifies {@code ap}.
     */
    private static void transposedRows(float[] ap, int apOff, float[] a, int src, int lda, int kc, int ib, int iEnd) {
        for (int p = 0; p < kc; p++) {
            int row = src + p * lda;
            int d = apOff + p * MR;
            for (int i = ib; i < iEnd; i += MR) {
                int from = row + i, to = d + i * kc;
                for (int r = 0; r < MR; r++) {
                    ap[to + r] = a[from + r];
                }
            }
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
