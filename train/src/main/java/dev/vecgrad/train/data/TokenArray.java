package dev.vecgrad.train.data;

/**
 * Token ids stored compactly: one byte a token when the vocabulary has at most 256 symbols (any
 * plain ASCII text), else two bytes (ids below 65,536). A 1 GB ASCII corpus takes 1 GB here
 * instead of the 4 GB an {@code int[]} would need.
 */
public final class TokenArray {
    /** The largest vocabulary a token array holds: ids 0..65535. */
    public static final int MAX_VOCAB = 1 << 16;
    /** The most tokens one array holds (the JVM's largest array, with its usual margin). */
    public static final int MAX_TOKENS = Integer.MAX_VALUE - 8;

    private final byte[] narrow; // ids 0..255, read unsigned; null when wide is used
    private final char[] wide;   // ids 0..65535; null when narrow is used
    private final int length;

    private TokenArray(byte[] narrow, char[] wide, int length) {
        this.narrow = narrow;
        this.wide = wide;
        this.length = length;
    }

    /**
     * Zeroed storage for {@code length} ids below {@code vocabSize}: bytes when the vocabulary
     * has at most 256 symbols, chars otherwise.
     *
     * @param length the number of tokens, at most {@link #MAX_TOKENS}
     * @param vocabSize the number of distinct ids, at most {@link #MAX_VOCAB}
     * @return the array, all ids 0
     * @throws IllegalArgumentException when the vocabulary or the length is out of range
     */
    public static TokenArray allocate(int length, int vocabSize) {
        if (vocabSize < 1 || vocabSize > MAX_VOCAB) {
            throw new IllegalArgumentException("tokens: a vocabulary of " + vocabSize + " symbols is out of range (1.."
                    + MAX_VOCAB + ")");
        }
        if (length < 0 || length > MAX_TOKENS) {
            throw new IllegalArgumentException("tokens: " + length + " tokens is out of range (0.." + MAX_TOKENS + ")");
        }
        return vocabSize <= 256 ? new TokenArray(new byte[length], null, length) : new TokenArray(null, new char[length], length);
    }

    /**
     * A copy of {@code ids}, as narrow as their largest id allows.
     *
     * @param ids token ids, each in [0, 65535]
     * @return the array
     * @throws IllegalArgumentException naming the first id outside [0, 65535] and its position
     */
    public static TokenArray of(int[] ids) {
        int max = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= MAX_VOCAB) {
                throw new IllegalArgumentException("dataset: token id " + ids[i] + " at position " + i + " is out of range");
            }
            max = Math.max(max, ids[i]);
        }
        TokenArray a = allocate(ids.length, max + 1);
        for (int i = 0; i < ids.length; i++) a.set(i, ids[i]);
        return a;
    }

    /** {@return the number of tokens} */
    public int length() {
        return length;
    }

    /** {@return the bytes of storage per token: 1 or 2} */
    public int bytesPerToken() {
        return narrow != null ? 1 : 2;
    }

    /**
     * The id at one position.
     *
     * @param i the position, in {@code [0, length())}
     * @return the id
     */
    public int get(int i) {
        return narrow != null ? narrow[i] & 0xFF : wide[i];
    }

    /** Stores {@code id} (already checked to fit) at {@code i}; used while filling the array. */
    void set(int i, int id) {
        if (narrow != null) narrow[i] = (byte) id;
        else wide[i] = (char) id;
    }

    /**
     * Copies a run of ids into an int array (how batches are cut out of the corpus).
     *
     * @param from the first position copied
     * @param dst the destination
     * @param at where in {@code dst} the first id goes
     * @param n how many ids
     */
    public void copyTo(int from, int[] dst, int at, int n) {
        java.util.Objects.checkFromIndexSize(from, n, length);
        java.util.Objects.checkFromIndexSize(at, n, dst.length);
        if (narrow != null) {
            for (int k = 0; k < n; k++) dst[at + k] = narrow[from + k] & 0xFF;
        } else {
            for (int k = 0; k < n; k++) dst[at + k] = wide[from + k];
        }
    }

    /**
     * {@return all ids as a new {@code int[]} (for small arrays and tests: a large corpus would need four bytes a token)}
     */
    public int[] toIntArray() {
        int[] out = new int[length];
        copyTo(0, out, 0, length);
        return out;
    }
}
