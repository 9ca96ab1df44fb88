package dev.vecgrad.testing;

import dev.vecgrad.autograd.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for property tests of tensor code: shapes whose sizes lean on 1 (broadcasting
 * and squeeze corner cases) and small primes (no accidental divisibility), with the occasional
 * size around the SIMD width; broadcast-compatible shape pairs; lengths around multiples of the
 * vector width (for kernels with a scalar tail); and values shaped for each op's domain.
 *
 * <p>vecgrad's own gradient properties are written with these. A property of your own op:
 *
 * <pre>{@code
 * @Property(tries = 50)
 * void softplusGradient(@ForAll("shapes") int[] shape, @ForAll long seed) {
 *     Tensor x = TensorArbitraries.param(new SplittableRandom(seed), Values.ANY, shape);
 *     GradAssertions.assertGradients(in -> MyOps.softplus(in[0]), x);
 * }
 *
 * @Provide
 * Arbitrary<int[]> shapes() {
 *     return TensorArbitraries.shape();
 * }
 * }</pre>
 *
 * <p>Shapes come from jqwik; values are drawn from a {@code long} seed that jqwik also supplies,
 * so a property is deterministic under a fixed {@code @Property(seed = ...)} and shrinks well.
 */
public final class TensorArbitraries {
    /**
     * The most elements a generated shape has: GradCheck evaluates the function twice per input
     * element, so larger shapes make a property slow without finding more bugs.
     */
    public static final int MAX_NUMEL = 60;

    private TensorArbitraries() {}

