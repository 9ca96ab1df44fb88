package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.GemmKernels.F;
import static dev.vecgrad.autograd.kernel.GemmKernels.MR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Packs op(A) into the MR-row micro-panels {@link GemmKernels} reads, and takes op(A)'s row sums
 * on the way when asked ({@link Gemm#sgemmRowSums}); {@link GemmPack} packs op(B) and holds the
 * permute tables both use (its class comment has the reasons and figures for the transposes).
 * Package-private.
 */
final class GemmPackA {
    /** Rows of op(A) = A^T packed per pass down the storage rows: one 64-byte cache line of floats. */
    private static final int LINE = Math.max(16, MR);
    /** Lanes 0-7 and 8-15 of a 16-lane vector (only used when {@link GemmPack#VECTOR_TRANSPOSE}). */
    private static final VectorMask<Float> LOW_HALF = VectorMask.fromLong(F, 0x00FFL);
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(F, 0xFF00L);

    private GemmPackA() {}

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
        if (transA && GemmPack.VECTOR_TRANSPOSE) {
            packATransposed16(ap, a, aOff, lda, i0, mc, p0, kc, rowSums, rsOff);
            return;
        }
        packAOther(ap, transA, a, aOff, lda, i0, mc, p0, kc);
        if (rowSums != null) addRowSums(ap, 0, mc, kc, rowSums, rsOff);
    }

    /** {@link #packA} for every case but the 16-lane transposed one. Modifies {@code ap}. */
    private static void packAOther(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0,
                                   int kc) {
        if (transA || !(GemmPack.VECTOR_TRANSPOSE || GemmPack.VECTOR_TRANSPOSE_A8)) {
            packAScalar(ap, transA, a, aOff, lda, i0, mc, p0, kc);
            return;
        }
        int full = mc / MR * MR;
        for (int ir = 0; ir < full; ir += MR) {
            int src = aOff + (i0 + ir) * lda + p0;
            int base = ir * kc;
            int p = GemmPack.VECTOR_TRANSPOSE ? transposeRows8(ap, base, a, src, lda, kc)
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
        FloatVector s1l = FloatVector.fromArray(F, GemmPack.S1_LO, 0), s1h = FloatVector.fromArray(F, GemmPack.S1_HI, 0);
        FloatVector s2l = FloatVector.fromArray(F, GemmPack.S2_LO, 0), s2h = FloatVector.fromArray(F, GemmPack.S2_HI, 0);
        FloatVector s3l = FloatVector.fromArray(F, GemmPack.S3_LO, 0), s3h = FloatVector.fromArray(F, GemmPack.S3_HI, 0);
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
}
