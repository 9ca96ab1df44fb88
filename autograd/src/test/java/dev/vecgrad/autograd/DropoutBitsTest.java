package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The shared keep/drop draws of the dropout op and the attention op's fused dropout. */
class DropoutBitsTest {

    @Property(tries = 200, seed = "31")
    void eachDecisionIsTwentyFourBitsOfOneDrawComparedWithP(@ForAll @IntRange(min = 0, max = 300) int n,
                                                            @ForAll @IntRange(min = 0, max = 10) int tenths) {
        float p = tenths / 10f;
        long[] bits = DropoutBits.draw(n, p, new SplittableRandom(n * 11L + tenths));
        SplittableRandom twin = new SplittableRandom(n * 11L + tenths);
        for (int i = 0; i < n; i += 2) {
            long r = twin.nextLong();
            // The same uniform floats nextFloat() would give, one from each half of the draw.
            float hi = (r >>> 40) * 0x1.0p-24f, lo = ((r >>> 8) & 0xFFFFFF) * 0x1.0p-24f;
            assertEquals(!(hi < p), DropoutBits.kept(bits, i), "element " + i);
            if (i + 1 < n) assertEquals(!(lo < p), DropoutBits.kept(bits, i + 1), "element " + (i + 1));
        }
        for (int i = n; i < bits.length * 64; i++) assertEquals(false, DropoutBits.kept(bits, i), "padding bit " + i);
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
