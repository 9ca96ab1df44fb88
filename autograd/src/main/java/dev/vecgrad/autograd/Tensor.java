package dev.vecgrad.autograd;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A float32 n-d array with reverse-mode automatic differentiation.
 *
 * <p>A tensor is a view (offset, shape, strides) onto a {@code float[]} storage that views share:
 * {@link #reshape}, {@link #transpose}, {@link #permute}, {@link #narrow}, {@link #expand},
 * {@link #unsqueeze} and {@link #squeeze} copy nothing. Method names follow PyTorch, so
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
     * @throws IllegalArgumentException if the number of values does not match the shape
     */
    public static Tensor of(float[] values, int... shape) {
        Shapes.checkShape("of", shape);
        if (values.length != Shapes.numel(shape)) {
            throw new IllegalArgumentException("of: " + values.length + " values cannot fill shape "
                    + Shapes.str(shape) + " (" + Shapes.numel(shape) + " elements)");
        }
        return wrap(values.clone(), shape.clone());
    }

    /** A 1-d tensor of the given values. */
    public static Tensor of(float... values) {
        return of(values, values.length);
    }

    /** A 0-d tensor (a scalar). */
    public static Tensor scalar(float value) {
        return wrap(new float[] {value});
    }

    /** Zeros of the given shape. */
    public static Tensor zeros(int... shape) {
        Shapes.checkShape("zeros", shape);
        return wrap(new float[Shapes.numel(shape)], shape.clone());
    }

    /** Ones of the given shape. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** A tensor of the given shape filled with {@code value}. */
    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    /** {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        return arange(0f, n, 1f);
    }

    /** Values from {@code start} (inclusive) to {@code end} (exclusive) in steps of {@code step}. */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || Float.isNaN(step) || (end - start) / step < 0) {
            throw new IllegalArgumentException("arange: cannot go from " + start + " to " + end + " in steps of " + step);
        }
        int n = (int) Math.ceil((end - start) / (double) step);
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
     */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) rng.nextGaussian();
        return t;
    }

    /** Uniform samples in [0, 1) drawn from {@code rng} (see {@link #randn} for why there is no seed overload). */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = rng.nextFloat();
        return t;
    }

    // ---------------------------------------------------------------- metadata and elements

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d} (negative counts from the end). */
    public int size(int d) {
        return shape[Shapes.dim("size", d, shape.length)];
    }

    /** The strides in elements (a copy). */
    public int[] strides() {
        return strides.clone();
    }

    /** Number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return Shapes.numel(shape);
    }

    /** Offset of the first element in {@link #storage()}. */
    public int offset() {
        return offset;
    }

    /**
     * The backing storage, shared with every view of it. Low-level: for kernels, optimizers and
     * serialisers that need the raw array; respect {@link #offset()} and {@link #strides()}.
     * After writing to it, call {@link #markModified(String)} so that ops which saved this tensor
     * for backward notice the change.
     */
    public float[] storage() {
        checkLive("storage");
        return data;
    }

    /** Whether the elements are laid out row-major without gaps from {@link #offset()}. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        checkLive("item");
        if (numel() != 1) {
            throw new IllegalArgumentException("item: only one-element tensors can be converted to a float, got shape "
                    + Shapes.str(shape));
        }
        return data[offset];
    }

    /** The element at the given indices (one per dimension; negative count from the end). */
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
     * @throws IllegalStateException when this tensor requires grad and grad is being recorded
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

    /** The elements in row-major order, as a new array. */
    public float[] toArray() {
        checkLive("toArray");
        if (isContiguous()) return Arrays.copyOfRange(data, offset, offset + numel());
        float[] out = new float[numel()];
        Strided.copy(out, 0, this);
        return out;
    }

    // ---------------------------------------------------------------- autograd

    /** Whether gradients flow into this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as requiring grad (or not). Returns {@code this} for chaining.
     *
     * @throws IllegalStateException when called on a non-leaf
     */
    public Tensor requiresGrad(boolean requires) {
        if (node != null) {
            throw new IllegalStateException("requiresGrad: can only change the flag of a leaf tensor; use detach()");
        }
        this.requiresGrad = requires;
        return this;
    }

    /** Whether this tensor was created by the user rather than by a recorded op. */
    public boolean isLeaf() {
        return node == null;
    }

    /** Name of the op that produced this tensor, or {@code null} for a leaf. */
    public String gradFn() {
        return node == null ? null : node.op;
    }

    /** Keeps this non-leaf's gradient in {@link #grad()} after backward. */
    public Tensor retainGrad() {
        retainsGrad = true;
        return this;
    }

    /** The accumulated gradient, or {@code null} before any backward reached this tensor. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (optimizers and loaders use it; {@code null} clears it). */
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

    /** Backpropagates from this one-element tensor (gradient 1). */
    public void backward() {
        Engine.backward(this, null, false);
    }

    /** Backpropagates {@code gradient} (same shape as this tensor) through the graph. */
    public void backward(Tensor gradient) {
        Engine.backward(this, gradient, false);
    }

    /**
     * Backpropagates {@code gradient} ({@code null} for 1 on a scalar); with {@code retainGraph}
     * the saved tensors are kept so backward can run through the graph again.
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        Engine.backward(this, gradient, retainGraph);
    }

    /** The same data, cut from the graph: a leaf that does not require grad. */
    public Tensor detach() {
        return new Tensor(data, offset, shape, strides, this);
    }

    /** A contiguous copy with its own storage; recorded (the gradient flows back unchanged). */
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
     * How many times this tensor's storage has been changed in place (by {@link #addInPlace},
     * {@link #mulInPlace}, {@link #fillInPlace}, {@link #copyInPlace}, {@link #set} or
     * {@link #markModified}); views share the count with the tensor they view. An op that saved
     * a tensor for its backward remembers its version, and backward refuses to run through the op
     * if it changed since, instead of computing the gradient from the new values.
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

    /** {@code this += other} (other broadcast to this shape). Returns {@code this}. */
    public Tensor addInPlace(Tensor other) {
        checkInPlace("addInPlace");
        ElementwiseOps.addInPlace(this, other, 1f);
        bumpVersion("addInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /** {@code this += alpha * other} (other broadcast to this shape). Returns {@code this}. */
    public Tensor addInPlace(Tensor other, float alpha) {
        checkInPlace("addInPlace");
        ElementwiseOps.addInPlace(this, other, alpha);
        bumpVersion("addInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /** {@code this *= s}. Returns {@code this}. */
    public Tensor mulInPlace(float s) {
        checkInPlace("mulInPlace");
        ElementwiseOps.scaleInPlace(this, s);
        bumpVersion("mulInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /** Sets every element to {@code value}. Returns {@code this}. */
    public Tensor fillInPlace(float value) {
        checkInPlace("fillInPlace");
        ElementwiseOps.fillInPlace(this, value);
        bumpVersion("fillInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    /** Copies {@code src} (broadcast to this shape) into this tensor's elements. Returns {@code this}. */
    public Tensor copyInPlace(Tensor src) {
        checkInPlace("copyInPlace");
        ElementwiseOps.copyInPlace(this, src);
        bumpVersion("copyInPlace");   // after the write: a rejected call changes nothing
        return this;
    }

    // ---------------------------------------------------------------- views

    /** The same elements with a new shape (one size may be -1); a view when possible, else a copy. */
    public Tensor reshape(int... newShape) {
        return ViewOps.reshape(this, newShape);
    }

    /** Like {@link #reshape} but never copies: fails on a non-contiguous tensor. */
    public Tensor view(int... newShape) {
        return ViewOps.view(this, newShape);
    }

    /** Swaps two dimensions (a view). */
    public Tensor transpose(int dim0, int dim1) {
        return ViewOps.transpose(this, dim0, dim1);
    }

    /** Reorders the dimensions (a view). */
    public Tensor permute(int... dims) {
        return ViewOps.permute(this, dims);
    }

    /** {@code length} entries of dimension {@code dim} starting at {@code start} (a view). */
    public Tensor narrow(int dim, int start, int length) {
        return ViewOps.narrow(this, dim, start, length);
    }

    /** Entries {@code [start, end)} of dimension {@code dim} (a view; negative bounds count from the end, out-of-range ones clamp). */
    public Tensor slice(int dim, int start, int end) {
        int d = Shapes.dim("slice", dim, shape.length);
        if (shape.length == 0) throw new IllegalArgumentException("slice: cannot slice a 0-d tensor");
        // Out-of-range bounds clamp, as in Python and PyTorch slicing.
        int s = Math.clamp(start < 0 ? (long) start + shape[d] : start, 0, shape[d]);
        int e = Math.clamp(end < 0 ? (long) end + shape[d] : end, s, shape[d]);
        return ViewOps.narrow(this, d, s, e - s);
    }

    /** Broadcasts size-1 (or missing leading) dimensions to {@code newShape} without copying; -1 keeps a size. */
    public Tensor expand(int... newShape) {
        return ViewOps.expand(this, newShape);
    }

    /** Inserts a size-1 dimension at {@code dim} (a view). */
    public Tensor unsqueeze(int dim) {
        return ViewOps.unsqueeze(this, dim);
    }

    /** Removes dimension {@code dim} if its size is 1 (a view). */
    public Tensor squeeze(int dim) {
        return ViewOps.squeeze(this, dim);
    }

    /** Removes every size-1 dimension (a view). */
    public Tensor squeeze() {
        return ViewOps.squeezeAll(this);
    }

    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : copy();
    }

    // ---------------------------------------------------------------- elementwise

    /** {@code this + other}, broadcasting. */
    public Tensor add(Tensor other) {
        return ElementwiseOps.add(this, other);
    }

    /** {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) {
        return ElementwiseOps.sub(this, other);
    }

    /** {@code this * other}, broadcasting. */
    public Tensor mul(Tensor other) {
        return ElementwiseOps.mul(this, other);
    }

    /** {@code this / other}, broadcasting. */
    public Tensor div(Tensor other) {
        return ElementwiseOps.div(this, other);
    }

    /** {@code this + s}. */
    public Tensor add(float s) {
        return ElementwiseOps.addScalar(this, s);
    }

    /** {@code this - s}. */
    public Tensor sub(float s) {
        return ElementwiseOps.addScalar(this, -s);
    }

    /** {@code this * s}. */
    public Tensor mul(float s) {
        return ElementwiseOps.mulScalar(this, s);
    }

    /** {@code this / s}. */
    public Tensor div(float s) {
        return ElementwiseOps.mulScalar(this, 1f / s);
    }

    /** {@code -this}. */
    public Tensor neg() {
        return ElementwiseOps.mulScalar(this, -1f);
    }

    /** {@code this ^ exponent}, elementwise. */
    public Tensor pow(float exponent) {
        return UnaryOps.pow(this, exponent);
    }

    /** {@code e ^ this}. */
    public Tensor exp() {
        return UnaryOps.exp(this);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return UnaryOps.log(this);
    }

    /** Square root. */
    public Tensor sqrt() {
        return UnaryOps.sqrt(this);
    }

    /** Hyperbolic tangent. */
    public Tensor tanh() {
        return UnaryOps.tanh(this);
    }

    /** Logistic sigmoid {@code 1 / (1 + e^-x)}. */
    public Tensor sigmoid() {
        return UnaryOps.sigmoid(this);
    }

    /** {@code max(x, 0)}. */
    public Tensor relu() {
        return UnaryOps.relu(this);
    }

    /** GELU, tanh approximation (GPT-2's, PyTorch's {@code approximate='tanh'}). */
    public Tensor gelu() {
        return UnaryOps.gelu(this);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements (a 0-d tensor). */
    public Tensor sum() {
        return ReduceOps.sumAll(this);
    }

    /** Sum over {@code dim}; with {@code keepDim} the reduced dimension stays with size 1. */
    public Tensor sum(int dim, boolean keepDim) {
        return ReduceOps.sum(this, dim, keepDim);
    }

    /** Mean of all elements (a 0-d tensor). */
    public Tensor mean() {
        return ReduceOps.sumAll(this).mul(1f / numel());
    }

    /** Mean over {@code dim}. */
    public Tensor mean(int dim, boolean keepDim) {
        int d = Shapes.dim("mean", dim, shape.length);
        return ReduceOps.sum(this, d, keepDim).mul(1f / (shape.length == 0 ? 1 : shape[d]));
    }

    /** Maximum of all elements (a 0-d tensor); the gradient goes to the first maximal element. */
    public Tensor max() {
        return ReduceOps.max(this.reshape(-1), 0, false);
    }

    /** Maximum over {@code dim}; the gradient goes to the first maximal element of each slice. */
    public Tensor max(int dim, boolean keepDim) {
        return ReduceOps.max(this, dim, keepDim);
    }

    // ---------------------------------------------------------------- joining, splitting, indexing

    /** Concatenates tensors along {@code dim}; all other dimensions must match. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return JoinOps.cat(dim, tensors);
    }

    /** Splits into pieces of {@code splitSize} along {@code dim} (the last may be smaller); views. */
    public Tensor[] split(int splitSize, int dim) {
        return JoinOps.split(this, splitSize, dim);
    }

    /** Splits into pieces of the given sizes along {@code dim}; views. */
    public Tensor[] split(int[] sizes, int dim) {
        return JoinOps.split(this, sizes, dim);
    }

    /** Splits into {@code chunks} nearly equal pieces along {@code dim}; views. */
    public Tensor[] chunk(int chunks, int dim) {
        return JoinOps.chunk(this, chunks, dim);
    }

    /** Entries of dimension {@code dim} at the given indices (embedding lookup for dim 0). */
    public Tensor indexSelect(int dim, int[] index) {
        return IndexOps.indexSelect(this, dim, index);
    }

    /**
     * PyTorch's {@code gather}: {@code out[i][j][k] = this[i][index[i][j][k]][k]} for dim 1. The
     * index has shape {@code indexShape} (same rank as this tensor).
     */
    public Tensor gather(int dim, int[] index, int... indexShape) {
        return IndexOps.gather(this, dim, index, indexShape);
    }

    /** Where {@code mask} (broadcast to this shape) is non-zero, {@code value}; elsewhere this tensor. */
    public Tensor maskedFill(Tensor mask, float value) {
        return IndexOps.maskedFill(this, mask, value);
    }

    /** Elementwise {@code condition != 0 ? a : b}, broadcasting all three. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return IndexOps.where(condition, a, b);
    }

    // ---------------------------------------------------------------- linear algebra and nn functions

    /**
     * Matrix product: 1-d and 2-d operands as in PyTorch, and batched products of
     * {@code [..., M, K]} by {@code [..., K, N]} with broadcast batch dimensions.
     */
    public Tensor matmul(Tensor other) {
        return MatmulOps.matmul(this, other);
    }

    /**
     * The affine map of a linear layer, PyTorch's {@code F.linear}: {@code this W^T + b} over the
     * last dimension, with {@code weight} {@code [out, in]} and {@code bias} {@code [out]} or null.
     * One fused op: cheaper than {@code matmul(weight.transpose(0, 1)).add(bias)}, same values.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return LinearOps.linear(this, weight, bias);
    }

    /** Softmax over {@code dim}. */
    public Tensor softmax(int dim) {
        return SoftmaxOps.softmax(this, dim, false);
    }

    /** Log of the softmax over {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) {
        return SoftmaxOps.softmax(this, dim, true);
    }

    /**
     * Mean cross-entropy of logits {@code [..., C]} against class indices (one per row,
     * {@code numel / C} of them); rows whose target is {@code ignoreIndex} are left out of the mean.
     */
    public Tensor crossEntropy(int[] targets, int ignoreIndex) {
        return LossOps.crossEntropy(this, targets, ignoreIndex);
    }

    /** {@link #crossEntropy(int[], int)} with PyTorch's default ignore index, -100. */
    public Tensor crossEntropy(int[] targets) {
        return LossOps.crossEntropy(this, targets, -100);
    }

    /**
     * Layer normalisation over the last dimension: {@code (x - mean) / sqrt(var + eps) * weight + bias};
     * {@code weight} and {@code bias} (shape {@code [C]}) may be {@code null}.
     */
    public Tensor layerNorm(Tensor weight, Tensor bias, float eps) {
        return NormOps.layerNorm(this, weight, bias, eps);
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability {@code p} (drawn from
     * {@code rng}) and scales the rest by {@code 1/(1-p)}; outside training, the identity.
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
