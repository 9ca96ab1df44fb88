package dev.vecgrad.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.knuddels.jtokkit.api.Encoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.Test;

/**
 * Exact parity with GPT-2's and GPT-4's tokenizers: jtokkit's rank files read directly
 * ({@code .tiktoken}) and converted to GPT-2's {@code vocab.json} + {@code merges.txt} must give
 * jtokkit's ids on a varied text and on generated strings.
 */
class Gpt2ParityTest {
    private static Path dir;
    private static BpeTokenizer fromGpt2Files;
    private static BpeTokenizer fromR50k;
    private static BpeTokenizer fromCl100k;

    static synchronized void load() {
        if (fromGpt2Files != null) return;
        try {
            dir = Files.createTempDirectory("gpt2-parity");
            Jtokkit.writeGpt2Files(dir);
            fromGpt2Files = TokenizerFiles.load(dir);
            fromR50k = TokenizerFiles.load(Jtokkit.tiktokenFile(dir, "r50k_base"));
            fromCl100k = TokenizerFiles.load(Jtokkit.tiktokenFile(dir, "cl100k_base"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BpeTokenizer gpt2() {
        load();
        return fromGpt2Files;
    }

    static BpeTokenizer cl100k() {
        load();
        return fromCl100k;
    }

    @AfterContainer
    static void cleanup() throws IOException {
        if (dir == null) return;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    private static void assertSame(Encoding ref, BpeTokenizer t, String text) {
        int[] expected = Jtokkit.ids(ref, text);
        int[] actual = t.encode(text);
        assertArrayEquals(expected, actual, () -> "ids differ for " + escape(text));
        assertEquals(text, t.decode(actual));
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u{%X}", c)));
        return sb.toString();
    }

    @Test
    void gpt2FilesShapeIsGpt2s() {
        load();
        assertEquals(50257, fromGpt2Files.vocabSize());
        assertEquals(50000, fromGpt2Files.mergeCount());
        assertEquals(Integer.valueOf(50256), fromGpt2Files.specialTokens().get("<|endoftext|>"));
        assertEquals(" the", fromGpt2Files.piece(262)); // GPT-2's id of " the"
        assertEquals(SplitPattern.GPT2, fromGpt2Files.pattern());
    }

    /**
     * GPT-2 cuts an emoji into byte-level tokens that each hold part of the character: each one's
     * piece shows its bytes, and the pieces together spell the character's UTF-8 bytes, where
     * U+FFFD would make them all look alike.
     */
    @Test
    void piecesOfACharacterCutIntoTokensShowTheirBytes() {
        load();
        String emoji = "\uD83D\uDE42";   // U+1F642, F0 9F 99 82
        int[] ids = fromGpt2Files.encode(emoji);
        org.junit.jupiter.api.Assertions.assertTrue(ids.length > 1, "GPT-2 encodes U+1F642 as one token");
        StringBuilder all = new StringBuilder();
        for (int id : ids) {
            String p = fromGpt2Files.piece(id);
            org.junit.jupiter.api.Assertions.assertTrue(p.matches("(<0x[0-9A-F]{2}>)+"), p);
            all.append(p);
        }
        assertEquals("<0xF0><0x9F><0x99><0x82>", all.toString());
        assertEquals(emoji, fromGpt2Files.decode(ids));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(fromGpt2Files.bytes(id));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x99, (byte) 0x82},
                bytes.toByteArray(), "each token's exact bytes, without the escapes");
        int eot = fromGpt2Files.specialTokens().get("<|endoftext|>");
        assertEquals("<|endoftext|>", new String(fromGpt2Files.bytes(eot), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aCharacterTokensBytesAreItsUtf8() {
        dev.vecgrad.train.tokenizer.CharTokenizer c = dev.vecgrad.train.tokenizer.CharTokenizer.fromText("aé\uD83D\uDE42");
        assertEquals(3, c.vocabSize());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {(byte) 0xC3, (byte) 0xA9}, c.bytes(c.encode("é")[0]));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x99, (byte) 0x82},
                c.bytes(c.encode("\uD83D\uDE42")[0]));
    }

    @Test
    void gpt2FilesMatchJtokkitOnVariedText() {
        load();
        String text = Jtokkit.variedText();
        assertSame(Jtokkit.r50k(), fromGpt2Files, text);
        for (String line : text.split("\n")) assertSame(Jtokkit.r50k(), fromGpt2Files, line);
    }

    @Test
    void tiktokenReaderMatchesJtokkitOnVariedText() {
        load();
        String text = Jtokkit.variedText();
        assertSame(Jtokkit.r50k(), fromR50k, text);
        assertSame(Jtokkit.cl100k(), fromCl100k, text);
        for (String line : text.split("\n")) {
            assertSame(Jtokkit.r50k(), fromR50k, line);
            assertSame(Jtokkit.cl100k(), fromCl100k, line);
        }
    }

    @Test
    void everyUnicodeSpaceSplitsLikeTiktoken() {
        load();
        // Each White_Space character (and the ASCII separators that are not) between words and runs.
        int[] spaces = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001,
            0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x200B, 0x2028, 0x2029, 0x202F,
            0x205F, 0x3000, 0xFEFF};
        for (int s : spaces) {
            String c = Character.toString(s);
            for (String text : new String[] {"a" + c + "b", "a" + c + c + "b", "a " + c + "b", "a" + c + " b", c + c + c,
                "x" + c + c + " ", "1" + c + "2", "!" + c + "?", c + "\n" + c + "y"}) {
                assertSame(Jtokkit.r50k(), fromGpt2Files, text);
                assertSame(Jtokkit.cl100k(), fromCl100k, text);
            }
        }
    }

    @Test
    void longChunksMatchJtokkit() {
        load();
        for (String text : new String[] {" ".repeat(1000) + "x", "a".repeat(300), "ab".repeat(500), "1".repeat(400),
            "!?".repeat(300), "\n".repeat(200) + "z", "supercalifragilisticexpialidocious".repeat(20),
            "\u00a0".repeat(150) + "y", "😀".repeat(100)}) {
            assertSame(Jtokkit.r50k(), fromGpt2Files, text);
            assertSame(Jtokkit.cl100k(), fromCl100k, text);
        }
    }

    @Property(tries = 200)
    void heapAndRescanMergeAlike(@ForAll("mixedText") String text) {
        load();
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertArrayEquals(fromGpt2Files.mergeWith(b, false), fromGpt2Files.mergeWith(b, true));
        assertArrayEquals(fromCl100k.mergeWith(b, false), fromCl100k.mergeWith(b, true));
    }

    @Test
    void specialTokenOnlyWhenAllowed() {
        load();
        String text = "a<|endoftext|>b";
        int[] plain = fromGpt2Files.encode(text);
        assertArrayEquals(Jtokkit.ids(Jtokkit.r50k(), text), plain);
        int[] special = fromGpt2Files.encode(text, Set.of("<|endoftext|>"));
        assertArrayEquals(new int[] {64, 50256, 65}, special);
        assertEquals(text, fromGpt2Files.decode(special));
    }

    @Provide
    Arbitrary<String> mixedText() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(3),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(7),
                Arbitraries.of(" ", "  ", "   ", "\n", "\n\n", "\t", "\r\n", "'s", "'t", "'re", "'ve", "'ll", "'d", "'m",
                        "'S", "'LL", "\u00a0", "\u3000", "\u2028", "\u0085", "\u202f", "\u2009", "\u000b", "\u001c",
                        "!", "?!", "...", "(", ")", "{}", "->", "==", "#", "\"", "'", "`", "é", "e\u0301", "ß", "ſ",
                        "日本", "한", "ع", "😀", "👍🏽", "\u0000", "\uFEFF", "١٢", "Ⅷ", "½"),
                Arbitraries.strings().all().ofMaxLength(3).filter(Gpt2ParityTest::wellFormed));
        return pieces.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 300)
    void gpt2MatchesJtokkitOnGeneratedText(@ForAll("mixedText") String text) {
        load();
        assertSame(Jtokkit.r50k(), fromGpt2Files, text);
        assertSame(Jtokkit.r50k(), fromR50k, text);
    }

    @Property(tries = 300)
    void gpt4MatchesJtokkitOnGeneratedText(@ForAll("mixedText") String text) {
        load();
        assertSame(Jtokkit.cl100k(), fromCl100k, text);
    }

    @Test
    void tiktokenLoadedWritesTokenizerJsonThatEncodesTheSame() throws IOException {
        load();
        Path out = dir.resolve("cl100k-tokenizer.json");
        TokenizerJson.write(out, fromCl100k);
        BpeTokenizer back = TokenizerJson.read(out);
        assertEquals(fromCl100k.vocabSize(), back.vocabSize());
        String text = Jtokkit.variedText();
        assertArrayEquals(Jtokkit.ids(Jtokkit.cl100k(), text), back.encode(text));
        Files.delete(out);
    }
}
