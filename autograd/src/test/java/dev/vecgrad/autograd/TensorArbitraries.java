package dev.vecgrad.autograd;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Shared generators for the property tests: shapes whose sizes lean on 1 (broadcasting and
 * squeeze corner cases) and small primes (no accidental divisibility), with the occasional size
 * around the SIMD width; broadcast-compatible shape pairs; and values shaped for each op's domain.
 *
 * <p>Shapes come from jqwik; values are drawn from a {@code long} seed that jqwik also supplies,
 * so every property is deterministic under its fixed {@code @Property(seed = ...)}.
 */
final class TensorArbitraries {
    /** GradCheck evaluates the function twice per input element: keep tensors small. */
    static final int MAX_NUMEL = 60;

    private TensorArbitraries() {}

    /** One dimension size: mostly 1, 2, 3, 5, 7; now and then 8, 9, 16 or 17. */
    static Arbitrary<Integer> size() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(1)),
                Tuple.of(5, Arbitraries.just(2)),
                Tuple.of(5, Arbitraries.just(3)),
                Tuple.of(4, Arbitraries.just(5)),
                Tuple.of(3, Arbitraries.just(7)),
                Tuple.of(2, Arbitraries.of(8, 9, 16, 17)));
    }

    /** Shapes of rank {@code minRank..maxRank} with at most {@link #MAX_NUMEL} elements. */
    static Arbitrary<int[]> shape(int minRank, int maxRank) {
        return Arbitraries.integers().between(minRank, maxRank)
                .flatMap(r -> size().list().ofSize(r))
                .map(l -> fit(l.stream().mapToInt(Integer::intValue).toArray(), MAX_NUMEL));
    }

    /** Shapes of rank 0..4. */
    static Arbitrary<int[]> shape() {
        return shape(0, 4);
    }

    /** Seeds for {@link #values}. */
    static Arbitrary<Long> seed() {
        return Arbitraries.longs();
    }

    /** Shrinks the largest dimensions until the shape has at most {@code max} elements. */
    static int[] fit(int[] shape, int max) {
        int[] s = shape.clone();
        while (Shapes.numel(s) > max) {
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
     */
    static int[][] broadcastPair(int[] full, SplittableRandom r) {
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

    /** What values an op's domain wants. */
    enum Values {
        /** Uniform in [-2, 2]. */
        ANY(r -> (float) (r.nextDouble() * 4 - 2)),
        /** |x| in [0.1, 2]: away from kinks (relu) and poles (division) by far more than GradCheck's eps. */
        AWAY_FROM_ZERO(r -> (float) ((0.1 + r.nextDouble() * 1.9) * (r.nextBoolean() ? 1 : -1))),
        /** In [0.5, 2.5]: for log, sqrt and fractional powers. */
        POSITIVE(r -> (float) (0.5 + r.nextDouble() * 2)),
        /** Uniform in [-0.5, 0.5]: small enough that chained products stay in range. */
        SMALL(r -> (float) (r.nextDouble() - 0.5));

        final Function<SplittableRandom, Float> draw;

        Values(Function<SplittableRandom, Float> draw) {
            this.draw = draw;
        }
    }

    /** A fresh leaf tensor of {@code shape} with values of the given kind. */
    static Tensor values(SplittableRandom r, Values kind, int... shape) {
        float[] v = new float[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = kind.draw.apply(r);
        return Tensor.of(v, shape);
    }

    /**
     * Pairwise distinct values spaced 0.1 apart in a random order (for max: the arg max never
     * flips under a finite-difference step of 0.01).
     */
    static Tensor distinct(SplittableRandom r, int... shape) {
        return distinct(r, 0.1f, shape);
    }

    /** Pairwise distinct values {@code spacing} apart, centred on 0, in a random order. */
    static Tensor distinct(SplittableRandom r, float spacing, int... shape) {
        int n = Shapes.numel(shape);
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

    /** A leaf requiring grad: {@link #values} then {@code requiresGrad(true)}. */
    static Tensor param(SplittableRandom r, Values kind, int... shape) {
        return values(r, kind, shape).requiresGrad(true);
    }

    /** A random dimension index of a tensor of rank {@code rank}, sometimes negative. */
    static int dim(SplittableRandom r, int rank) {
        int rr = Math.max(rank, 1);
        int d = r.nextInt(rr);
        return r.nextBoolean() ? d : d - rr;
    }

    /** Runs GradCheck with the project's float32 defaults and fails with its report. */
    static void gradOk(Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(f, inputs).assertOk();
    }
}
