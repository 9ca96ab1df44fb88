package dev.vecgrad.train.inspect;

import java.util.Arrays;

/**
 * How many terminal columns a text takes, and padding to a number of columns: the one measure by
 * which every text table of the CLI lines up its columns. {@code String.length()} counts UTF-16
 * units (an emoji outside the BMP is 2, whatever it shows as) and code points count a combining
 * accent as a character of its own, so tables sized either way went crooked on token pieces such
 * as {@code 日本}, {@code 🙂} or {@code é} written as {@code e} + U+0301.
 *
 * <p>The JDK has no East Asian Width table, so this one is a short list of Unicode ranges, the
 * approach of Markus Kuhn's {@code wcwidth}: a code point is 2 columns wide in the blocks that
 * Unicode's EastAsianWidth.txt marks Wide or Fullwidth (Hangul Jamo leading consonants, CJK
 * radicals, symbols and punctuation, Hiragana, Katakana, Bopomofo, CJK ideographs and their
 * extensions, Yi, Hangul syllables, compatibility ideographs, vertical and small form variants,
 * fullwidth forms), the BMP symbols with emoji presentation (⌚, ⚡, ✅, ⭐, ...) and the emoji
 * blocks 1F300-1F64F, 1F680-1F6FF, 1F900-1F9FF and 1FA70-1FAFF; nonspacing and enclosing marks
 * (Mn, Me), format characters (Cf, e.g. zero-width space and joiner) and controls are 0; every
 * other code point is 1. Limits: whole blocks are taken, so their few unassigned or narrow code
 * points (e.g. some 1F321-1F32C weather symbols) count 2; ambiguous-width characters (Greek,
 * Cyrillic, box drawing in a CJK locale) count 1, as in a Western locale; a sequence a terminal
 * draws as one glyph (an emoji with a skin-tone modifier, a flag's two regional indicators, a
 * ZWJ sequence) is measured as the sum of its parts, and terminals themselves disagree on those.
 */
public final class TerminalWidth {
    private TerminalWidth() {}

    /** Inclusive [first, last] pairs, sorted, of the code points that take two columns. */
    private static final int[] WIDE = {
        0x1100, 0x115F,     // Hangul Jamo leading consonants
        0x231A, 0x231B, 0x2329, 0x232A, 0x23E9, 0x23EC, 0x23F0, 0x23F0, 0x23F3, 0x23F3,
        0x25FD, 0x25FE, 0x2614, 0x2615, 0x2648, 0x2653, 0x267F, 0x267F, 0x2693, 0x2693,
        0x26A1, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26CE,
        0x26D4, 0x26D4, 0x26EA, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26F5, 0x26FA, 0x26FA,
        0x26FD, 0x26FD, 0x2705, 0x2705, 0x270A, 0x270B, 0x2728, 0x2728, 0x274C, 0x274C,
        0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797, 0x27B0, 0x27B0,
        0x27BF, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55, // BMP symbols with emoji presentation
        0x2E80, 0x303E,     // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        0x3041, 0x33FF,     // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, ... CJK compatibility
        0x3400, 0x4DBF,     // CJK extension A
        0x4E00, 0x9FFF,     // CJK unified ideographs
        0xA000, 0xA4CF,     // Yi
        0xA960, 0xA97F,     // Hangul Jamo extended A
        0xAC00, 0xD7A3,     // Hangul syllables
        0xF900, 0xFAFF,     // CJK compatibility ideographs
        0xFE10, 0xFE19,     // vertical forms
        0xFE30, 0xFE6F,     // CJK compatibility and small form variants
        0xFF00, 0xFF60,     // fullwidth forms
        0xFFE0, 0xFFE6,     // fullwidth signs
        0x16FE0, 0x16FE4, 0x17000, 0x18CFF, 0x1B000, 0x1B2FF, // Tangut, Khitan, kana supplements, Nushu
        0x1F004, 0x1F004, 0x1F0CF, 0x1F0CF, 0x1F18E, 0x1F18E, 0x1F191, 0x1F19A, // mahjong, card, squared letters
        0x1F200, 0x1F202, 0x1F210, 0x1F23B, 0x1F240, 0x1F248, 0x1F250, 0x1F251, 0x1F260, 0x1F265, // enclosed ideographs
        0x1F300, 0x1F64F,   // miscellaneous symbols and pictographs, emoticons
        0x1F680, 0x1F6FF,   // transport and map symbols
        0x1F7E0, 0x1F7EB,   // coloured circles and squares
        0x1F900, 0x1F9FF,   // supplemental symbols and pictographs
        0x1FA70, 0x1FAFF,   // symbols and pictographs extended A
        0x20000, 0x2FFFD,   // CJK extensions B..F, compatibility supplement
        0x30000, 0x3FFFD,   // CJK extensions G, H
    };

    /**
     * The columns one code point takes in a terminal.
     *
     * @param codePoint a Unicode code point
     * @return 0 for a combining mark, format character or control, 2 for a wide or fullwidth
     *     character, else 1
     */
    public static int of(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.CONTROL -> {
                return 0;
            }
            default -> { }
        }
        int i = Arrays.binarySearch(WIDE, codePoint);
        if (i >= 0) return 2;             // a range's first or last code point
        // Otherwise the largest boundary below the code point: a range's first one (an even index)
        // means the code point is inside that range.
        int before = -i - 2;
        return before >= 0 && before % 2 == 0 ? 2 : 1;
    }

    /**
     * The columns a text takes in a terminal: the sum of its code points' widths (see the class
     * comment for what that does not capture).
     *
     * @param s the text, on one line
     * @return its width in terminal columns
     */
    public static int of(String s) {
        return s.codePoints().map(TerminalWidth::of).sum();
    }

    /**
     * The text followed by spaces up to a width, for a left-aligned column.
     *
     * @param s the text
     * @param width the columns the result should take
     * @return {@code s} itself when it is already that wide or wider
     */
    public static String padRight(String s, int width) {
        return s + " ".repeat(Math.max(0, width - of(s)));
    }

    /**
     * Spaces followed by the text, up to a width, for a right-aligned column.
     *
     * @param s the text
     * @param width the columns the result should take
     * @return {@code s} itself when it is already that wide or wider
     */
    public static String padLeft(String s, int width) {
        return " ".repeat(Math.max(0, width - of(s))) + s;
    }
}
