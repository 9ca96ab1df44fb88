package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The autograd example shown in README.md, compiled and run as a test: keep the two in sync. */
class ReadmeExampleTest {

    @Test
    void readmeExample() {
        // --- README example start
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);        // data, no grad
        Tensor w = Tensor.randn(new SplittableRandom(42), 3, 2)            // weights [3, 2], seeded
                .requiresGrad(true);
        Tensor b = Tensor.zeros(2).requiresGrad(true);                     // bias [2]
        Tensor y = x.matmul(w).add(b).tanh();                              // [2, 2], broadcast bias
        Tensor loss = y.pow(2).mean();                                     // a scalar
        loss.backward();                                                   // fills w.grad(), b.grad()
        System.out.println(w.grad());                                      // d loss / d w, shape [3, 2]
        var check = GradCheck.check(in -> in[0].matmul(in[1]).add(in[2]).tanh().pow(2).mean(), x, w, b);
        System.out.println(check.report());                                // gradcheck passed: ...
        // --- README example end
        check.assertOk();
        assertArrayEquals(new int[] {3, 2}, w.grad().shape());
        assertArrayEquals(new int[] {2}, b.grad().shape());
        assertEquals(0, loss.dim());
    }
}
