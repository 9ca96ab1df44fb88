package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A view is a few small objects (the tensor, its shape and strides): the messages of the errors
 * it may throw are built only when it throws. {@code narrow} runs several times per layer in
 * every forward and backward (the q/k/v split, cat's backward, the position table) and once per
 * sampled token, so text built eagerly for an error that does not happen is garbage on the hot path.
 */
class ViewAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The fewest bytes one call allocated over rounds of 1,000 calls, once warmed up. */
    private static long bytesPerCall(Runnable call) {
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 40; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1000; i++) call.run();
            least = Math.min(least, (THREADS.getCurrentThreadAllocatedBytes() - before) / 1000);
        }
        return least;
    }

    @Test
    void narrowAndSelectAllocateOnlyTheirView() {
        Tensor x = Tensor.zeros(4, 6, 8);
        Tensor[] sink = new Tensor[1];
        try (Grad g = Grad.disabled()) {
            // For comparison: a view that builds no message (a transpose).
            long transpose = bytesPerCall(() -> sink[0] = x.transpose(1, 2));
            long narrow = bytesPerCall(() -> sink[0] = x.narrow(1, 2, 3));
            long negative = bytesPerCall(() -> sink[0] = x.narrow(-1, -4, 2));
            long select = bytesPerCall(() -> sink[0] = x.select(1, -1));
            String seen = "bytes per call: transpose " + transpose + ", narrow " + narrow + ", narrow from the end " + negative
                    + ", select " + select;
            // On JDK 25 (compressed oops): narrow 184 and select 360 bytes, transpose 256; the messages
            // built on every call made narrow 456. The bound leaves room for another object layout.
            assertTrue(narrow <= Math.max(320, transpose), seen);
            assertTrue(negative <= Math.max(320, transpose), seen);
            assertTrue(select <= 2 * Math.max(320, transpose), seen);
        }
    }
}
