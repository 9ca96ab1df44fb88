package dev.vecgrad.train.data;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The built-in task: learn {@code a + b} for {@code digits}-digit numbers.
 *
 * <p>A problem is written {@code "ab+cd="} followed by the sum's digits in reverse order, padded
 * to {@code digits + 1} (e.g. {@code 12+34=640} for 12 + 34 = 46): reversed, each answer digit
 * depends only on digits already seen, so a causal model can learn the carries. The loss covers
 * the answer tokens only. A held-out set of problems, disjoint from training, measures exact-match
 * accuracy by greedy decoding.
 */
public final class AdditionTask {
    /** Vocabulary: the ten digits, '+' and '='. */
    public static final String VOCAB = "+0123456789=";

    private final int digits;
    private final int limit;
    private final CharTokenizer tokenizer = CharTokenizer.of(VOCAB);
    private final long[] test;              // held-out (a, b) packed as a * limit + b
    private final Set<Long> testSet = new HashSet<>();
    private final long[] train;             // empty when problems are sampled on the fly

    /**
     * A task with a fixed held-out set.
     *
     * @param digits   digits per operand, 1..6
     * @param testSize held-out problems, never drawn for training
     * @param seed     chooses the held-out set
     * @throws IllegalArgumentException as {@link #checkSizes} does
     */
    public AdditionTask(int digits, int testSize, long seed) {
        checkSizes(digits, testSize);
        this.digits = digits;
        this.limit = (int) Math.pow(10, digits);
        long total = (long) limit * limit;
        SplittableRandom rng = new SplittableRandom(seed);
        if (total <= 1_000_000) {
            long[] all = new long[(int) total];
            for (int i = 0; i < all.length; i++) all[i] = i;
            for (int i = all.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                long t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
            test = java.util.Arrays.copyOf(all, testSize);
            train = java.util.Arrays.copyOfRange(all, testSize, all.length);
        } else {
            test = new long[testSize];
            for (int i = 0; i < testSize; ) {
                long p = rng.nextLong(total);
                if (testSet.add(p)) test[i++] = p;
            }
            train = new long[0];
        }
        for (long p : test) testSet.add(p);
    }

    /** The largest held-out set: beyond it the set alone would take hundreds of megabytes. */
    public static final int MAX_HELD_OUT = 1_000_000;

    /**
     * Checks what the constructor accepts: 1..6 digits and a held-out set of 1 to half of all
     * problems, at most {@link #MAX_HELD_OUT}.
     *
     * @param digits digits per operand
     * @param testSize the size of the held-out set
     * @throws IllegalArgumentException naming the value out of range
     */
    public static void checkSizes(int digits, int testSize) {
        if (digits < 1 || digits > 6) throw new IllegalArgumentException("addition: digits must be 1..6, got " + digits);
        long total = (long) Math.pow(10, 2 * digits);
        long most = Math.min(total / 2, MAX_HELD_OUT);
        if (testSize < 1 || testSize > most) {
            throw new IllegalArgumentException("addition: the held-out set must have 1.." + most + " problems, got " + testSize);
        }
    }

    /** {@return the task's tokenizer over {@link #VOCAB}} */
    public CharTokenizer tokenizer() {
        return tokenizer;
    }

    /** {@return the digits per operand} */
    public int digits() {
        return digits;
    }

    /** {@return the tokens in one full problem ({@code 3 * digits + 3})} */
    public int sequenceLength() {
        return 3 * digits + 3;
    }

    /** {@return the context a model needs: one problem minus its last token} */
    public int blockSize() {
        return sequenceLength() - 1;
    }

    /** {@return the tokens of the answer ({@code digits + 1})} */
    public int answerLength() {
        return digits + 1;
    }

    /**
     * The prompt of one problem.
     *
     * @param a the first operand, below {@code 10^digits}
     * @param b the second operand
     * @return {@code "ab+cd="} with zero-padded operands
     */
    public String prompt(int a, int b) {
        return pad(a, digits) + "+" + pad(b, digits) + "=";
    }

    /**
     * The expected completion of one problem.
     *
     * @param a the first operand
     * @param b the second operand
     * @return the sum's digits, reversed, padded to {@code digits + 1}
     */
    public String answer(int a, int b) {
        return new StringBuilder(pad(a + b, digits + 1)).reverse().toString();
    }

    /**
     * Reads a reversed answer back into a number.
     *
     * @param reversed the generated answer, least significant digit first
     * @return the number, or -1 when the text is not all digits
     */
    public static long parseAnswer(String reversed) {
        String s = new StringBuilder(reversed).reverse().toString();
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit)) return -1;
        return Long.parseLong(s);
    }

    private static String pad(int v, int width) {
        StringBuilder s = new StringBuilder(Integer.toString(v));
        while (s.length() < width) s.insert(0, '0');
        return s.toString();
    }

    /**
     * A training batch of whole problems, none from the held-out set. Only the answer positions
     * have targets: the operands' digits are random, so predicting them would teach nothing.
     *
     * @param batchSize how many problems
     * @param rng draws the operands
     * @return {@code [batchSize, blockSize()]}
     */
    public Batch sample(int batchSize, RandomGenerator rng) {
        int t = blockSize();
        int[] idx = new int[batchSize * t], tgt = new int[batchSize * t];
        int answerStart = 2 * digits + 2;  // index in the full sequence of the first answer token
        for (int b = 0; b < batchSize; b++) {
            long p = drawTrain(rng);
            int[] seq = tokenizer.encode(prompt((int) (p / limit), (int) (p % limit)) + answer((int) (p / limit), (int) (p % limit)));
            for (int i = 0; i < t; i++) {
                idx[b * t + i] = seq[i];
                tgt[b * t + i] = i + 1 >= answerStart ? seq[i + 1] : GPT.IGNORE_INDEX;
            }
        }
        return new Batch(idx, tgt, batchSize, t);
    }

    private long drawTrain(RandomGenerator rng) {
        if (train.length > 0) return train[rng.nextInt(train.length)];
        long total = (long) limit * limit;
        while (true) {
            long p = rng.nextLong(total);
            if (!testSet.contains(p)) return p;
        }
    }

    /** {@return the held-out problems as {@code {a, b}} pairs} */
    public List<int[]> heldOut() {
        List<int[]> out = new ArrayList<>(test.length);
        for (long p : test) out.add(new int[] {(int) (p / limit), (int) (p % limit)});
        return out;
    }

    /**
     * Whether a problem is in the held-out set.
     *
     * @param a the first operand
     * @param b the second operand
     * @return true when training never sees it
     */
    public boolean isHeldOut(int a, int b) {
        return testSet.contains((long) a * limit + b);
    }
}
