package dev.vecgrad.train.sample;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from a row of logits: greedy (temperature 0), or a draw from
 * {@code softmax(logits / temperature)} restricted to the {@code topK} most likely tokens.
 */
public final class TokenPicker {
    private final float temperature;
    private final int topK;
    private final RandomGenerator rng;

    /**
     * A picker with fixed settings.
     *
     * @param temperature 0 for greedy decoding; otherwise &gt; 0 (1 samples the model's distribution)
     * @param topK        keep only the k most likely tokens (0 keeps all)
     * @param rng         the source of randomness (seed it for reproducible samples); unused, and may
     *                    be null, when greedy
     * @throws IllegalArgumentException if the temperature is negative, NaN or infinite, {@code topK} is
     *     negative, or {@code rng} is null with a temperature above 0
     */
    public TokenPicker(float temperature, int topK, RandomGenerator rng) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        if (rng == null && temperature > 0) {
            throw new IllegalArgumentException("temperature " + temperature + " samples at random and needs a generator;"
                    + " pass one (e.g. new SplittableRandom(seed)), or temperature 0 for greedy decoding");
        }
        this.temperature = temperature;
        this.topK = topK;
        this.rng = rng;
    }

    /**
     * The index of the largest logit (the first one on ties), i.e. greedy decoding.
     *
     * @param logits the array holding the row
     * @param off the row's first element
     * @param n the row's length (the vocabulary size)
     * @return a token id in {@code [0, n)}
     * @throws IllegalArgumentException if {@code n < 1} or a logit is NaN
     */
    public static int argmax(float[] logits, int off, int n) {
        checkRow(logits, off, n);
        int best = 0;
        for (int i = 1; i < n; i++) if (logits[off + i] > logits[off + best]) best = i;
        return best;
    }

    /**
     * The next token for one row of logits.
     *
     * @param logits the array holding the row (not modified)
     * @param off the row's first element
     * @param n the row's length (the vocabulary size)
     * @return a token id in {@code [0, n)}
     * @throws IllegalArgumentException if {@code n < 1} or a logit is NaN
     */
    public int pick(float[] logits, int off, int n) {
        if (temperature == 0f) return argmax(logits, off, n);
        checkRow(logits, off, n);
        float cutoff = Float.NEGATIVE_INFINITY;
        if (topK > 0 && topK < n) {
            float[] sorted = Arrays.copyOfRange(logits, off, off + n);
            Arrays.sort(sorted);
            cutoff = sorted[n - topK];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) if (logits[off + i] >= cutoff) max = Math.max(max, logits[off + i]);
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (logits[off + i] >= cutoff) {
                p[i] = Math.exp((logits[off + i] - max) / temperature);
                sum += p[i];
            }
        }
        double u = rng.nextDouble() * sum;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (p[i] <= 0) continue;
            last = i;
            u -= p[i];
            if (u < 0) return i;
        }
        return last >= 0 ? last : argmax(logits, off, n);
    }

    /**
     * An empty row has no token to give, and a NaN logit (a model whose weights or activations
     * stopped being finite) would otherwise come out as some fixed id, silently.
     */
    private static void checkRow(float[] logits, int off, int n) {
        if (n < 1) throw new IllegalArgumentException("pick: a row of " + n + " logits has no token to pick");
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(logits[off + i])) {
                throw new IllegalArgumentException("pick: logit " + i + " of " + n + " is NaN: the model's output is not"
                        + " finite (are its weights?)");
            }
        }
    }
}
