package dev.vecgrad.autograd.kernel;

/**
 * Argument checks shared by the array kernels of this package.
 *
 * <p>A kernel checks its ranges once, before its loops, so a bad offset fails with a message that
 * names the operation and the sizes instead of an {@link ArrayIndexOutOfBoundsException} from
 * the middle of a vector loop.
 */
final class KernelArgs {
    private KernelArgs() {}

    /** Fails unless {@code count >= 0}. */
    static void size(String op, String what, int count) {
        if (count < 0) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= 0, got " + count);
        }
    }

    /**
     * Fails unless {@code array[off .. off+len)} lies inside {@code array} (an empty range needs
     * only a non-negative offset). A null array is an error.
     */
    static void range(String op, String name, float[] array, int off, long len) {
        if (array == null) {
            throw new IllegalArgumentException(op + ": array " + name + " is null");
        }
        if (off < 0 || len < 0 || off + len > array.length) {
            throw new IllegalArgumentException(op + ": " + name + " needs " + len
                    + " elements from offset " + off + " but has length " + array.length);
        }
    }

    /** Like {@link #range} but a null array is allowed (it means "not used"). */
    static void optionalRange(String op, String name, float[] array, int off, long len) {
        if (array != null) {
            range(op, name, array, off, len);
        }
    }

    /**
     * Checks a row-major block of {@code rows} rows of {@code cols} elements, rows {@code ld}
     * apart: the last element touched is {@code off + (rows-1)*ld + cols - 1}.
     */
    static void block(String op, String name, float[] array, int off, int ld, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": rows and cols must be >= 0, got "
                    + rows + "x" + cols);
        }
        if (ld < cols) {
            throw new IllegalArgumentException(op + ": row stride of " + name + " (" + ld
                    + ") is smaller than cols (" + cols + ")");
        }
        long span = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        range(op, name, array, off, span);
    }
}
