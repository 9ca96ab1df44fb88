package dev.vecgrad.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.CustomOp;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The published generators keep their promises, and the assertion reports the worst element. */
class TensorArbitrariesTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape();
    }

    @Property(tries = 200, seed = "2101")
    void shapesAreSmallAndOfRankZeroToFour(@ForAll("shapes") int[] shape) {
        assertTrue(shape.length <= 4, "rank " + shape.length);
        assertTrue(TensorArbitraries.numel(shape) <= TensorArbitraries.MAX_NUMEL);
        for (int d : shape) assertTrue(d >= 1);
    }

    @Provide
    Arbitrary<int[][]> pairs() {
        return TensorArbitraries.broadcastPairs();
    }

    @Property(tries = 200, seed = "2102")
    void broadcastPairsBroadcast(@ForAll("pairs") int[][] pair) {
        // Adding tensors of the two shapes is the definition of broadcasting together.
        Tensor sum = Tensor.zeros(pair[0]).add(Tensor.zeros(pair[1]));
        assertEquals(Math.max(pair[0].length, pair[1].length), sum.dim());
    }

    @Provide
    Arbitrary<Tensor> positives() {
        return TensorArbitraries.tensors(Values.POSITIVE);
    }

    @Property(tries = 100, seed = "2103")
    void valuesStayInTheirDomain(@ForAll("positives") Tensor t) {
        for (float v : t.toArray()) assertTrue(v >= 0.5f && v <= 2.5f, "value " + v);
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return TensorArbitraries.vectorTailLengths();
    }

    @Property(tries = 100, seed = "2104")
    void lengthsArePositiveAndBounded(@ForAll("lengths") int n) {
        assertTrue(n >= 1 && n <= 300);
    }

    /** A user op whose backward is wrong by a factor of 2 at every element. */
    private static Tensor wrongSquare(Tensor x) {
        float[] v = x.toArray(), y = new float[v.length];
        for (int i = 0; i < v.length; i++) y[i] = v[i] * v[i];
        return CustomOp.of("wrongSquare", y, x.shape(), g -> new Tensor[] {g.mul(x.detach())}, x);
    }

    @Test
    void assertionFailsWithTheWorstElement() {
        Tensor x = TensorArbitraries.param(new SplittableRandom(3), Values.AWAY_FROM_ZERO, 2, 3);
        AssertionError e = assertThrows(AssertionError.class, () -> GradAssertions.assertGradients(in -> wrongSquare(in[0]), x));
        assertTrue(e.getMessage().startsWith("gradcheck FAILED: worst element is input 0 at ["), e.getMessage());
        GradAssertions.assertGradients(in -> in[0].pow(2), x);   // the right gradient passes
    }
}
