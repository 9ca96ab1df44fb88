package dev.vecgrad.train.tokenizer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A character-level tokenizer: one token per Unicode code point, ids in sorted code-point order
 * (nanoGPT's {@code chars = sorted(set(text))}).
 */
public final class CharTokenizer implements Tokenizer {
    /** The tag in stored JSON. */
    public static final String TYPE = "char";

    private final int[] vocab; // id -> code point, sorted, so a binary search maps back

    private CharTokenizer(int[] vocab) {
        this.vocab = vocab;
    }

    /**
     * The tokenizer whose vocabulary is every distinct character of {@code text}, nanoGPT's way.
     *
     * @param text the training text
     * @return the tokenizer, ids in code-point order
     */
    public static CharTokenizer fromText(CharSequence text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        return fromCodePoints(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * A tokenizer with the given vocabulary in id order (as stored in a checkpoint).
     *
     * @param codePoints the vocabulary, strictly increasing
     * @return the tokenizer
     * @throws IllegalArgumentException if the code points are not strictly increasing
     */
    public static CharTokenizer fromCodePoints(int[] codePoints) {
        for (int i = 1; i < codePoints.length; i++) {
            if (codePoints[i] <= codePoints[i - 1]) {
                throw new IllegalArgumentException("tokenizer: vocabulary must be sorted and without duplicates (entry "
                        + i + ")");
            }
        }
        if (codePoints.length == 0) throw new IllegalArgumentException("tokenizer: empty vocabulary");
        return new CharTokenizer(codePoints.clone());
    }

    /**
     * A tokenizer over the characters of {@code chars}, sorted here.
     *
     * @param chars the vocabulary; every character distinct
     * @return the tokenizer
     * @throws IllegalArgumentException if a character repeats
     */
    public static CharTokenizer of(String chars) {
        int[] cps = chars.codePoints().sorted().toArray();
        return fromCodePoints(cps);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** {@return none: every id is a character} */
    @Override
    public Map<String, Integer> specialTokens() {
        return Map.of();
    }

    /** {@return {@code {"type":"char","vocab":"<characters in id order>"}}} */
    @Override
    public String toJson() {
        return Tokenizers.charJson(vocabString());
    }

    @Override
    public String describe() {
        return String.format("char, %,d characters", vocab.length);
    }

    /** {@return the number of tokens (distinct characters)} */
    @Override
    public int vocabSize() {
        return vocab.length;
    }

    /** {@return the vocabulary as code points in id order (a copy)} */
    public int[] codePoints() {
        return vocab.clone();
    }

    /** {@return the vocabulary as a string in id order} */
    public String vocabString() {
        return new String(vocab, 0, vocab.length);
    }

    /**
     * The id of one code point.
     *
     * @param codePoint a Unicode code point
     * @return its id, or -1 when it is not in the vocabulary
     */
    public int idOf(int codePoint) {
        int i = Arrays.binarySearch(vocab, codePoint);
        return i < 0 ? -1 : i;
    }

    /**
     * Token ids of {@code text}, one per code point.
     *
     * @param text the text
     * @return the ids
     * @throws IllegalArgumentException naming the first unknown character and its position
     */
    @Override
    public int[] encode(CharSequence text) {
        int[] cps = text.codePoints().toArray();
        int[] ids = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            int id = idOf(cps[i]);
            if (id < 0) {
                throw new IllegalArgumentException("tokenizer: character " + describe(cps[i]) + " at position " + i
                        + " is not in " + vocabularyForMessages());
            }
            ids[i] = id;
        }
        return ids;
    }

    /**
     * The text of the given ids.
     *
     * @param ids token ids
     * @return the text
     * @throws IllegalArgumentException naming the first id outside the vocabulary
     */
    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab.length) {
                throw new IllegalArgumentException("tokenizer: id " + ids[i] + " at position " + i
                        + " is out of range for a vocabulary of " + vocab.length);
            }
            sb.appendCodePoint(vocab[ids[i]]);
        }
        return sb.toString();
    }

    /**
     * The text of one id.
     *
     * @param id a token id
     * @return its character
     */
    @Override
    public String piece(int id) {
        return decode(new int[] {id});
    }

    /** Vocabularies up to this size are spelled out in messages; larger ones are only counted. */
    static final int LISTED_IN_MESSAGES = 100;

    /**
     * The vocabulary for an error message, so a user whose text or prompt does not fit sees what
     * does: spelled out when it is small (100 characters or fewer), with
     * invisible characters escaped, else only counted.
     *
     * @return e.g. {@code the vocabulary "\n !abc" (6 characters)} or {@code the vocabulary of 5,000 characters}
     */
    public String vocabularyForMessages() {
        if (vocab.length > LISTED_IN_MESSAGES) return String.format(Locale.ROOT, "the vocabulary of %,d characters", vocab.length);
        StringBuilder sb = new StringBuilder("the vocabulary \"");
        for (int cp : vocab) {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (visible(cp)) sb.appendCodePoint(cp);
                    else sb.append(String.format(cp <= 0xFFFF ? "\\u%04X" : "\\u{%X}", cp));
                }
            }
        }
        return sb.append("\" (").append(vocab.length).append(vocab.length == 1 ? " character)" : " characters)").toString();
    }

    /** Whether a character shows as itself: not a control, format or unassigned one, nor blank space other than ' '. */
    private static boolean visible(int cp) {
        if (cp == ' ') return true;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE,
                 Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /**
     * A code point for messages, so that invisible or confusable characters are named.
     *
     * @param cp a code point
     * @return {@code 'a'} when printable ASCII, {@code 'é' U+00E9} for another visible character,
     *     else {@code U+200B}
     */
    public static String describe(int cp) {
        if (cp >= 0x20 && cp < 0x7f) return "'" + (char) cp + "'";
        String code = String.format(Locale.ROOT, "U+%04X", cp);
        // The character itself as well, where it shows: a code alone sends the user to look it up. A
        // combining mark would draw over the quote before it, so it keeps its code alone.
        int type = Character.getType(cp);
        boolean mark = type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK;
        return visible(cp) && !mark ? "'" + Character.toString(cp) + "' " + code : code;
    }
}
