package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.BpeTrainer;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.tokenizer.SplitPattern;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link AttentionMaps#label}: every token is shown with visible characters only. */
class TokenLabelTest {
    /** Text with the characters a terminal would not show as themselves. */
    private static final String HOSTILE = "a\tb\u0001c\rd\u0000e\u001bf\u007fg\u0085h\u00a0i\u00adj\u200bk\u200dl\u200em"
            + "\u202en\u2066o\u2028p\u2029q\ufeffr\u3000s\ufe0ft 👍\n";

    /** A character no label may contain: it prints as nothing, as a blank, or moves the cursor. */
    static boolean hidden(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR, Character.SURROGATE -> true;
            default -> cp >= 0xFE00 && cp <= 0xFE0F || cp >= 0xE0100 && cp <= 0xE01EF;
        };
    }

    private static void assertVisible(String piece) {
        String l = AttentionMaps.label(piece);
        assertFalse(l.codePoints().anyMatch(TokenLabelTest::hidden),
                () -> "label of " + piece.codePoints().mapToObj(c -> String.format("U+%04X", c)).toList() + " is \"" + l + "\"");
    }

    @Test
    void tableOfCases() {
        String[][] cases = {
            {" the", "␣the"}, {"\n\n", "⏎⏎"}, {"\t", "⇥"}, {"\r", "<0x0D>"}, {"\r\n", "<0x0D>⏎"}, {"\u0000", "<0x00>"},
            {"\u0001", "<0x01>"}, {"\u001b[2J", "<0x1B>[2J"}, {"\u007f", "<0x7F>"}, {"\u0085", "<U+0085>"},
            {"\u2028", "<U+2028>"}, {"\u2029", "<U+2029>"}, {"\u200b", "<U+200B>"}, {"a\u200db", "a<U+200D>b"},
            {"\u202e", "<U+202E>"}, {"\u2067", "<U+2067>"}, {"\ufeff", "<U+FEFF>"}, {"\u00ad", "<U+00AD>"},
            {"\u00a0", "<U+00A0>"}, {"\u3000", "<U+3000>"}, {"\ufe0f", "<U+FE0F>"}, {"\udb40\udd00", "<U+E0100>"},
            {"\ud800", "<U+D800>"}, {"\udb40\udc01", "<U+E0001>"},
            // Visible text stays as it is, the byte escapes of a partial character too.
            {"héllo 日本 👍", "héllo␣日本␣👍"}, {"<0xE2><0x80>", "<0xE2><0x80>"}, {"", ""},
            // A piece that begins with a combining mark shows it on a dotted circle; inside a piece it stays.
            {"\u0301", "◌\u0301"}, {"\u0301x", "◌\u0301x"}, {"e\u0301", "e\u0301"}, {"\u20dd", "◌\u20dd"},
        };
        for (String[] c : cases) assertEquals(c[1], AttentionMaps.label(c[0]), c[1]);
    }

    @Provide
    Arbitrary<String> pieces() {
        Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(12);
        Arbitrary<String> codePoints = Arbitraries.integers().between(0, 0x10FFFF).list().ofMaxSize(8)
                .map(l -> l.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
        Arbitrary<String> hostile = Arbitraries.of(HOSTILE.codePoints().mapToObj(Character::toString).toList()).list().ofMaxSize(8)
                .map(l -> String.join("", l));
        return Arbitraries.oneOf(anyChars, codePoints, hostile);
    }

    @Property(tries = 500)
    void everyLabelIsVisible(@ForAll("pieces") String piece) {
        assertVisible(piece);
    }

    @Property(tries = 200)
    void visibleTextIsKept(@ForAll("pieces") String piece) {
        // A piece without spaces, line feeds, tabs or hidden characters is its own label (on a ◌
        // when it begins with a combining mark).
        String kept = piece.codePoints().filter(c -> c != '\n' && c != '\t' && !hidden(c) && c != ' ')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        int type = kept.isEmpty() ? Character.UNASSIGNED : Character.getType(kept.codePointAt(0));
        boolean mark = type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK;
        assertEquals(mark ? "◌" + kept : kept, AttentionMaps.label(kept));
    }

    @Test
    void everyPieceOfACharLevelAndAByteLevelModelIsVisible() {
        CharTokenizer chars = CharTokenizer.fromText(HOSTILE);
        BpeTokenizer bytes = BpeTrainer.train(HOSTILE.repeat(3), 300, SplitPattern.GPT2, List.of(), 1, null);
        for (Tokenizer t : List.of(chars, bytes)) {
            for (int id = 0; id < t.vocabSize(); id++) assertVisible(t.piece(id));
        }
        assertEquals("<0x0D>", AttentionMaps.label(chars.piece(chars.encode("\r")[0])));
        assertEquals("<0x01>", AttentionMaps.label(bytes.piece(1)));
    }
}
