package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.KeepBits;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.VecMath;
import java.util.random.RandomGenerator;

/**
 * Keep/drop decisions of inverted dropout, one bit each (set = kept), shared by the dropout op and
 * the attention op's fused dropout so both draw the same decisions from the same generator.
 *
 * <p>The elements are cut into blocks of {@value #BLOCK}. The caller's generator gives one
 * {@code nextLong()} per block, in block order, on the calling thread; that long seeds a SplitMix64
 * sequence for the block, whose every output decides two elements: bits 40..63 for the even one,
 * 8..31 for the odd one, each a uniform {@code u = k 2^-24} in {@code [0, 1)} (the grid
 * {@code nextFloat()} uses), dropped when {@code u < p} ({@link KeepBits} computes them, several
 * outputs per vector). The blocks are then filled in parallel,
 * and the decisions depend only on the generator's state, not on the thread count. At
 * {@code baby-gpt}'s size the attention weights alone take 150 million decisions per step, which
 * one {@code nextFloat()} each on one thread made a tenth of the step.
 *
 * <p>The bits come from the open {@link Workspace} ({@link Workspace#longScratch}), so a training
 * step with dropout allocates no new ones (they were ~29 MB of {@code baby-gpt}'s step); with no
 * scope open they are a heap array as before. The op that draws them keeps them for its backward,
 * which the scope outlives.
 */
final class DropoutBits {
    private DropoutBits() {}

    /** Elements per generator seed: a multiple of 64, so blocks never share a word of bits. */
    static final int BLOCK = 1 << 14;

    /** Words of bits per block. */
    private static final int BLOCK_WORDS = BLOCK >>> 6;

    /**
     * Decisions for {@code n} elements with drop probability {@code p}: the workspace's words
     * while a scope is open (valid until it closes), else a new array.
     */
    static long[] draw(int n, float p, RandomGenerator rng) {
        long[] bits = Workspace.longScratch((n + 63) >>> 6);
        int blocks = (n + BLOCK - 1) / BLOCK;
        // Each block's seed waits in the block's first word, which the block's own fill reads
        // before it overwrites it: no array of seeds per call, and blocks touch only their own
        // words, so the parallel fills do not race. Drawn here, in block order, on this thread.
        for (int i = 0; i < blocks; i++) bits[i * BLOCK_WORDS] = rng.nextLong();
        // u < p with u = k 2^-24  <=>  k < ceil(p 2^24) (exact: p 2^24 is a float scaled by a power of 2).
        long limit = (long) Math.ceil(p * 16777216.0);
        Parallel.forRange(blocks, 1, blocks >= 4, (lo, hi) -> {
            for (int blk = lo; blk < hi; blk++) {
                fill(bits, blk, Math.min(BLOCK, n - blk * BLOCK), bits[blk * BLOCK_WORDS], limit);
            }
        });
        return bits;
    }

    /** Writes every word of {@code block} (its seed, parked in the first word, is read before). */
    private static void fill(long[] bits, int block, int count, long seed, long limit) {
        KeepBits.fill(bits, block * BLOCK_WORDS, count, seed, limit);
    }

    /** Whether element {@code i} is kept. */
    static boolean kept(long[] bits, int i) {
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    /** Elements per parallel chunk of {@link #scaleKept}. */
    private static final int APPLY_CHUNK = 1 << 14;

    /** A new array {@code kept(i) ? src[i] * scale : 0}, split over the pool when large. */
    static float[] scaleKept(float[] src, long[] bits, float scale) {
        int n = src.length;
        float[] dst = Workspace.scratch(n);   // maskedScale writes every element
        Parallel.forRange(n, APPLY_CHUNK, n >= 2 * APPLY_CHUNK,
                (lo, hi) -> VecMath.maskedScale(dst, lo, src, lo, bits, lo, scale, hi - lo));
        return dst;
    }
}
