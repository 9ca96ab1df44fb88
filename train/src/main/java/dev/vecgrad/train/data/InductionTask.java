package dev.vecgrad.train.data;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import java.util.random.RandomGenerator;

/**
 * A task whose circuit is known: sequences of random tokens in which a random segment appears
 * twice; the loss counts only the second copy, where the next token can be read off the first
 * copy. A model solves it with an induction head (Olsson et al., 2022): a head that attends from
 * a token to the token after that token's earlier occurrence, helped by a previous-token head in
 * an earlier layer. Elsewhere the tokens are uniformly random, so the best possible loss there is
 * {@code ln V} and nothing else can be learned from them.
 *
 * <p>One sequence of {@code blockSize + 1} tokens: the copy length {@code n} is drawn uniformly
 * from {@code [max(2, blockSize/4), (blockSize+1)/2]}, the first copy starts at a uniform
 * {@code r} in {@code [0, blockSize + 1 - 2n]}, the second copy follows it at {@code r + n}, and
 * every other token is random. The targets are the next tokens at positions
 * {@code r+n .. r+2n-2} (predicting the second copy's tokens 2..n) and {@link GPT#IGNORE_INDEX} (-1) elsewhere. The second
 * copy's first token is left out: it follows the first copy's last token, not its own earlier
 * occurrence. Because both {@code n} and {@code r} vary, the distance back to the first copy
 * cannot be learned as a fixed position offset: the model has to find it by content. Copies are
 * at least a quarter of the block long, so the earlier occurrence is never just the last few
 * tokens (with {@code n = 2} the induction target would be the previous token, which a
 * previous-token head in the first layer finds without any induction).
 */
public final class InductionTask {
    /** The token alphabet; a vocabulary of size V uses its first V characters. */
    public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final int vocab;
    private final CharTokenizer tokenizer;

    /**
     * A task over the first {@code vocabSize} characters of {@link #ALPHABET}.
     *
     * @param vocabSize distinct tokens, 2..{@value #MAX_VOCAB}
     * @throws IllegalArgumentException naming the value out of range
     */
    public InductionTask(int vocabSize) {
        if (vocabSize < 2 || vocabSize > MAX_VOCAB) {
            throw new IllegalArgumentException("induction: vocab size must be 2.." + MAX_VOCAB + ", got " + vocabSize);
        }
        this.vocab = vocabSize;
        this.tokenizer = CharTokenizer.of(ALPHABET.substring(0, vocabSize));
    }

    /** The largest vocabulary: the alphabet's length. */
    public static final int MAX_VOCAB = 62;

    /** The smallest block size: room for two copies of 2 tokens and the target after them. */
    public static final int MIN_BLOCK = 4;

    /** {@return the number of distinct tokens} */
    public int vocabSize() {
        return vocab;
    }

    /** {@return the tokenizer: one letter or digit per token} */
    public CharTokenizer tokenizer() {
        return tokenizer;
    }

    /** {@return the loss a model that knows nothing gets on the second copy: {@code ln V}} */
    public double chanceLoss() {
        return Math.log(vocab);
    }

    /**
     * A batch of sequences with targets on the second copy only.
     *
     * @param batchSize how many sequences
     * @param blockSize the inputs per sequence, at least {@value #MIN_BLOCK}
     * @param rng draws the tokens and the copies' places
     * @return {@code [batchSize, blockSize]}
     */
    public Batch sample(int batchSize, int blockSize, RandomGenerator rng) {
        return sampleWithLayout(batchSize, blockSize, rng).batch();
    }

    /**
     * Sequences and where their copies are.
     *
     * @param batch       the sequences
     * @param secondCopy  per sequence, the position where the second copy starts
     * @param copyLength  per sequence, the length {@code n} of each copy (the second copy may run
     *                    one token past the inputs, into the last target)
     */
    public record Layout(Batch batch, int[] secondCopy, int[] copyLength) {}

    /**
     * {@link #sample}, also saying where each sequence's copies are.
     *
     * @param batchSize how many sequences
     * @param blockSize the inputs per sequence, at least {@value #MIN_BLOCK}
     * @param rng draws the tokens and the copies' places
     * @return the batch and its layout
     */
    public Layout sampleWithLayout(int batchSize, int blockSize, RandomGenerator rng) {
        return generate(batchSize, blockSize, vocab, rng);
    }

    /**
     * The task's sequences over token ids {@code [0, vocab)} of any vocabulary (a GPT-2
     * model's 50,257 too): what {@link #sampleWithLayout} draws, for probing models.
     *
     * @param batchSize how many sequences
     * @param blockSize the inputs per sequence, at least {@value #MIN_BLOCK}
     * @param vocab the number of token ids to draw from
     * @param rng draws the tokens and the copies' places
     * @return the batch and its layout
     */
    public static Layout generate(int batchSize, int blockSize, int vocab, RandomGenerator rng) {
        if (vocab < 2) throw new IllegalArgumentException("induction: vocab size must be >= 2, got " + vocab);
        if (blockSize < MIN_BLOCK) throw new IllegalArgumentException("induction: block size must be >= " + MIN_BLOCK + ", got " + blockSize);
        int[] idx = new int[batchSize * blockSize], tgt = new int[batchSize * blockSize];
        int[] second = new int[batchSize], len = new int[batchSize];
        int[] seq = new int[blockSize + 1];
        int nMin = Math.max(2, blockSize / 4), nMax = (blockSize + 1) / 2;
        for (int b = 0; b < batchSize; b++) {
            for (int i = 0; i < seq.length; i++) seq[i] = rng.nextInt(vocab);
            int n = nMin + rng.nextInt(nMax - nMin + 1);
            int r = rng.nextInt(seq.length - 2 * n + 1);
            System.arraycopy(seq, r, seq, r + n, n);
            second[b] = r + n;
            len[b] = n;
            for (int t = 0; t < blockSize; t++) {
                idx[b * blockSize + t] = seq[t];
                tgt[b * blockSize + t] = t >= r + n && t <= r + 2 * n - 2 ? seq[t + 1] : GPT.IGNORE_INDEX;
            }
        }
        return new Layout(new Batch(idx, tgt, batchSize, blockSize), second, len);
    }

    /**
     * The induction score's probe (and TransformerLens's): {@code batchSize} sequences of
     * {@code n} random tokens from a vocabulary of {@code vocabSize} followed by the same
     * {@code n} again, {@code [B, 2n]}; targets on the second copy's tokens 2..n.
     *
     * @param batchSize how many sequences
     * @param n the length of each copy
     * @param vocabSize the number of token ids to draw from
     * @param rng draws the tokens
     * @return {@code [batchSize, 2n]}
     */
    public static Batch repeated(int batchSize, int n, int vocabSize, RandomGenerator rng) {
        if (n < 2) throw new IllegalArgumentException("induction: a repeated segment needs >= 2 tokens, got " + n);
        int t = 2 * n;
        int[] idx = new int[batchSize * t], tgt = new int[batchSize * t];
        for (int b = 0; b < batchSize; b++) {
            for (int i = 0; i < n; i++) idx[b * t + i] = idx[b * t + n + i] = rng.nextInt(vocabSize);
            for (int i = 0; i < t; i++) tgt[b * t + i] = i >= n && i < t - 1 ? idx[b * t + i + 1] : GPT.IGNORE_INDEX;
        }
        return new Batch(idx, tgt, batchSize, t);
    }
}
