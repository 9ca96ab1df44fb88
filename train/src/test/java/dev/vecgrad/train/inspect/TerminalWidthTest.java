package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link TerminalWidth}: the terminal columns of a text, on a table of cases. */
class TerminalWidthTest {
    @Test
    void widthOfTableOfCases() {
        Object[][] cases = {
            {"", 0}, {"abc", 3}, {"␣the", 4}, {"<0x0D>", 6}, {"ü", 1},
            // Wide and fullwidth: CJK ideographs, kana, Hangul, fullwidth forms, CJK punctuation.
            {"日本", 4}, {"ひらがな", 8}, {"カタカナ", 8}, {"한국어", 6}, {"ＡＢ", 4}, {"。", 2}, {"\u3000", 2},
            // Emoji: astral (2 UTF-16 units) and BMP ones with emoji presentation, both 2 columns.
            {"🙂", 2}, {"🚀", 2}, {"🤖", 2}, {"🫠", 2}, {"⭐", 2}, {"✅", 2}, {"⚡", 2},
            // Astral but narrow: a math letter is one column though two UTF-16 units.
            {"𝐀", 1},
            // Astral and wide: a CJK extension B ideograph.
            {"\uD840\uDC0B", 2},
            // Combining marks and zero-width characters take no column of their own.
            {"e\u0301", 1}, {"\u0301", 0}, {"a\u20DD", 1}, {"\u200B", 0}, {"a\u200Db", 2}, {"\uFE0F", 0},
            {"◌\u0301", 1}, {"が", 2}, {"か\u3099", 2},
            // Narrow symbols next to the wide ranges: arrows, box drawing, the shading blocks.
            {"⏎⇥", 2}, {"░▒▓█·", 5}, {"☺", 1}, {"〿", 1},
            {"日本 🙂 cafe\u0301", 4 + 1 + 2 + 1 + 4},
        };
        for (Object[] c : cases) {
            String s = (String) c[0];
            assertEquals((int) c[1], TerminalWidth.of(s), () -> s + " " + s.codePoints().mapToObj(cp -> String.format("U+%04X", cp)).toList());
        }
    }

    @Test
    void padsToTerminalColumnsNotChars() {
        assertEquals("日本  |", TerminalWidth.padRight("日本", 6) + "|");
        assertEquals("  🙂|", TerminalWidth.padLeft("🙂", 4) + "|");
        assertEquals("e\u0301   |", TerminalWidth.padRight("e\u0301", 4) + "|");
        // Already as wide or wider: unchanged, never cut.
        assertEquals("日本語", TerminalWidth.padLeft("日本語", 4));
        assertEquals("abc", TerminalWidth.padRight("abc", 3));
    }
}
