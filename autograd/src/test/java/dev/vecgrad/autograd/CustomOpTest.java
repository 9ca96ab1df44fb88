package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * A user's backward function that breaks the contract of {@link Backward} (one gradient per
 * input, each of the input's shape or one it broadcasts to) fails with the op's name, not with an
 * ArrayIndexOutOfBounds or NullPointerException from inside the engine.
 */
class CustomOpTest {
    private static String backwardFails(Backward backward) {
        Tensor x = Tensor.of(1, 2).requiresGrad(true);
        Tensor y = CustomOp.of("twice", new float[] {2, 4}, new int[] {2}, backward, x);
        return assertThrows(IllegalStateException.class, () -> y.sum().backward()).getMessage();
    }

    @Test
    void tooFewGradientsNameTheOp() {
        assertEquals("backward of 'twice': returned 0 gradients for 1 inputs; return an array with one gradient per"
                + " input, in input order (null for an input that needs none)", backwardFails(g -> new Tensor[0]));
    }

    @Test
    void aNullArrayNamesTheOp() {
        assertEquals("backward of 'twice': returned null for 1 inputs; return an array with one gradient per"
                + " input, in input order (null for an input that needs none)", backwardFails(g -> null));
    }

    @Test
    void aGradientOfTheWrongShapeNamesTheOpAndBothShapes() {
        assertEquals("backward of 'twice': the gradient for input 0 has shape [3], which is neither the input's shape [2]"
                + " nor a shape that [2] broadcasts to", backwardFails(g -> new Tensor[] {Tensor.ones(3)}));
        assertEquals("backward of 'twice': the gradient for input 0 has shape [], which is neither the input's shape [2]"
                + " nor a shape that [2] broadcasts to", backwardFails(g -> new Tensor[] {Tensor.scalar(1)}));
    }

    @Test
    void aGradientOfTheBroadcastShapeIsSummedBack() {
        Tensor x = Tensor.of(1, 2).requiresGrad(true);
        CustomOp.of("twice", new float[] {2, 4}, new int[] {2}, g -> new Tensor[] {Tensor.ones(3, 2)}, x).sum().backward();
        assertArrayEquals(new float[] {3, 3}, x.grad().toArray());
    }
}
