package dev.vecgrad.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The induction task's sequences: targets exactly on the second copy, read off the first. */
class InductionTaskTest {
    @Test
    void everyTargetIsTheTokenAfterTheEarlierOccurrence() {
        InductionTask task = new InductionTask(12);
        for (int block : new int[] {4, 5, 16, 31}) {
            InductionTask.Layout layout = task.sampleWithLayout(200, block, new SplittableRandom(block));
            Batch b = layout.batch();
            Set<Integer> distances = new HashSet<>();
            for (int s = 0; s < 200; s++) {
                int first = -1, last = -1, counted = 0;
                for (int t = 0; t < block; t++) {
                    int tgt = b.targets()[s * block + t];
                    assertTrue(b.idx()[s * block + t] >= 0 && b.idx()[s * block + t] < 12);
                    if (tgt < 0) continue;
                    if (first < 0) first = t;
                    last = t;
                    counted++;
                    if (t + 1 < block) assertEquals(b.idx()[s * block + t + 1], tgt, "the target is the next input");
                }
                // One contiguous run of targets covering copy 2's tokens 2..n: n - 1 of them.
                assertEquals(last - first + 1, counted);
                int n = counted + 1;
                assertTrue(n >= Math.max(2, block / 4) && n <= (block + 1) / 2, "copy length " + n + " at block " + block);
                int r = first - n;                       // the first copy starts n before the second
                assertTrue(r >= 0);
                for (int i = 0; i < n && first + i < block; i++) {
                    assertEquals(b.idx()[s * block + r + i], b.idx()[s * block + first + i], "the two copies agree");
                }
                for (int i = 1; i < n; i++) {
                    int t = first + i - 1;   // predicting copy-2 token i from copy-1 token i
                    assertEquals(b.idx()[s * block + r + i], b.targets()[s * block + t]);
                }
                assertEquals(first, layout.secondCopy()[s], "the layout names the second copy's start");
                assertEquals(n, layout.copyLength()[s]);
                distances.add(n);
            }
            if (block >= 16) assertTrue(distances.size() > 3, "copy lengths vary: " + distances);
        }
    }

    @Test
    void theRepeatedProbeRepeats() {
        Batch b = InductionTask.repeated(3, 5, 7, new SplittableRandom(1));
        assertEquals(10, b.blockSize());
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 5; i++) assertEquals(b.idx()[s * 10 + i], b.idx()[s * 10 + 5 + i]);
            for (int t = 0; t < 10; t++) {
                int want = t >= 5 && t < 9 ? b.idx()[s * 10 + t + 1] : -1;
                assertEquals(want, b.targets()[s * 10 + t]);
            }
        }
    }

    @Test
    void badSizesAreNamed() {
        assertEquals("induction: vocab size must be 2..62, got 1",
                assertThrows(IllegalArgumentException.class, () -> new InductionTask(1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InductionTask(63));
        assertEquals("induction: block size must be >= 4, got 3",
                assertThrows(IllegalArgumentException.class, () -> new InductionTask(5).sample(1, 3, new SplittableRandom(1))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> InductionTask.repeated(1, 1, 5, new SplittableRandom(1)));
        assertEquals(Math.log(16), new InductionTask(16).chanceLoss(), 1e-12);
    }
}
