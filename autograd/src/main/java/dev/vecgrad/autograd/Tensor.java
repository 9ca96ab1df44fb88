package dev.vecgrad.autograd;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A float32 n-d array with reverse-mode automatic differentiation.
 *
 * <p>A tensor is a view (offset, shape, strides) onto a {@code float[]} storage that views share:
 * {@link #view}, {@link #transpose}, {@link #permute}, {@link #narrow}, {@link #expand},
 * {@link #unsqueeze} and {@link #squeeze} copy nothing; {@link #reshape} copies nothing either
 * unless its input is not contiguous (then it copies, as PyTorch's does). Method names follow PyTorch, so
 * {@code x.matmul(w.transpose(0, 1)).add(b).relu().sum().backward()} reads as it would there.
 *
 * <p>Ops on tensors that require grad record a node (unless inside {@link Grad#disabled()});
 * {@link #backward()} then fills {@link #grad()} of every leaf that requires grad. The op
 * implementations live in small package-private classes, one per family, each with its forward
 * and backward side by side; this class is their public face.
 */
public final class Tensor {
    final float[] data;
    final int offset;
    final int[] shape;
    final int[] strides;

    boolean requiresGrad;
    boolean retainsGrad;
    Tensor grad;
    Node node;

    /**
     * The tensor that owns the storage this one views, or null when this one owns it. Views share
     * their owner's version counter and workspace lease, like PyTorch's views share a version
     * counter with their base; a field rather than a shared holder object, so an op result
     * allocates nothing for either.
     */
    private final Tensor base;
    /** Owner only: how many in-place changes the storage has had (see {@link #version()}). */
    private int version;
    /** Owner only: the last in-place op, for the error that names it. */
    private String lastInPlaceOp;
    /** Owner only: the workspace that lent the storage (null for heap storage), and in which scope. */
    private Workspace lender;
    private int lentGeneration;

    Tensor(float[] data, int offset, int[] shape, int[] strides, Tensor viewOf) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.base = viewOf == null ? null : viewOf.owner();
    }

    /** A fresh contiguous tensor over {@code data} (not copied); remembers whether a workspace lent it. */
    static Tensor wrap(float[] data, int... shape) {
        Tensor t = new Tensor(data, 0, shape, Shapes.contiguousStrides(shape), null);
        Workspace ws = Workspace.lenderOf(data);
        if (ws != null) {
            t.lender = ws;
            t.lentGeneration = ws.generation();
        }
        return t;
    }

    /** A view over {@code of}'s storage. */
    static Tensor viewOf(Tensor of, int offset, int[] shape, int[] strides) {
        return new Tensor(of.data, offset, shape, strides, of);
    }

    private Tensor owner() {
        return base == null ? this : base;
    }

    /**
     * Throws when this tensor's storage came from a {@link Workspace} scope that has closed: the
     * array then belongs to a later scope and holds its values. Two field reads on the hot path.
     */
    void checkLive(String op) {
        if (!isLive()) {
            throw new IllegalStateException(op + ": the tensor " + Shapes.str(shape) + " was computed inside a"
                    + " Workspace scope that has closed, and its storage now belongs to a later scope; copy what"
                    + " must outlive a scope with toArray() (or read item()) before closing it");
        }
    }

    /** False when the storage was lent by a workspace scope that has closed since. */
    boolean isLive() {
        Tensor o = owner();
        return o.lender == null || o.lender.generation() == o.lentGeneration;
    }

    /** Marks one in-place change of the storage (shared with every view of it). */
    private void bumpVersion(String op) {
        Tensor o = owner();
        o.version++;
        o.lastInPlaceOp = op;
    }

    /** The op that last changed the storage in place, or null if none did. */
    String lastInPlaceOp() {
        return owner().lastInPlaceOp;
    }

    // ---------------------------------------------------------------- factories

    /**
     * A tensor holding a copy of {@code values} in row-major order.
     *
     * @param values the elements, last dimension fastest; copied, so later changes to the array do not show
     * @param shape the dimensions; none for a 0-d tensor (then {@code values} has one element)
     * @return a new leaf tensor that does not require grad
     * @throws IllegalArgumentException if the number of values does not match the shape, or a size is negative
     */
    public static Tensor of(float[] values, int... shape) {
        Shapes.checkShape("of", shape);
        if (values.length != Shapes.numel(shape)) {
            throw new IllegalArgumentException("of: " + values.length + " values cannot fill shape "
                    + Shapes.str(shape) + " (" + Shapes.numel(shape) + " elements)");
        }
        return wrap(values.clone(), shape.clone());
    }

    /**
     * A 1-d tensor of the given values, e.g. {@code Tensor.of(1, 2, 3)}.
     *
     * @param values the elements (copied)
     * @return a new leaf of shape {@code [values.length]}
     */
    public static Tensor of(float... values) {
        return of(values, values.length);
    }

    /**
     * A 0-d tensor (a scalar): what {@link #sum()} and the losses return.
     *
     * @param value its single element
     * @return a new leaf of shape {@code []}
     */
    public static Tensor scalar(float value) {
        return wrap(new float[] {value});
    }

    /**
     * Zeros of the given shape.
     *
     * @param shape the dimensions (each {@code >= 0})
     * @return a new leaf filled with 0
     */
    public static Tensor zeros(int... shape) {
        Shapes.checkShape("zeros", shape);
        return wrap(new float[Shapes.numel(shape)], shape.clone());
    }

    /**
     * Ones of the given shape.
     *
     * @param shape the dimensions (each {@code >= 0})
     * @return a new leaf filled with 1
     */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /**
     * A tensor of the given shape filled with {@code value}.
     *
     * @param value every element's value
     * @param shape the dimensions (each {@code >= 0})
     * @return a new leaf
     */
    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    /**
     * {@code [0, 1, ..., n-1]} as floats, like {@code torch.arange(n)}.
     *
     * @param n how many values ({@code >= 0})
     * @return a new 1-d leaf of length {@code n}
     */
    public static Tensor arange(int n) {
        return arange(0f, n, 1f);
    }

    /**
     * Values from {@code start} (inclusive) to {@code end} (exclusive) in steps of {@code step}; each
     * value is computed as {@code start + i * step} in double precision, so long ranges do not drift.
     *
     * @param start the first value
     * @param end the bound that is never reached
     * @param step the distance between values; negative to count down
     * @return a new 1-d leaf of {@code ceil((end - start) / step)} values
     * @throws IllegalArgumentException if {@code step} is 0 or NaN, or points away from {@code end},
     *         or if the range holds more values than a Java array can (or infinitely many)
     */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || Float.isNaN(step) || (end - start) / step < 0) {
            throw new IllegalArgumentException("arange: cannot go from " + start + " to " + end + " in steps of " + step);
        }
        double count = Math.ceil((end - start) / (double) step);
        if (!(count <= Integer.MAX_VALUE - 8)) {   // NaN and infinity too; the JVM's largest float[] is a little under 2^31
            throw new IllegalArgumentException("arange: " + start + " to " + end + " in steps of " + step + " is "
                    + count + " values, more than one tensor can hold (" + (Integer.MAX_VALUE - 8) + ")");
        }
        int n = (int) count;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (start + (double) i * step);
        return wrap(v, n);
    }

    /**
     * Standard normal samples drawn from {@code rng}, e.g.
     * {@code Tensor.randn(new SplittableRandom(42), 3, 4)} for a reproducible {@code [3, 4]}.
     *
     * <p>There is deliberately no {@code randn(long seed, int... shape)}: {@code randn(3, 4)} would
     * then mean a {@code [4]} tensor with seed 3, where a PyTorch user means shape {@code [3, 4]};
     * with the generator first, the seed cannot be mistaken for a dimension.
     *
     * @param rng the source of randomness; the same generator state gives the same tensor
     * @param shape the dimensions
     * @return a new leaf of N(0, 1) samples in row-major order
     */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) rng.nextGaussian();
        return t;
    }

    /**
     * Uniform samples in [0, 1) drawn from {@code rng} (see {@link #randn} for why there is no seed overload).
     *
     * @param rng the source of randomness; the same generator state gives the same tensor
     * @param shape the dimensions
     * @return a new leaf of U[0, 1) samples in row-major order
     */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = rng.nextFloat();
        return t;
    }

    // ---------------------------------------------------------------- metadata and elements

    /** {@return the sizes of the dimensions, outermost first (a copy: changing it changes nothing)} */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The size of one dimension.
     *
     * @param d the dimension; negative counts from the end ({@code -1} is the last)
     * @return its size
     * @throws IllegalArgumentException if {@code d} is out of range for this tensor's rank
     */
    public int size(int d) {
        if (shape.length == 0) throw new IllegalArgumentException("size: dimension " + d + " of a 0-d tensor, which has none");
        return shape[Shapes.dim("size", d, shape.length)];
    }

    /**
     * {@return the strides in elements: how far {@link #storage()} index moves per step in each dimension (a copy)}
     */
    public int[] strides() {
        return strides.clone();
    }

    /** {@return the number of dimensions (0 for a scalar)} */
    public int dim() {
        return shape.length;
    }

    /** {@return the number of elements (the product of the sizes; 1 for a scalar)} */
    public int numel() {
        return Shapes.numel(shape);
    }

    /** {@return the index in {@link #storage()} of the first element} */
    public int offset() {
        return offset;
    }

    /**
     * The backing storage, shared with every view of it. Low-level: for kernels, optimizers and
     * serialisers that need the raw array; respect {@link #offset()} and {@link #strides()}.
     * After writing to it, call {@link #markModified(String)} so that ops which saved this tensor
     * for backward notice the change.
     *
     * @return the array itself, not a copy
     * @throws IllegalStateException if the storage was lent by a {@link Workspace} scope that has closed
     */
    public float[] storage() {
        checkLive("storage");
        return data;
    }

    /**
     * {@return whether the elements are laid out row-major without gaps from {@link #offset()}} Size-1
     * dimensions may have any stride.
     */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /**
     * The single value of a one-element tensor (of any rank), e.g. a loss.
     *
     * @return the value
     * @throws IllegalArgumentException if the tensor has more or fewer than one element
     * @throws IllegalStateException if the storage was lent by a {@link Workspace} scope that has closed
     */
    public float item() {
        checkLive("item");
        if (numel() != 1) {
            throw new IllegalArgumentException("item: only one-element tensors can be converted to a float, got shape "
                    + Shapes.str(shape));
        }
        return data[offset];
    }

    /**
     * The element at the given indices.
     *
     * @param index one index per dimension; negative ones count from the end of their dimension
     * @return the element
     * @throws IllegalArgumentException if the number of indices is not the rank or one is out of bounds
     */
    public float get(int... index) {
        checkLive("get");
        return data[storageIndex("get", index)];
    }

    /**
     * Sets the element at the given indices. Writes into the shared storage and is not recorded
     * by autograd. The rule of every in-place write applies ({@link #addInPlace} and the others):
     * a tensor that requires grad may be written only while recording is off
     * ({@link Grad#disabled()}), because a graph that saved its values would otherwise compute
     * wrong gradients without any error.
     *
     * @param value the new value
     * @param index one index per dimension; negative ones count from the end of their dimension
     * @throws IllegalStateException when this tensor requires grad and grad is being recorded
     * @throws IllegalArgumentException if the number of indices is not the rank or one is out of bounds
     */
    public void set(float value, int... index) {
        checkInPlace("set");
        data[storageIndex("set", index)] = value;
        bumpVersion("set");
    }

    private int storageIndex(String op, int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices for a tensor of shape " + Shapes.str(shape));
        }
        int p = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IllegalArgumentException(op + ": index " + index[d] + " is out of bounds for dimension " + d
                        + " with size " + shape[d] + " (shape " + Shapes.str(shape) + ")");
            }
            p += i * strides[d];
        }
        return p;
    }

    /**
     * The elements in row-major order without a copy when the storage holds exactly them
     * (contiguous, offset 0, same length: every fresh op result), else as a new array. For ops
     * that only read; they must never write to it.
     */
    float[] dense() {
        return offset == 0 && data.length == numel() && isContiguous() ? data : freshCopy();
    }

    /** The elements in row-major order in a new array that may come from the current {@link Workspace}. */
    float[] freshCopy() {
        float[] out = Workspace.scratch(numel());
        Strided.copy(out, 0, this);   // writes every element
        return out;
    }

    /**
     * The elements in row-major order, as a new array: the way to keep values beyond a
     * {@link Workspace} scope or to hand them to other code.
     *
     * @return a copy that shares nothing with this tensor
     */
    public float[] toArray() {
        checkLive("toArray");
        if (isContiguous()) return Arrays.copyOfRange(data, offset, offset + numel());
        float[] out = new float[numel()];
        Strided.copy(out, 0, this);
        return out;
    }

    // ---------------------------------------------------------------- autograd

    /**
     * {@return whether gradients flow into this tensor} True for a leaf marked with
     * {@link #requiresGrad(boolean)} and for the result of a recorded op on such tensors.
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as requiring grad (or not), like a parameter.
     *
     * @param requires true to have {@link #backward()} fill this tensor's {@link #grad()}
     * @return {@code this}, for chaining ({@code Tensor.randn(rng, 3).requiresGrad(true)})
     * @throws IllegalStateException when called on a non-leaf
     */
    public Tensor requiresGrad(boolean requires) {
        if (node != null) {
            throw new IllegalStateException("requiresGrad: can only change the flag of a leaf tensor; use detach()");
        }
        this.requiresGrad = requires;
        return this;
    }

    /** {@return whether this tensor was created by the user rather than by a recorded op} */
    public boolean isLeaf() {
        return node == null;
    }

    /**
     * {@return whether this tensor views storage that another tensor owns} Slices, transposes,
     * {@link #detach()} and reshapes that copy nothing are views: an in-place change to one shows in
     * the other. A tensor that is not a view owns its storage (which may still be larger than it).
     */
    public boolean isView() {
        return base != null;
    }

    /**
     * {@return whether a {@link Workspace} scope lent this tensor's storage} Such a tensor is valid
     * until that scope closes; keep its values past the scope with {@link #toArray()}.
     */
    public boolean isWorkspaceStorage() {
        return owner().lender != null;
    }

    /**
     * {@return the name of the op that produced this tensor (such as {@code "matmul"}), or {@code null} for a leaf}
     */
    public String gradFn() {
        return node == null ? null : node.op;
    }

    /**
     * Keeps this non-leaf's gradient in {@link #grad()} after backward (by default only leaves keep
     * theirs, which saves the memory of every intermediate gradient).
     *
     * @return {@code this}, for chaining
     */
    public Tensor retainGrad() {
        retainsGrad = true;
        return this;
    }

    /**
     * {@return the accumulated gradient (same shape as this tensor), or {@code null} before any backward reached this tensor}
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * Replaces the gradient (optimizers and loaders use it).
     *
     * @param g the new gradient, of this tensor's shape; {@code null} clears it
     * @throws IllegalArgumentException if {@code g}'s shape differs from this tensor's
     */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shapes.str(g.shape)
                    + " does not match tensor shape " + Shapes.str(shape));
        }
        grad = g;
    }

    /** Clears the gradient (the next backward starts from zero). */
    public void zeroGrad() {
        grad = null;
    }

    /**
     * Backpropagates from this one-element tensor (gradient 1), adding to the {@link #grad()} of
     * every leaf that requires grad; the graph's saved tensors are released afterwards.
     *
     * @throws IllegalArgumentException if this tensor has more than one element
     * @throws IllegalStateException if this tensor does not require grad, or a tensor saved for
     *     backward was changed in place since (see {@link #version()})
     */
    public void backward() {
        Engine.backward(this, null, false);
    }

    /**
     * Backpropagates {@code gradient} through the graph (the vector-Jacobian product).
     *
     * @param gradient d(loss)/d(this), of this tensor's shape; {@code null} means 1 on a one-element tensor
     */
    public void backward(Tensor gradient) {
        Engine.backward(this, gradient, false);
    }

    /**
     * Backpropagates {@code gradient}, optionally keeping the graph for another backward.
     *
     * @param gradient d(loss)/d(this), of this tensor's shape; {@code null} means 1 on a one-element tensor
     * @param retainGraph keep the tensors saved for backward, so backward can run through the graph again
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        Engine.backward(this, gradient, retainGraph);
    }

    /**
     * The same data, cut from the graph: a view that shares the storage (and its version counter)
     * but is a leaf that does not require grad, so no gradient flows through it.
     *
     * @return the detached view
     */
    public Tensor detach() {
        return new Tensor(data, offset, shape, strides, this);
    }

    /**
     * A contiguous copy with its own storage; recorded (the gradient flows back unchanged).
     *
     * @return the copy (from the current {@link Workspace} scope's storage when one is open)
     */
    public Tensor copy() {
        Tensor out = wrap(freshCopy(), shape.clone());
        return Engine.record(out, "copy", g -> new Tensor[] {g}, this);
    }

    // ---------------------------------------------------------------- in place (not recorded)
    // One rule for every write into a tensor's storage (these methods and set): refused on a tensor
    // that requires grad while grad is recorded, allowed otherwise (an optimizer's update runs in
    // Grad.disabled()).

    private void checkInPlace(String op) {
        if (requiresGrad && Grad.isEnabled()) {
            throw new IllegalStateException(op + ": a tensor that requires grad cannot be modified in place while"
                    + " grad is recorded; wrap the update in Grad.disabled()");
        }
        checkLive(op);
    }

    /**
     * {@link #checkInPlace}, for the writes of every element: refused on an expanded view, where
     * a dimension of stride 0 makes several elements one storage cell, so an add or a scale would
     * apply to that cell once per alias (PyTorch refuses these too).
     */
    private void checkInPlaceAll(String op) {
        checkInPlace(op);
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                throw new IllegalStateException(op + ": cannot write in place into " + Shapes.str(shape)
                        + ": it is an expanded view whose dimension " + d + " repeats one element " + shape[d]
                        + " times (stride 0); write into the tensor it expands, or into a copy()");
            }
        }
    }

    /**
     * How many times this tensor's storage has been changed in place (by {@link #addInPlace},
     * {@link #mulInPlace}, {@link #fillInPlace}, {@link #copyInPlace}, {@link #set} or
     * {@link #markModified}); views share the count with the tensor they view. An op that saved
     * a tensor for its backward remembers its version, and backward refuses to run through the op
     * if it changed since, instead of computing the gradient from the new values.
     *
     * @return the count, starting at 0
     */
    public int version() {
        return owner().version;
    }

    /**
     * Records an in-place change made directly through {@link #storage()} (as an optimizer step
     * does), so that {@link #version()} and backward's check see it as they see
     * {@link #addInPlace}.
     *
     * @param op what changed it, named in the error of a later backward through a recorded op
     */
    public void markModified(String op) {
        bumpVersion(op);
    }

    /**
     * {@code this += other}, not recorded; subject to the in-place rule of {@link #set}.
     *
     * @param other added elementwise, broadcast to this tensor's shape
     * @return {@code this}
     * @throws IllegalStateException when this tensor requires grad and grad is being recorded, or
     *     it is an {@link #expand expanded} view (its elements alias each other)
     */
    public Tensor addInPlace(Tensor other) {
        checkInPlaceAll("addInPlace");
        ElementwiseOps.addInPlace(this, other, 1f);
        bumpVersion("addInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /**
     * {@code this += alpha * other}, not recorded (an SGD step is {@code p.addInPlace(p.grad(), -lr)});
     * subject to the in-place rule of {@link #set}.
     *
     * @param other added elementwise, broadcast to this tensor's shape
     * @param alpha the factor applied to {@code other}
     * @return {@code this}
     * @throws IllegalStateException when this tensor requires grad and grad is being recorded, or
     *     it is an {@link #expand expanded} view (its elements alias each other)
     */
    public Tensor addInPlace(Tensor other, float alpha) {
        checkInPlaceAll("addInPlace");
        ElementwiseOps.addInPlace(this, other, alpha);
        bumpVersion("addInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /**
     * {@code this *= s}, not recorded; subject to the in-place rule of {@link #set}.
     *
     * @param s the factor
     * @return {@code this}
     * @throws IllegalStateException when this tensor requires grad and grad is being recorded, or
     *     it is an {@link #expand expanded} view (its elements alias each other)
     */
    public Tensor mulInPlace(float s) {
        checkInPlaceAll("mulInPlace");
        ElementwiseOps.scaleInPlace(this, s);
        bumpVersion("mulInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /**
     * Sets every element to {@code value}, not recorded; subject to the in-place rule of {@link #set}.
     *
     * @param value the new value of every element
     * @return {@code this}
     * @throws IllegalStateException when this tensor requires grad and grad is being recorded, or
     *     it is an {@link #expand expanded} view (its elements alias each other)
     */
    public Tensor fillInPlace(float value) {
        checkInPlaceAll("fillInPlace");
        ElementwiseOps.fillInPlace(this, value);
        bumpVersion("fillInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /**
     * Copies {@code src} into this tensor's elements, not recorded; subject to the in-place rule of {@link #set}.
     *
     * @param src the values, broadcast to this tensor's shape
     * @return {@code this}
     * @throws IllegalStateException when this tensor requires grad and grad is being recorded, or
     *     it is an {@link #expand expanded} view (its elements alias each other)
     */
    public Tensor copyInPlace(Tensor src) {
        checkInPlaceAll("copyInPlace");
        ElementwiseOps.copyInPlace(this, src);
        bumpVersion("copyInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    // ---------------------------------------------------------------- views

    /**
     * The same elements with a new shape: a view when the strides allow it, else a copy (as in PyTorch).
     *
     * @param newShape the dimensions, with the same number of elements; one size may be -1, inferred
     * @return the reshaped tensor (recorded)
     * @throws IllegalArgumentException if the element counts differ or more than one size is -1
     */
    public Tensor reshape(int... newShape) {
        return ViewOps.reshape(this, newShape);
    }

    /**
     * Like {@link #reshape} but never copies, so writes through the result show in this tensor.
     *
     * @param newShape the dimensions, with the same number of elements; one size may be -1, inferred
     * @return a view sharing this tensor's storage
     * @throws IllegalArgumentException if the strides cannot express the new shape without a copy
     */
    public Tensor view(int... newShape) {
        return ViewOps.view(this, newShape);
    }

    /**
     * Swaps two dimensions (a view: only the shape and strides change).
     *
     * @param dim0 one dimension (negative counts from the end)
     * @param dim1 the other
     * @return the transposed view
     */
    public Tensor transpose(int dim0, int dim1) {
        return ViewOps.transpose(this, dim0, dim1);
    }

    /**
     * Reorders the dimensions (a view), like {@code torch.permute}.
     *
     * @param dims a permutation of {@code 0 .. dim()-1}: dimension {@code i} of the result is {@code dims[i]} of this one
     * @return the permuted view
     * @throws IllegalArgumentException if {@code dims} is not a permutation
     */
    public Tensor permute(int... dims) {
        return ViewOps.permute(this, dims);
    }

    /**
     * {@code length} entries of dimension {@code dim} starting at {@code start} (a view), like
     * {@code torch.narrow}: {@code x.narrow(0, -2, 2)} is the last two entries.
     *
     * @param dim the dimension to cut (negative counts from the end)
     * @param start the first entry kept, in {@code -size..size}; negative counts from the end
     * @param length how many entries are kept
     * @return the view
     * @throws IllegalArgumentException naming the dimension, start, length and size when the
     *     range does not fit in the dimension
     */
    public Tensor narrow(int dim, int start, int length) {
        return ViewOps.narrow(this, dim, start, length);
    }

    /**
     * Entries {@code [start, end)} of dimension {@code dim}, like Python's {@code x[start:end]} on that
     * dimension: negative bounds count from the end and out-of-range bounds clamp.
     *
     * @param dim the dimension to cut (negative counts from the end)
     * @param start the first entry kept
     * @param end the first entry not kept
     * @return a view (empty when {@code end <= start} after clamping)
     */
    public Tensor slice(int dim, int start, int end) {
        int d = Shapes.dim("slice", dim, shape.length);
        if (shape.length == 0) throw new IllegalArgumentException("slice: cannot slice a 0-d tensor");
        // Out-of-range bounds clamp, as in Python and PyTorch slicing.
        int s = Math.clamp(start < 0 ? (long) start + shape[d] : start, 0, shape[d]);
        int e = Math.clamp(end < 0 ? (long) end + shape[d] : end, s, shape[d]);
        return ViewOps.narrow(this, d, s, e - s);
    }

    /**
     * The entry {@code index} of dimension {@code dim}, with that dimension removed (a view), like
     * {@code torch.select}: {@code x.select(0, i)} is PyTorch's {@code x[i]}, and
     * {@code x.select(-1, 0)} its {@code x[..., 0]}.
     *
     * @param dim the dimension (negative counts from the end)
     * @param index the entry (negative counts from the end of the dimension)
     * @return the view, one rank lower (recorded)
     * @throws IllegalArgumentException if this tensor is 0-d or {@code dim} or {@code index} is out of range
     */
    public Tensor select(int dim, int index) {
        return ViewOps.select(this, dim, index);
    }

    /**
     * Broadcasts size-1 (or missing leading) dimensions to {@code newShape} without copying: the
     * expanded dimensions get stride 0. The gradient sums over them.
     *
     * @param newShape the target dimensions; -1 keeps this tensor's size
     * @return the expanded view (write to it only through a copy: its elements alias each other)
     * @throws IllegalArgumentException if a size other than 1 would have to change
     */
    public Tensor expand(int... newShape) {
        return ViewOps.expand(this, newShape);
    }

    /**
     * Inserts a size-1 dimension (a view).
     *
     * @param dim where the new dimension goes, in {@code [-dim()-1, dim()]}
     * @return the view, one rank higher
     */
    public Tensor unsqueeze(int dim) {
        return ViewOps.unsqueeze(this, dim);
    }

    /**
     * Removes dimension {@code dim} if its size is 1 (a view; otherwise the same shape, as in PyTorch).
     *
     * @param dim the dimension (negative counts from the end)
     * @return the view
     */
    public Tensor squeeze(int dim) {
        return ViewOps.squeeze(this, dim);
    }

    /**
     * Removes every size-1 dimension (a view).
     *
     * @return the view
     */
    public Tensor squeeze() {
        return ViewOps.squeezeAll(this);
    }

    /** {@return this tensor if its elements are already contiguous, else a contiguous copy (recorded)} */
    public Tensor contiguous() {
        return isContiguous() ? this : copy();
    }

    // ---------------------------------------------------------------- elementwise

    /**
     * {@code this + other}, elementwise with broadcasting.
     *
     * @param other the second operand; shapes broadcast as in NumPy/PyTorch
     * @return the sum, of the broadcast shape
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public Tensor add(Tensor other) {
        return ElementwiseOps.add(this, other);
    }

    /**
     * {@code this - other}, elementwise with broadcasting.
     *
     * @param other the subtrahend; shapes broadcast as in NumPy/PyTorch
     * @return the difference, of the broadcast shape
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public Tensor sub(Tensor other) {
        return ElementwiseOps.sub(this, other);
    }

    /**
     * {@code this * other}, elementwise with broadcasting (not a matrix product; see {@link #matmul}).
     *
     * @param other the second factor; shapes broadcast as in NumPy/PyTorch
     * @return the product, of the broadcast shape
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public Tensor mul(Tensor other) {
        return ElementwiseOps.mul(this, other);
    }

    /**
     * {@code this / other}, elementwise with broadcasting; division by zero gives infinities or NaN as in IEEE 754.
     *
     * @param other the divisor; shapes broadcast as in NumPy/PyTorch
     * @return the quotient, of the broadcast shape
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public Tensor div(Tensor other) {
        return ElementwiseOps.div(this, other);
    }

    /**
     * {@code this + s}.
     *
     * @param s added to every element
     * @return the sum, of this tensor's shape
     */
    public Tensor add(float s) {
        return ElementwiseOps.addScalar(this, s);
    }

    /**
     * {@code this - s}.
     *
     * @param s subtracted from every element
     * @return the difference, of this tensor's shape
     */
    public Tensor sub(float s) {
        return ElementwiseOps.addScalar(this, -s);
    }

    /**
     * {@code this * s}.
     *
     * @param s every element is multiplied by it
     * @return the product, of this tensor's shape
     */
    public Tensor mul(float s) {
        return ElementwiseOps.mulScalar(this, s);
    }

    /**
     * {@code this / s}, computed as a multiplication by {@code 1/s}.
     *
     * @param s every element is divided by it
     * @return the quotient, of this tensor's shape
     */
    public Tensor div(float s) {
        return ElementwiseOps.mulScalar(this, 1f / s);
    }

    /** {@return {@code -this}, elementwise} */
    public Tensor neg() {
        return ElementwiseOps.mulScalar(this, -1f);
    }

    /**
     * {@code this ^ exponent}, elementwise.
     *
     * @param exponent the power; for a non-integer one, negative elements give NaN
     * @return the powers, of this tensor's shape
     */
    public Tensor pow(float exponent) {
        return UnaryOps.pow(this, exponent);
    }

    /** {@return {@code e ^ this}, elementwise} */
    public Tensor exp() {
        return UnaryOps.exp(this);
    }

    /** {@return the natural logarithm, elementwise (NaN below 0, -infinity at 0)} */
    public Tensor log() {
        return UnaryOps.log(this);
    }

    /** {@return the square root, elementwise (NaN below 0)} */
    public Tensor sqrt() {
        return UnaryOps.sqrt(this);
    }

    /** {@return the hyperbolic tangent, elementwise} */
    public Tensor tanh() {
        return UnaryOps.tanh(this);
    }

    /** {@return the logistic sigmoid {@code 1 / (1 + e^-x)}, elementwise} */
    public Tensor sigmoid() {
        return UnaryOps.sigmoid(this);
    }

    /** {@return {@code max(x, 0)}, elementwise (gradient 0 at 0, as in PyTorch)} */
    public Tensor relu() {
        return UnaryOps.relu(this);
    }

    /**
     * {@return GELU with the tanh approximation, elementwise (GPT-2's, PyTorch's {@code approximate='tanh'})}
     */
    public Tensor gelu() {
        return UnaryOps.gelu(this);
    }

    // ---------------------------------------------------------------- reductions

    /** {@return the sum of all elements, as a 0-d tensor} */
    public Tensor sum() {
        return ReduceOps.sumAll(this);
    }

    /**
     * Sum over one dimension.
     *
     * @param dim the dimension summed away (negative counts from the end)
     * @param keepDim keep that dimension with size 1, so the result broadcasts against this tensor
     * @return the sums
     */
    public Tensor sum(int dim, boolean keepDim) {
        return ReduceOps.sum(this, dim, keepDim);
    }

    /** {@return the mean of all elements, as a 0-d tensor} */
    public Tensor mean() {
        return ReduceOps.meanAll(this);
    }

    /**
     * Mean over one dimension.
     *
     * @param dim the dimension averaged away (negative counts from the end)
     * @param keepDim keep that dimension with size 1, so the result broadcasts against this tensor
     * @return the means
     */
    public Tensor mean(int dim, boolean keepDim) {
        return ReduceOps.mean(this, dim, keepDim);
    }

    /**
     * {@return the maximum of all elements, as a 0-d tensor} The gradient goes to the first maximal element.
     *
     * @throws IllegalArgumentException if the tensor has no elements
     */
    public Tensor max() {
        // Checked here: the flattened tensor's error would name the shape [0], not this one.
        if (numel() == 0) throw new IllegalArgumentException("max: cannot take the maximum of an empty tensor (shape " + Shapes.str(shape) + ")");
        return ReduceOps.max(this.reshape(-1), 0, false);
    }

    /**
     * Maximum over one dimension; the gradient goes to the first maximal element of each slice.
     *
     * @param dim the dimension reduced away (negative counts from the end)
     * @param keepDim keep that dimension with size 1
     * @return the maxima
     */
    public Tensor max(int dim, boolean keepDim) {
        return ReduceOps.max(this, dim, keepDim);
    }

    // ---------------------------------------------------------------- joining, splitting, indexing

    /**
     * Concatenates tensors along one dimension (recorded: each input gets its slice of the gradient).
     *
     * @param dim the dimension to join along (negative counts from the end)
     * @param tensors at least one tensor; all sizes other than {@code dim}'s must match
     * @return a new contiguous tensor
     * @throws IllegalArgumentException if there are no tensors or their shapes do not fit
     */
    public static Tensor cat(int dim, Tensor... tensors) {
        return JoinOps.cat(dim, tensors);
    }

    /**
     * Splits into pieces of {@code splitSize} along {@code dim} (the last may be smaller).
     *
     * @param splitSize the size of each piece along {@code dim} ({@code > 0})
     * @param dim the dimension to split (negative counts from the end)
     * @return the pieces, views of this tensor, in order
     */
    public Tensor[] split(int splitSize, int dim) {
        return JoinOps.split(this, splitSize, dim);
    }

    /**
     * Splits into pieces of the given sizes along {@code dim}.
     *
     * @param sizes the size of each piece; they must add up to {@code size(dim)}
     * @param dim the dimension to split (negative counts from the end)
     * @return the pieces, views of this tensor, in order
     */
    public Tensor[] split(int[] sizes, int dim) {
        return JoinOps.split(this, sizes, dim);
    }

    /**
     * Splits into {@code chunks} nearly equal pieces along {@code dim}, as {@code torch.chunk}: each of
     * size {@code ceil(size / chunks)}, the last smaller (so there may be fewer pieces than asked for).
     *
     * @param chunks how many pieces at most ({@code > 0})
     * @param dim the dimension to split (negative counts from the end)
     * @return the pieces, views of this tensor, in order
     */
    public Tensor[] chunk(int chunks, int dim) {
        return JoinOps.chunk(this, chunks, dim);
    }

    /**
     * Entries of dimension {@code dim} at the given indices, in that order (an embedding lookup for
     * dim 0); the gradient adds into the selected entries, repeated indices included.
     *
     * @param dim the dimension indexed (negative counts from the end)
     * @param index positions along {@code dim}; may repeat
     * @return a new tensor whose {@code dim} has size {@code index.length}
     * @throws IllegalArgumentException if an index is out of range
     */
    public Tensor indexSelect(int dim, int[] index) {
        return IndexOps.indexSelect(this, dim, index);
    }

    /**
     * PyTorch's {@code gather}: {@code out[i][j][k] = this[i][index[i][j][k]][k]} for dim 1.
     *
     * @param dim the dimension the index points along (negative counts from the end)
     * @param index the positions, row-major in {@code indexShape}
     * @param indexShape the index's shape: the same rank as this tensor, and no larger in the other dimensions
     * @return a tensor of shape {@code indexShape}
     * @throws IllegalArgumentException if the shapes do not fit or an index is out of range
     */
    public Tensor gather(int dim, int[] index, int... indexShape) {
        return IndexOps.gather(this, dim, index, indexShape);
    }

    /**
     * Replaces the elements where {@code mask} is non-zero (as a causal attention mask does with -infinity).
     *
     * @param mask broadcast to this tensor's shape; non-zero marks an element to replace (not differentiated)
     * @param value the replacement
     * @return a new tensor; the gradient reaches only the elements kept
     */
    public Tensor maskedFill(Tensor mask, float value) {
        return IndexOps.maskedFill(this, mask, value);
    }

    /**
     * Elementwise choice, {@code condition != 0 ? a : b}, broadcasting all three.
     *
     * @param condition the selector (not differentiated)
     * @param a where the condition is non-zero
     * @param b where it is zero
     * @return a tensor of the broadcast shape; each of {@code a} and {@code b} gets the gradient where it was chosen
     */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return IndexOps.where(condition, a, b);
    }

    // ---------------------------------------------------------------- linear algebra and nn functions

    /**
     * Matrix product: 1-d and 2-d operands as in PyTorch, and batched products of
     * {@code [..., M, K]} by {@code [..., K, N]} with broadcast batch dimensions.
     *
     * @param other the right operand; its second-to-last (or only) dimension must equal this one's last
     * @return the product ({@code [..., M, N]}; a 1-d operand's dimension is dropped from the result)
     * @throws IllegalArgumentException if the inner dimensions differ or the batch dimensions do not broadcast
     */
    public Tensor matmul(Tensor other) {
        return MatmulOps.matmul(this, other);
    }

    /**
     * The affine map of a linear layer, PyTorch's {@code F.linear}: {@code this W^T + b} over the
     * last dimension. One fused op: cheaper than {@code matmul(weight.transpose(0, 1)).add(bias)}, same values.
     *
     * @param weight {@code [out, in]}, with {@code in} this tensor's last size
     * @param bias {@code [out]}, or {@code null} for none
     * @return {@code [..., out]}
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return LinearOps.linear(this, weight, bias);
    }

    /**
     * Softmax over one dimension, computed stably (the maximum is subtracted first).
     *
     * @param dim the dimension whose entries become a distribution (negative counts from the end)
     * @return probabilities of this tensor's shape, summing to 1 along {@code dim}
     */
    public Tensor softmax(int dim) {
        return SoftmaxOps.softmax(this, dim, false);
    }

    /**
     * Log of the softmax over one dimension, computed stably (without taking the log of a rounded-to-0 probability).
     *
     * @param dim the dimension normalised over (negative counts from the end)
     * @return log-probabilities of this tensor's shape
     */
    public Tensor logSoftmax(int dim) {
        return SoftmaxOps.softmax(this, dim, true);
    }

    /**
     * Mean cross-entropy of logits {@code [..., C]} against class indices, PyTorch's
     * {@code F.cross_entropy} on the flattened rows.
     *
     * @param targets one class in {@code [0, C)} per row ({@code numel / C} of them), or {@code ignoreIndex}
     * @param ignoreIndex a target value whose rows are left out of the mean (and get zero gradient)
     * @return a 0-d tensor: the mean negative log-likelihood over the rows not ignored
     * @throws IllegalArgumentException if the number of targets is wrong or a target is out of range
     */
    public Tensor crossEntropy(int[] targets, int ignoreIndex) {
        return LossOps.crossEntropy(this, targets, ignoreIndex);
    }

    /**
     * {@link #crossEntropy(int[], int)} with PyTorch's default ignore index, -100. The GPT's
     * batches follow nanoGPT instead and mark left-out targets with -1 ({@code GPT.IGNORE_INDEX}
     * in the nn module): pass that explicitly, {@code crossEntropy(targets, GPT.IGNORE_INDEX)}, as
     * {@code GPT.loss} does; here a -1 is refused as out of range, naming the ignore index.
     *
     * @param targets one class in {@code [0, C)} per row of the logits
     * @return a 0-d tensor: the mean negative log-likelihood
     */
    public Tensor crossEntropy(int[] targets) {
        return LossOps.crossEntropy(this, targets, -100);
    }

    /**
     * Layer normalisation over the last dimension: {@code (x - mean) / sqrt(var + eps) * weight + bias},
     * with the biased variance, as {@code F.layer_norm}.
     *
     * @param weight the scale, {@code [C]} for a last dimension of size C, or {@code null} for 1
     * @param bias the shift, {@code [C]}, or {@code null} for 0
     * @param eps added to the variance so a constant row does not divide by 0 (GPT-2 uses 1e-5)
     * @return the normalised tensor, of this tensor's shape
     */
    public Tensor layerNorm(Tensor weight, Tensor bias, float eps) {
        return NormOps.layerNorm(this, weight, bias, eps);
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability {@code p} and scales the
     * rest by {@code 1/(1-p)}, so the expected value is unchanged; outside training, the identity.
     *
     * @param p the probability of zeroing an element, in {@code [0, 1]} (1 zeroes everything)
     * @param training false for evaluation, where nothing is dropped and {@code rng} is not used
     * @param rng the source of the keep/drop draws (may be null only when nothing is dropped)
     * @return the result (this tensor itself when nothing is dropped)
     * @throws IllegalArgumentException if {@code p} is outside {@code [0, 1]}, or {@code rng} is null
     *         when elements are to be dropped
     */
    public Tensor dropout(float p, boolean training, RandomGenerator rng) {
        return DropoutOps.dropout(this, p, training, rng);
    }

    // ---------------------------------------------------------------- printing

    /** PyTorch-style text: the values (summarised when large), the shape and the grad function. */
    @Override
    public String toString() {
        checkLive("toString");
        return TensorFormat.format(this);
    }
}
