package dev.vecgrad.autograd;

import static dev.vecgrad.testing.GradAssertions.assertGradients;
import static dev.vecgrad.testing.TensorArbitraries.param;

import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Gradients of cat, split, chunk, indexSelect, gather, maskedFill and where. */
class JoinIndexGradTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape(1, 4);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    @Property(tries = 40, seed = "401")
    @Covers("cat")
    void cat(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        int n = 1 + r.nextInt(3);
        Tensor[] xs = new Tensor[n];
        int[] first = TensorArbitraries.fit(withDim(shape, d, r.nextInt(4)), 24);
        for (int i = 0; i < n; i++) xs[i] = param(r, Values.ANY, i == 0 ? first : withDim(first, d, r.nextInt(4)));
        // The last input does not require grad: its gradient is dropped, the others' still flow.
        if (n > 1) xs[n - 1].requiresGrad(false);
        assertGradients(in -> Tensor.cat(d, in), xs);
    }

    private static int[] withDim(int[] shape, int d, int size) {
        int[] s = shape.clone();
        s[Math.floorMod(d, s.length)] = size;
        return s;
    }

    @Property(tries = 40, seed = "402")
    @Covers({"narrow", "cat"})
    void split(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean bySizes) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        int n = shape[Math.floorMod(d, shape.length)];
        int splitSize = 1 + r.nextInt(Math.max(n, 1));
        int[] sizes = randomSizes(r, n);
        assertGradients(in -> {
            Tensor[] parts = bySizes ? in[0].split(sizes, d) : in[0].split(splitSize, d);
            // Scale each piece differently so a gradient landing in the wrong piece is caught.
            for (int i = 0; i < parts.length; i++) parts[i] = parts[i].mul(i + 1f);
            return Tensor.cat(d, parts);
        }, param(r, Values.ANY, shape));
    }

    private static int[] randomSizes(SplittableRandom r, int total) {
        java.util.List<Integer> sizes = new java.util.ArrayList<>();
        int rest = total;
        while (rest > 0) {
            int s = r.nextInt(rest + 1);
            sizes.add(s);
            rest -= s;
        }
        if (sizes.isEmpty()) sizes.add(0);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    @Property(tries = 40, seed = "403")
    @Covers({"narrow", "cat"})
    void chunk(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        int chunks = 1 + r.nextInt(4);
        assertGradients(in -> {
            Tensor[] parts = in[0].chunk(chunks, d);
            for (int i = 0; i < parts.length; i++) parts[i] = parts[i].mul(i + 1f);
            return Tensor.cat(d, parts);
        }, param(r, Values.ANY, shape));
    }

    @Property(tries = 40, seed = "404")
    @Covers("indexSelect")
    void indexSelect(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean transposed) {
        SplittableRandom r = new SplittableRandom(seed);
        int last = shape.length - 1;
        // A transposed input takes the non-contiguous path.
        int[] seen = transposed ? swapped(shape, 0, last) : shape;
        int d = TensorArbitraries.dim(r, shape.length);
        int n = seen[Math.floorMod(d, shape.length)];
        // Repeated indices check that backward accumulates rather than overwrites.
        int[] index = new int[r.nextInt(5)];
        for (int i = 0; i < index.length; i++) index[i] = r.nextInt(n);
        assertGradients(in -> (transposed ? in[0].transpose(0, last) : in[0]).indexSelect(d, index), param(r, Values.ANY, shape));
    }

    @Property(tries = 50, seed = "405")
    @Covers("gather")
    void gather(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll("layouts") int layout) {
        SplittableRandom r = new SplittableRandom(seed);
        int rank = shape.length;
        int d = r.nextInt(rank);
        // layout 0: contiguous input; 1: a transposed view; 2: a broadcast (expanded) view.
        int[] leafShape = shape.clone();
        if (layout == 2) for (int k = 0; k < rank; k++) if (r.nextBoolean()) leafShape[k] = 1;
        int swap = r.nextInt(rank);
        int[] seen = layout == 1 ? swapped(shape, 0, swap) : shape;
        int[] indexShape = new int[rank];
        for (int k = 0; k < rank; k++) indexShape[k] = k == d ? r.nextInt(4) : 1 + r.nextInt(seen[k]);
        int[] index = new int[Shapes.numel(indexShape)];
        for (int i = 0; i < index.length; i++) index[i] = r.nextInt(seen[d]);
        Tensor x = param(r, Values.ANY, layout == 2 ? leafShape : shape);
        assertGradients(in -> {
            Tensor t = switch (layout) {
                case 1 -> in[0].transpose(0, swap);
                case 2 -> in[0].expand(shape);
                default -> in[0];
            };
            return t.gather(d, index, indexShape);
        }, x);
    }

    @Provide
    Arbitrary<Integer> layouts() {
        return net.jqwik.api.Arbitraries.of(0, 1, 2);
    }

    private static int[] swapped(int[] s, int a, int b) {
        int[] t = s.clone();
        t[a] = s[b];
        t[b] = s[a];
        return t;
    }

    @Property(tries = 40, seed = "406")
    @Covers("maskedFill")
    void maskedFill(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] maskShape = TensorArbitraries.broadcastPair(shape, r)[r.nextInt(2)];
        // The mask must broadcast to the input's shape, not beyond it.
        if (!java.util.Arrays.equals(Shapes.broadcast("test", shape, maskShape), shape)) maskShape = new int[] {1};
        Tensor mask = mask(r, maskShape);
        assertGradients(in -> in[0].maskedFill(mask, -3f), param(r, Values.ANY, shape));
    }

    static Tensor mask(SplittableRandom r, int... shape) {
        float[] m = new float[Shapes.numel(shape)];
        for (int i = 0; i < m.length; i++) m[i] = r.nextBoolean() ? 1f : 0f;
        return Tensor.of(m, shape);
    }

    @Property(tries = 40, seed = "407")
    @Covers("where")
    void where(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] ab = TensorArbitraries.broadcastPair(shape, r);
        int[] condShape = TensorArbitraries.broadcastPair(shape, r)[0];
        Tensor cond = mask(r, condShape);
        assertGradients(in -> Tensor.where(cond, in[0], in[1]), param(r, Values.ANY, ab[0]), param(r, Values.ANY, ab[1]));
    }
}
