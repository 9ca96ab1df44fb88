package dev.vecgrad.autograd;

import static dev.vecgrad.testing.GradAssertions.assertGradients;
import static dev.vecgrad.testing.TensorArbitraries.param;

import dev.vecgrad.testing.TensorArbitraries;
import dev.vecgrad.testing.TensorArbitraries.Values;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Gradients of the view ops. Each function ends in an elementwise product with a fixed tensor
 * (inside GradCheck's projection) so that a gradient sent to the wrong element shows up.
 */
class ViewGradTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return TensorArbitraries.shape();
    }

    @Provide
    Arbitrary<int[]> nonScalarShapes() {
        return TensorArbitraries.shape(1, 4);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return TensorArbitraries.seed();
    }

    static int[] randomPermutation(SplittableRandom r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A random shape with the same number of elements (factors regrouped, 1s sprinkled in). */
    static int[] regroup(SplittableRandom r, int numel) {
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        int rest = numel;
        for (int f = 2; f <= rest; f++) {
            while (rest % f == 0) {
                if (!dims.isEmpty() && r.nextBoolean()) dims.set(dims.size() - 1, dims.get(dims.size() - 1) * f);
                else dims.add(f);
                rest /= f;
            }
        }
        if (r.nextInt(3) == 0) dims.add(r.nextInt(dims.size() + 1), 1);
        int[] s = dims.stream().mapToInt(Integer::intValue).toArray();
        if (s.length > 0 && r.nextInt(4) == 0) s[r.nextInt(s.length)] = -1;
        return s;
    }

    @Property(tries = 40, seed = "301")
    @Covers("reshape")
    void reshape(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] to = regroup(r, Shapes.numel(shape));
        Tensor w = TensorArbitraries.values(r, Values.ANY, Shapes.inferShape("test", shape, to));
        assertGradients(in -> in[0].reshape(to).mul(w), param(r, Values.ANY, shape));
    }

    @Property(tries = 30, seed = "302")
    @Covers({"reshape", "copy"})
    void reshapeOfTransposedViewCopies(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] to = regroup(r, Shapes.numel(shape));
        int d = r.nextInt(shape.length);
        Tensor w = TensorArbitraries.values(r, Values.ANY, Shapes.inferShape("test", shape, to));
        assertGradients(in -> in[0].transpose(0, d).reshape(to).mul(w), param(r, Values.ANY, shape));
    }

    @Property(tries = 30, seed = "303")
    @Covers("reshape")
    void view(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] to = regroup(r, Shapes.numel(shape));
        Tensor w = TensorArbitraries.values(r, Values.ANY, Shapes.inferShape("test", shape, to));
        assertGradients(in -> in[0].view(to).mul(w), param(r, Values.ANY, shape));
    }

    @Property(tries = 40, seed = "304")
    @Covers("transpose")
    void transpose(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int a = TensorArbitraries.dim(r, shape.length), b = TensorArbitraries.dim(r, shape.length);
        Tensor x = param(r, Values.ANY, shape);
        Tensor w = TensorArbitraries.values(r, Values.ANY, x.detach().transpose(a, b).shape());
        assertGradients(in -> in[0].transpose(a, b).mul(w), x);
    }

    @Property(tries = 40, seed = "305")
    @Covers("permute")
    void permute(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] perm = randomPermutation(r, shape.length);
        Tensor x = param(r, Values.ANY, shape);
        Tensor w = TensorArbitraries.values(r, Values.ANY, x.detach().permute(perm).shape());
        assertGradients(in -> in[0].permute(perm).mul(w), x);
    }

    @Property(tries = 40, seed = "306")
    @Covers("narrow")
    void narrowAndSlice(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean slice) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = r.nextInt(shape.length);
        int start = r.nextInt(shape[d] + 1);
        int len = r.nextInt(shape[d] - start + 1);
        Tensor x = param(r, Values.ANY, shape);
        Tensor w = TensorArbitraries.values(r, Values.ANY, x.detach().narrow(d, start, len).shape());
        // slice takes an end; a negative end counts from the back.
        int end = start + len == shape[d] && len > 0 && r.nextBoolean() ? Integer.MAX_VALUE : start + len;
        // narrow's start may count from the back too (-size is entry 0).
        int from = r.nextBoolean() ? start - shape[d] : start;
        assertGradients(in -> (slice ? in[0].slice(d, start, end) : in[0].narrow(d, from, len)).mul(w), x);
    }

    @Example
    void narrowWithANegativeStartCountsFromTheEnd() {
        Tensor x = Tensor.arange(10).reshape(2, 5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {3, 4, 8, 9}, x.narrow(1, -2, 2).toArray());
        org.junit.jupiter.api.Assertions.assertArrayEquals(x.narrow(1, 0, 5).toArray(), x.narrow(-1, -5, 5).toArray());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {5, 6, 7, 8, 9}, x.narrow(0, -1, 1).toArray());
        org.junit.jupiter.api.Assertions.assertEquals(0, x.narrow(1, -2, 0).numel());
        org.junit.jupiter.api.Assertions.assertSame(x.storage(), x.narrow(1, -2, 2).storage());   // a view
    }

    @Property(tries = 40, seed = "313")
    void select(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = r.nextInt(shape.length);
        int i = r.nextInt(shape[d]);
        int index = r.nextBoolean() ? i : i - shape[d];            // negative indices count from the end
        Tensor x = param(r, Values.ANY, shape);
        Tensor picked = x.detach().select(d - (r.nextBoolean() ? 0 : shape.length), index);
        Tensor narrowed = x.detach().narrow(d, i, 1);
        org.junit.jupiter.api.Assertions.assertArrayEquals(narrowed.toArray(), picked.toArray());
        org.junit.jupiter.api.Assertions.assertEquals(shape.length - 1, picked.dim());
        org.junit.jupiter.api.Assertions.assertSame(x.storage(), picked.storage());   // a view
        Tensor w = TensorArbitraries.values(r, Values.ANY, picked.shape());
        assertGradients(in -> in[0].select(d, index).mul(w), x);
    }

    @Example
    void selectNamesTheDimensionAndSizeItMisses() {
        Tensor x = Tensor.arange(6).reshape(2, 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {3, 4, 5}, x.select(0, -1).toArray());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {2, 5}, x.select(-1, 2).toArray());
        String msg = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> x.select(1, 3)).getMessage();
        org.junit.jupiter.api.Assertions.assertEquals("select: index 3 is out of range for dimension 1 of size 3 (shape [2, 3])", msg);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> x.select(2, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).select(0, 0));
    }

    @Property(tries = 40, seed = "307")
    @Covers("expand")
    void expand(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // Expand a tensor with some dims squashed to 1 back to the full shape, plus a leading dim.
        int[] small = shape.clone();
        for (int i = 0; i < small.length; i++) if (r.nextBoolean()) small[i] = 1;
        int lead = shape.length < 4 && r.nextBoolean() ? 1 + r.nextInt(3) : 0;
        int[] target = new int[shape.length + (lead > 0 ? 1 : 0)];
        if (lead > 0) target[0] = lead;
        for (int i = 0; i < shape.length; i++) target[i + target.length - shape.length] = r.nextInt(3) == 0 ? -1 : shape[i];
        Tensor x = param(r, Values.ANY, small);
        Tensor w = TensorArbitraries.values(r, Values.ANY, x.detach().expand(target).shape());
        assertGradients(in -> in[0].expand(target).mul(w), x);
    }

    @Property(tries = 40, seed = "308")
    @Covers({"unsqueeze", "squeeze"})
    void unsqueezeThenSqueeze(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = r.nextInt(shape.length + 1) - (r.nextBoolean() ? shape.length + 1 : 0);
        Tensor x = param(r, Values.ANY, shape);
        Tensor w = TensorArbitraries.values(r, Values.ANY, x.detach().unsqueeze(d).shape());
        assertGradients(in -> in[0].unsqueeze(d).mul(w).squeeze(d).mul(w.squeeze(d)), x);
    }

    @Property(tries = 40, seed = "309")
    @Covers("squeeze")
    void squeeze(@ForAll("shapes") int[] shape, @ForAll("seeds") long seed, @ForAll boolean all) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = TensorArbitraries.dim(r, shape.length);
        Tensor x = param(r, Values.ANY, shape);
        Tensor w = TensorArbitraries.values(r, Values.ANY, (all ? x.detach().squeeze() : x.detach().squeeze(d)).shape());
        assertGradients(in -> (all ? in[0].squeeze() : in[0].squeeze(d)).mul(w), x);
    }

    @Property(tries = 30, seed = "310")
    @Covers("copy")
    void copyAndContiguous(@ForAll("nonScalarShapes") int[] shape, @ForAll("seeds") long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = r.nextInt(shape.length);
        Tensor x = param(r, Values.ANY, shape);
        Tensor w = TensorArbitraries.values(r, Values.ANY, x.detach().transpose(0, d).shape());
        assertGradients(in -> in[0].copy().transpose(0, d).contiguous().mul(w).add(in[0].transpose(0, d).copy()), x);
    }
}