    /**
     * One dimension size: mostly 1, 2, 3, 5, 7; now and then 8, 9, 16 or 17. Size 1 is frequent
     * because broadcasting and squeezing go wrong there; 8, 9, 16 and 17 cross a vector's lane count.
     *
     * @return the sizes, shrinking towards 1
     */
    public static Arbitrary<Integer> size() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(1)),
                Tuple.of(5, Arbitraries.just(2)),
                Tuple.of(5, Arbitraries.just(3)),
                Tuple.of(4, Arbitraries.just(5)),
                Tuple.of(3, Arbitraries.just(7)),
                Tuple.of(2, Arbitraries.of(8, 9, 16, 17)));
    }

    /**
     * Shapes of a rank in {@code minRank..maxRank}, made small enough by {@link #fit}.
     *
     * @param minRank the smallest rank (0 allows scalars)
     * @param maxRank the largest rank
     * @return shapes with at most {@link #MAX_NUMEL} elements
     */
    public static Arbitrary<int[]> shape(int minRank, int maxRank) {
        return Arbitraries.integers().between(minRank, maxRank)
                .flatMap(r -> size().list().ofSize(r))
                .map(l -> fit(l.stream().mapToInt(Integer::intValue).toArray(), MAX_NUMEL));
    }

    /** {@return shapes of rank 0 to 4 with at most {@link #MAX_NUMEL} elements} */
    public static Arbitrary<int[]> shape() {
        return shape(0, 4);
    }

    /**
     * {@return seeds for {@link #values} and the other drawing methods: any long, so jqwik can shrink and replay them}
     */
    public static Arbitrary<Long> seed() {
        return Arbitraries.longs();
    }

    /**
     * Shrinks the largest dimensions (to 3, 2 or 1) until the shape has at most {@code max} elements.
     *
     * @param shape the dimensions (not changed)
     * @param max the most elements allowed ({@code >= 1})
     * @return a new, fitting shape of the same rank
     */
    public static int[] fit(int[] shape, int max) {
        int[] s = shape.clone();
        while (numel(s) > max) {
            int big = 0;
            for (int i = 1; i < s.length; i++) if (s[i] > s[big]) big = i;
            s[big] = s[big] >= 8 ? 3 : s[big] >= 5 ? 2 : 1;
        }
        return s;
    }

    /**
     * Two shapes that broadcast together to {@code full} or a shape with some of its dims at 1:
     * one side may lose leading dims, either side may have dims set to 1 (never both at the same
     * dim unless {@code full} already had 1 there), and the sides are swapped at random.
     *
     * @param full the shape the pair broadcasts to (at most)
     * @param r the source of the random choices
     * @return the two shapes, {@code [a, b]}
     */
    public static int[][] broadcastPair(int[] full, SplittableRandom r) {
        int[] a = full.clone();
        int drop = r.nextInt(3) == 0 ? r.nextInt(full.length + 1) : 0;
        int[] b = Arrays.copyOfRange(full, drop, full.length);
        for (int i = 0; i < b.length; i++) {
            int ai = i + drop;
            int pick = r.nextInt(5);
            if (pick == 0) b[i] = 1;
            else if (pick == 1) a[ai] = 1;
        }
        for (int i = 0; i < drop; i++) if (r.nextInt(4) == 0) a[i] = 1;
        return r.nextBoolean() ? new int[][] {a, b} : new int[][] {b, a};
    }

    /**
     * What values an op's domain wants: each kind keeps inputs where the op is smooth enough for a
     * finite-difference check with GradCheck's default step.
     */
    public enum Values {
        /** Uniform in [-2, 2]. */
        ANY(r -> (float) (r.nextDouble() * 4 - 2)),
        /** |x| in [0.1, 2]: away from kinks (relu) and poles (division) by far more than GradCheck's eps. */
        AWAY_FROM_ZERO(r -> (float) ((0.1 + r.nextDouble() * 1.9) * (r.nextBoolean() ? 1 : -1))),
        /** In [0.5, 2.5]: for log, sqrt and fractional powers. */
        POSITIVE(r -> (float) (0.5 + r.nextDouble() * 2)),
        /** Uniform in [-0.5, 0.5]: small enough that chained products stay in range. */
        SMALL(r -> (float) (r.nextDouble() - 0.5));

        private final Draw draw;

        Values(Draw draw) {
            this.draw = draw;
        }

        /**
         * One value of this kind.
         *
         * @param r the source of randomness
         * @return the value
         */
        public float draw(SplittableRandom r) {
            return draw.next(r);
        }

        private interface Draw {
            float next(SplittableRandom r);
        }
    }

    /**
     * A fresh leaf tensor with values of the given kind, not requiring grad.
     *
     * @param r the source of the values
     * @param kind the value range
     * @param shape the dimensions
     * @return the tensor
     */
    public static Tensor values(SplittableRandom r, Values kind, int... shape) {
        float[] v = new float[numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = kind.draw(r);
        return Tensor.of(v, shape);
    }

    /**
     * Pairwise distinct values spaced 0.1 apart in a random order (for max: the arg max never
     * flips under a finite-difference step of 0.01).
     *
     * @param r the source of the order
     * @param shape the dimensions
     * @return a leaf not requiring grad
     */
    public static Tensor distinct(SplittableRandom r, int... shape) {
        return distinct(r, 0.1f, shape);
    }

    /**
     * Pairwise distinct values {@code spacing} apart, centred on 0, in a random order.
     *
     * @param r the source of the order
     * @param spacing the gap between neighbouring values; keep it well above twice the check's step
     * @param shape the dimensions
     * @return a leaf not requiring grad
     */
    public static Tensor distinct(SplittableRandom r, float spacing, int... shape) {
        int n = numel(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i - n / 2) * spacing + 0.03f * spacing;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.of(v, shape);
    }

    /**
     * A leaf requiring grad: {@link #values} then {@code requiresGrad(true)}, the input a gradient check checks.
     *
     * @param r the source of the values
     * @param kind the value range
     * @param shape the dimensions
     * @return the tensor, requiring grad
     */
    public static Tensor param(SplittableRandom r, Values kind, int... shape) {
        return values(r, kind, shape).requiresGrad(true);
    }

    /**
     * A random dimension index of a tensor of rank {@code rank}, negative half of the time (ops
     * must accept both spellings).
     *
     * @param r the source of randomness
     * @param rank the tensor's rank (0 gives 0 or -1, as PyTorch accepts for a scalar)
     * @return an index in {@code [-max(rank, 1), max(rank, 1))}
     */
    public static int dim(SplittableRandom r, int rank) {
        int rr = Math.max(rank, 1);
        int d = r.nextInt(rr);
        return r.nextBoolean() ? d : d - rr;
    }

    /**
     * The number of elements of {@code shape}.
     *
     * @param shape the dimensions
     * @return their product (1 for rank 0)
     */
    public static int numel(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /**
     * {@return pairs of shapes that broadcast together, built on {@link #shape()} with {@link #broadcastPair}}
     */
    public static Arbitrary<int[][]> broadcastPairs() {
        return Combinators.combine(shape(), seed()).as((full, seed) -> broadcastPair(full, new SplittableRandom(seed)));
    }

    /**
     * Leaf tensors of {@link #shape()} shapes.
     *
     * @param kind the value range
     * @return tensors not requiring grad
     */
    public static Arbitrary<Tensor> tensors(Values kind) {
        return tensors(shape(), kind);
    }

    /**
     * Leaf tensors of the given shapes.
     *
     * @param shapes where the shapes come from
     * @param kind the value range
     * @return tensors not requiring grad
     */
    public static Arbitrary<Tensor> tensors(Arbitrary<int[]> shapes, Values kind) {
        return Combinators.combine(shapes, seed()).as((shape, seed) -> values(new SplittableRandom(seed), kind, shape));
    }

    /**
     * Array lengths 1..300 for kernels that run whole vectors and then a scalar tail: biased to
     * 1, small primes and the sizes around multiples of 8 and 16 lanes (one under, at, one over).
     *
     * @return the lengths
     */
    public static Arbitrary<Integer> vectorTailLengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(1, 2, 3, 5, 7, 8, 9, 11, 13, 15, 16, 17, 23, 31, 32, 33,
                        47, 63, 64, 65, 97, 127, 128, 129, 191, 255, 256, 257, 293)),
                Tuple.of(2, Arbitraries.integers().between(1, 300)));
    }
}
