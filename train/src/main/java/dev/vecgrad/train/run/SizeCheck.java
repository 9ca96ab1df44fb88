package dev.vecgrad.train.run;

import java.util.Locale;

/**
 * Refuses a configuration that cannot run before anything is allocated: a tensor with more
 * elements than a Java array holds (2^31 - 1), or a lower bound on the memory a training step
 * needs that already exceeds the JVM's heap. Without it, {@code --block-size 100000} failed deep
 * inside the first forward pass with "integer overflow", and {@code --n-embd 100000} named no
 * setting at all.
 */
final class SizeCheck {
    /** The most elements vecgrad puts in one array (a little under {@code Integer.MAX_VALUE}, as the JDK allows). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private SizeCheck() {}

    /**
     * @param maxHeapBytes what the JVM may use ({@code Runtime.getRuntime().maxMemory()})
     * @throws InvalidConfigException naming the setting to change and the limit
     */
    static void check(TrainConfig c, int vocabSize, long maxHeapBytes) {
        long e = c.model().nEmbd(), t = c.model().blockSize(), b = c.batchSize(), h = c.model().nHead(), v = vocabSize;
        long l = c.model().nLayer();
        if (4 * e * e > MAX_ELEMENTS) {
            throw new InvalidConfigException("nEmbd", e + " is too wide: the MLP weight [" + 4 * e + ", " + e + "] would hold "
                    + count(4 * e * e) + " values, more than a Java array holds (at most " + (long) Math.sqrt(MAX_ELEMENTS / 4.0) + ")");
        }
        if (v * e > MAX_ELEMENTS) {
            throw new InvalidConfigException("nEmbd", e + " is too wide for a vocabulary of " + v + ": the embedding would hold "
                    + count(v * e) + " values, more than a Java array holds");
        }
        if (b * h * t * t > MAX_ELEMENTS) {
            throw new InvalidConfigException("blockSize", t + " is too long for batchSize " + b + " and nHead " + h
                    + ": one layer's attention weights [" + b + ", " + h + ", " + t + ", " + t + "] would hold " + count(b * h * t * t)
                    + " values, more than a Java array holds; at most " + (long) Math.sqrt((double) MAX_ELEMENTS / (b * h))
                    + " with this batchSize");
        }
        if (b * t * Math.max(4 * e, v) > MAX_ELEMENTS) {
            throw new InvalidConfigException("batchSize", b + " x blockSize " + t + " is too large: the activations [" + b * t
                    + ", " + Math.max(4 * e, v) + "] would hold " + count(b * t * Math.max(4 * e, v)) + " values, more than a Java array holds");
        }
        // A lower bound: the weights with their gradients and AdamW's two moments (16 bytes a
        // parameter), and each layer's attention weights and their gradient (at least the half
        // below the diagonal, 4 bytes each).
        long params = v * e + t * e + l * 12 * e * e;
        long paramBytes = 16 * params, attentionBytes = l * b * h * t * t / 2 * 4 * 2;
        if (paramBytes + attentionBytes > maxHeapBytes) {
            boolean model = paramBytes >= attentionBytes;
            throw new InvalidConfigException(model ? "nEmbd" : "blockSize", (model ? e : t) + " needs at least "
                    + ByteSize.of(paramBytes + attentionBytes) + " of heap (weights, gradients and AdamW moments " + ByteSize.of(paramBytes)
                    + ", attention " + ByteSize.of(attentionBytes) + ") but the JVM may use " + ByteSize.of(maxHeapBytes) + "; make the "
                    + (model ? "model smaller (nEmbd, nLayer)" : "context or batch smaller (blockSize, batchSize)")
                    + " or raise -Xmx (VECGRAD_JAVA_OPTS)");
        }
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
