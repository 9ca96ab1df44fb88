package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments fail fast with an IllegalArgumentException naming the op and the shapes; NaN
 * inputs are data, not errors: they flow through to NaN outputs.
 */
class BadInputTest {

    /** Asserts an IllegalArgumentException whose message contains every fragment. */
    static void assertBad(Executable call, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should mention '" + f + "': " + e.getMessage());
        }
    }

    private static final Tensor M23 = Tensor.arange(6).reshape(2, 3);

    @Test
    void mismatchedBroadcastShapes() {
        Tensor b = Tensor.ones(4);
        assertBad(() -> M23.add(b), "add", "[2, 3]", "[4]");
        assertBad(() -> M23.sub(b), "sub", "[2, 3]", "[4]");
        assertBad(() -> M23.mul(b), "mul", "[2, 3]", "[4]");
        assertBad(() -> M23.div(b), "div", "[2, 3]", "[4]");
        assertBad(() -> Tensor.where(Tensor.ones(2, 1), M23, b), "where", "[2, 3]", "[4]");
        assertBad(() -> M23.maskedFill(Tensor.ones(3, 3), 0f), "maskedFill", "[3, 3]", "[2, 3]");
        assertBad(() -> M23.maskedFill(Tensor.ones(4, 2, 3), 0f), "maskedFill", "[4, 2, 3]", "[2, 3]");
    }

    @Test
    void matmulShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertEquals("matmul: cannot multiply [2, 3] by [4, 5]: inner dimensions 3 and 4 differ", e.getMessage());
        assertBad(() -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
        assertBad(() -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 4)), "matmul", "[2, 2, 3]", "[3, 3, 4]");
        assertBad(() -> Tensor.scalar(1f).matmul(Tensor.zeros(2)), "matmul", "[]", "[2]");
    }

    @Test
    void dimensionsOutOfRange() {
        assertBad(() -> M23.sum(2, false), "sum", "2", "rank 2");
        assertBad(() -> M23.mean(-3, true), "mean", "-3");
        assertBad(() -> M23.max(5, false), "max", "5");
        assertBad(() -> M23.softmax(2), "softmax", "2");
        assertBad(() -> M23.logSoftmax(-3), "logSoftmax", "-3");
        assertBad(() -> M23.transpose(0, 2), "transpose", "2");
        assertBad(() -> M23.permute(0, 0), "permute", "repeated");
        assertBad(() -> M23.permute(0), "permute", "[2, 3]");
        assertBad(() -> M23.unsqueeze(3), "unsqueeze", "3");
        assertBad(() -> M23.squeeze(2), "squeeze", "2");
        assertBad(() -> M23.narrow(2, 0, 1), "narrow", "2");
        assertBad(() -> M23.indexSelect(2, new int[] {0}), "indexSelect", "2");
        assertBad(() -> M23.gather(2, new int[] {0}, 1, 1), "gather", "2");
        assertBad(() -> M23.split(1, 2), "split", "2");
        assertBad(() -> M23.chunk(2, -3), "chunk", "-3");
        assertBad(() -> Tensor.cat(2, M23, M23), "cat", "2");
        assertBad(() -> M23.size(2), "size", "2");
        // A 0-d tensor accepts dims 0 and -1 only, as in PyTorch.
        Tensor s = Tensor.scalar(1f);
        assertBad(() -> s.squeeze(1), "squeeze", "1");
        assertBad(() -> s.max(1, false), "max", "1");
        assertBad(() -> s.sum(2, false), "sum", "2");
        assertBad(() -> s.softmax(1), "softmax", "1");
    }

    @Test
    void indicesOutOfRange() {
        assertBad(() -> M23.indexSelect(0, new int[] {0, 2}), "indexSelect", "index 2", "size 2", "[2, 3]");
        assertBad(() -> M23.indexSelect(1, new int[] {-1}), "indexSelect", "-1");
        assertBad(() -> M23.gather(1, new int[] {0, 3}, 1, 2), "gather", "index 3", "size 3");
        assertBad(() -> M23.gather(1, new int[] {0, 1}, 2), "gather", "[2]", "[2, 3]");
        assertBad(() -> M23.gather(1, new int[] {0, 0, 0}, 3, 1), "gather", "[3, 1]", "[2, 3]");
        assertBad(() -> M23.gather(1, new int[] {0}, 3, 1), "gather", "1 indices", "[3, 1]");
        assertBad(() -> M23.crossEntropy(new int[] {0, 3}), "crossEntropy", "target 3", "3 classes");
        assertBad(() -> M23.crossEntropy(new int[] {0, -1}), "crossEntropy", "target -1");
        assertBad(() -> M23.crossEntropy(new int[] {0}), "crossEntropy", "[2, 3]", "1 targets");
        assertBad(() -> M23.get(2, 0), "get", "index 2", "size 2", "[2, 3]");
        assertBad(() -> M23.get(0), "get", "1 indices", "[2, 3]");
        assertBad(() -> M23.detach().set(1f, 0, 3), "set", "index 3");
        assertBad(() -> Tensor.scalar(1f).indexSelect(0, new int[] {0}), "indexSelect", "0-d");
    }

    @Test
    void illegalViews() {
        assertBad(() -> M23.transpose(0, 1).view(6), "view", "[3, 2]", "not contiguous");
        assertBad(() -> M23.reshape(4), "reshape", "[2, 3]", "[4]");
        assertBad(() -> M23.reshape(-1, -1), "reshape", "-1");
        assertBad(() -> M23.reshape(4, -1), "reshape", "[2, 3]", "[4, -1]");
        assertBad(() -> M23.view(7), "view", "[2, 3]", "[7]");
        assertBad(() -> M23.expand(4, 3), "expand", "[2, 3]", "[4, 3]");
        assertBad(() -> M23.expand(3), "expand", "[2, 3]", "[3]");
        assertBad(() -> M23.narrow(1, 2, 2), "narrow(dim 1, start 2, length 2)", "[2, 4)", "size 3", "[2, 3]");
        assertBad(() -> M23.narrow(-1, -1, 2), "narrow(dim -1, start -1, length 2)", "[2, 4) (start -1 is entry 2)",
                "dimension 1 of size 3");
        assertBad(() -> M23.narrow(0, -3, 1), "narrow(dim 0, start -3, length 1)", "start must be in -2..2", "size 2");
        assertBad(() -> M23.narrow(0, 3, 0), "start must be in -2..2");
        assertBad(() -> M23.narrow(0, 0, -1), "narrow(dim 0, start 0, length -1)", "length must not be negative");
        assertBad(() -> M23.narrow(1, 1, Integer.MAX_VALUE), "[1, 2147483648)", "size 3");
        assertBad(() -> M23.split(new int[] {1, 1}, 1), "split", "[1, 1]", "[2, 3]");
        assertBad(() -> M23.chunk(0, 0), "chunk", "0");
        assertBad(() -> Tensor.cat(0, M23, Tensor.zeros(2, 2)), "cat", "[2, 2]", "[2, 3]");
        assertBad(() -> Tensor.cat(0), "cat");
    }

    @Test
    void factoriesAndNnArguments() {
        assertBad(() -> Tensor.of(new float[] {1, 2, 3}, 2, 2), "of", "3 values", "[2, 2]");
        assertBad(() -> Tensor.zeros(2, -1), "zeros", "[2, -1]");
        assertBad(() -> Tensor.full(0f, -3), "[-3]");
        assertBad(() -> Tensor.arange(0f, 5f, 0f), "arange", "0.0");
        assertBad(() -> Tensor.arange(5f, 0f, 1f), "arange");
        assertBad(M23::item, "item", "[2, 3]");
        assertBad(() -> M23.layerNorm(Tensor.ones(2), null, 1e-5f), "layerNorm", "[2]", "[2, 3]", "[3]");
        assertBad(() -> M23.layerNorm(null, Tensor.ones(3, 1), 1e-5f), "layerNorm", "bias", "[3, 1]");
        assertBad(() -> M23.dropout(1.5f, true, new SplittableRandom(1)), "dropout", "1.5");
        assertBad(() -> M23.dropout(Float.NaN, true, new SplittableRandom(1)), "dropout", "NaN");
        assertBad(() -> M23.dropout(0.5f, true, null), "dropout", "needs a random generator");
        assertSame(M23, M23.dropout(0.5f, false, null), "evaluation draws nothing, so needs no generator");
        assertBad(() -> M23.crossEntropy(new int[] {0, -1}), "crossEntropy", "target -1", "the ignore index is -100");
        assertBad(() -> M23.detach().setGrad(Tensor.zeros(3)), "setGrad", "[3]", "[2, 3]");
        assertBad(() -> M23.detach().addInPlace(Tensor.zeros(3, 3)), "addInPlace", "[3, 3]", "[2, 3]");
    }

    @Test
    void zeroDimensionalAndEmptyEdgeCases() {
        Tensor s = Tensor.scalar(2f);
        assertBad(() -> s.gather(0, new int[] {0}), "gather", "0-d");
        assertBad(() -> s.split(1, 0), "split", "0-d");
        assertBad(() -> s.chunk(1, 0), "chunk", "0-d");
        assertBad(() -> s.slice(0, 0, 1), "slice", "0-d");
        assertBad(() -> s.narrow(0, 0, 1), "narrow", "0-d");
        // Not an ArrayIndexOutOfBoundsException from inside (reductions do accept dim 0 of a 0-d tensor, as PyTorch's do).
        assertBad(() -> s.size(0), "size", "0-d");
        assertBad(() -> s.size(-1), "size", "0-d");
        // A range no array can hold: one clear error, not an OutOfMemoryError.
        assertBad(() -> Tensor.arange(0f, 1e10f, 1f), "arange", "more than one tensor can hold");
        assertBad(() -> Tensor.arange(0f, Float.POSITIVE_INFINITY, 1f), "arange", "Infinity values");
        assertBad(() -> Tensor.of(5f).expand(-2), "expand", "-2", "[1]");
        assertBad(() -> Tensor.of(5f).expand(-1, 1), "expand", "-1");
        // Reducing over a dimension of an empty tensor gives an empty result, not a division by zero.
        assertEquals(0, Tensor.zeros(3, 0).max(0, false).numel());
        assertBad(() -> Tensor.zeros(3, 0).max(1, false), "max", "size 0", "[3, 0]");
        assertBad(() -> Tensor.zeros(0, 3).max(), "max: cannot take the maximum of an empty tensor (shape [0, 3])");
        // Slice bounds clamp like Python's.
        assertEquals(0, Tensor.arange(5).slice(0, 7, 9).numel());
        assertEquals(2, Tensor.arange(5).slice(0, -9, 2).numel());
        assertEquals(3f, Tensor.arange(5).slice(0, -2, 100).get(0));
    }

    // ---------------------------------------------------------------- NaN in, NaN out

    private static final float NAN = Float.NaN;

    private static boolean allNaN(Tensor t) {
        for (float v : t.toArray()) if (!Float.isNaN(v)) return false;
        return true;
    }

    @Test
    void nanPropagatesThroughElementwiseOpsAndReductions() {
        Tensor x = Tensor.of(1f, NAN, 3f);
        assertTrue(Float.isNaN(x.add(Tensor.ones(3)).get(1)));
        assertFalse(Float.isNaN(x.add(Tensor.ones(3)).get(0)));
        assertTrue(Float.isNaN(x.exp().get(1)));
        assertTrue(Float.isNaN(x.relu().get(1)));
        assertTrue(Float.isNaN(x.sum().item()));
        assertTrue(Float.isNaN(x.max().item()));
        assertTrue(Float.isNaN(Tensor.of(NAN, 1f, 2f).max().item()));
        Tensor rows = Tensor.of(new float[] {1, NAN, 3, 4, 5, 6}, 2, 3);
        Tensor m = rows.max(1, false);
        assertTrue(Float.isNaN(m.get(0)));
        assertEquals(6f, m.get(1));
        Tensor s = rows.sum(1, false);
        assertTrue(Float.isNaN(s.get(0)));
        assertEquals(15f, s.get(1));
    }

    @Test
    void nanPropagatesThroughSoftmaxMatmulAndLayerNorm() {
        Tensor rows = Tensor.of(new float[] {1, NAN, 3, 4, 5, 6}, 2, 3);
        Tensor sm = rows.softmax(-1);
        assertTrue(allNaN(sm.narrow(0, 0, 1)));
        assertFalse(Float.isNaN(sm.sum(1, false).get(1)));
        assertTrue(allNaN(rows.logSoftmax(-1).narrow(0, 0, 1)));
        Tensor p = rows.matmul(Tensor.ones(3, 2));
        assertTrue(allNaN(p.narrow(0, 0, 1)));
        assertEquals(15f, p.get(1, 0));
        Tensor ln = rows.layerNorm(null, null, 1e-5f);
        assertTrue(allNaN(ln.narrow(0, 0, 1)));
        assertFalse(Float.isNaN(ln.get(1, 1)));
        assertTrue(Float.isNaN(rows.crossEntropy(new int[] {0, 1}).item()));
    }

    @Test
    void backwardThroughNaNDoesNotThrow() {
        Tensor x = Tensor.of(new float[] {1, NAN, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor w = Tensor.ones(3, 2).requiresGrad(true);
        Tensor loss = x.matmul(w).layerNorm(null, null, 1e-5f).softmax(-1).max(1, false).sum()
                .add(x.relu().exp().sum()).add(x.crossEntropy(new int[] {0, 1}));
        loss.backward();
        assertTrue(Float.isNaN(loss.item()));
        assertTrue(Float.isNaN(x.grad().get(0, 1)));
        assertEquals(2, w.grad().dim());
    }
}
