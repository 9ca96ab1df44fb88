package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.vecgrad.autograd.kernel.Parallel;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The shared keep/drop draws of the dropout op and the attention op's fused dropout. */
class DropoutBitsTest {

    @Property(tries = 200, seed = "31")
    void eachDecisionIsTwentyFourBitsOfTheBlocksSplitMixSequence(@ForAll @IntRange(min = 0, max = 40_000) int n,
                                                                 @ForAll @IntRange(min = 0, max = 10) int tenths) {
        float p = tenths / 10f;
        long[] bits = DropoutBits.draw(n, p, new SplittableRandom(n * 11L + tenths));
        // An independent reading of the documented scheme: one seed per block from the caller's
        // generator, then SplitMix64 (state += golden gamma, then its mix) within the block.
        SplittableRandom seeds = new SplittableRandom(n * 11L + tenths);
        for (int start = 0; start < n; start += DropoutBits.BLOCK) {
            long state = seeds.nextLong();
            for (int i = start; i < Math.min(n, start + DropoutBits.BLOCK); i += 2) {
                state += 0x9E3779B97F4A7C15L;
                long z = state;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                long r = z ^ (z >>> 31);
                float hi = (r >>> 40) * 0x1.0p-24f, lo = ((r >>> 8) & 0xFFFFFF) * 0x1.0p-24f;
                assertEquals(!(hi < p), DropoutBits.kept(bits, i), "element " + i);
                if (i + 1 < n) assertEquals(!(lo < p), DropoutBits.kept(bits, i + 1), "element " + (i + 1));
            }
        }
        for (int i = n; i < bits.length * 64; i++) assertEquals(false, DropoutBits.kept(bits, i), "padding bit " + i);
    }

    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void theSameAtAnyThreadCount() {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            long[] one = DropoutBits.draw(200_003, 0.3f, new SplittableRandom(5));
            Parallel.setThreads(2);
            long[] two = DropoutBits.draw(200_003, 0.3f, new SplittableRandom(5));
            assertArrayEquals(one, two);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void recycledWorkspaceWordsGiveTheHeapsDecisions() {
        int n = 5 * DropoutBits.BLOCK + 4321;   // 1348 words (lent, not heap) in six blocks, the last one partial
        long[] heap = DropoutBits.draw(n, 0.3f, new SplittableRandom(9));
        Workspace ws = new Workspace(1L << 30, false);
        long[] first;
        try (var s = ws.open()) {
            first = DropoutBits.draw(n, 0.7f, new SplittableRandom(10));   // leaves other decisions in the words
            assertEquals(8L * heap.length, ws.lentBytes());
        }
        try (var s = ws.open()) {
            long[] again = DropoutBits.draw(n, 0.3f, new SplittableRandom(9));
            assertSame(first, again, "the next scope lends the same words");
            assertArrayEquals(heap, again, "every word rewritten, seeds included");
            assertEquals(ws.lentBytes(), ws.reusedBytes());
        }
        assertEquals(8L * heap.length, ws.heldBytes());
    }

    @Test
    void keptFractionIsOneMinusP() {
        int n = 1_000_003;
        for (float p : new float[] {0.1f, 0.2f, 0.5f, 0.9f}) {
            long[] bits = DropoutBits.draw(n, p, new SplittableRandom(7));
            int kept = 0;
            for (long w : bits) kept += Long.bitCount(w);
            // Binomial standard deviation is at most 500 here; 5 sigma.
            assertEquals((1 - p) * n, kept, 2500, "p=" + p);
        }
    }

    @Test
    void extremesKeepAllOrNothing() {
        RandomGenerator rng = new SplittableRandom(3);
        long[] none = DropoutBits.draw(130, 1f, rng), all = DropoutBits.draw(130, 0f, rng);
        for (int i = 0; i < 130; i++) {
            assertEquals(false, DropoutBits.kept(none, i));
            assertEquals(true, DropoutBits.kept(all, i));
        }
    }
}
