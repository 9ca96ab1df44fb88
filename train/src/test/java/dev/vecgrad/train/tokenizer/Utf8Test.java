package dev.vecgrad.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class Utf8Test {
    /**
     * Expected code points from CPython 3.11: {@code bytes.fromhex(h).decode("utf-8", "replace")}.
     * Java's own decoder gives one U+FFFD for the encoded surrogates (ED A0 80, ED BF BF) where
     * Python gives three.
     */
    private static final String[][] PYTHON = {
        {"e08080", "FFFD FFFD FFFD"}, {"eda080", "FFFD FFFD FFFD"}, {"f09f98", "FFFD"},
        {"f4908080", "FFFD FFFD FFFD FFFD"}, {"c0af", "FFFD FFFD"}, {"c2", "FFFD"}, {"e2", "FFFD"},
        {"e282", "FFFD"}, {"f0", "FFFD"}, {"f09f", "FFFD"}, {"f09f9841", "FFFD 0041"}, {"80", "FFFD"},
        {"ff", "FFFD"}, {"fe", "FFFD"}, {"c1bf", "FFFD FFFD"}, {"f08fbfbf", "FFFD FFFD FFFD FFFD"},
        {"f5808080", "FFFD FFFD FFFD FFFD"}, {"edbfbf", "FFFD FFFD FFFD"}, {"e0a0", "FFFD"}, {"41e2", "0041 FFFD"},
        {"e2828241", "2082 0041"}, {"f8888080", "FFFD FFFD FFFD FFFD"}, {"8080", "FFFD FFFD"},
    };

    @Test
    void replacesLikePython() {
        for (String[] c : PYTHON) {
            String s = Utf8.decodeReplace(HexFormat.of().parseHex(c[0]));
            StringBuilder sb = new StringBuilder();
            s.codePoints().forEach(cp -> sb.append(sb.isEmpty() ? "" : " ").append(String.format("%04X", cp)));
            assertEquals(c[1], sb.toString(), c[0]);
        }
    }

    @Property(tries = 500)
    void validUtf8DecodesExactly(@ForAll String s) {
        if (!Gpt2ParityTest.wellFormed(s)) return;
        assertEquals(s, Utf8.decodeReplace(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 500)
    void anyBytesDecodeLikeJavaExceptSurrogates(@ForAll byte[] b) {
        // Java's decoder agrees with Python except on ED A0..BF xx (encoded surrogates).
        for (int i = 0; i + 1 < b.length; i++) if ((b[i] & 0xFF) == 0xED && (b[i + 1] & 0xFF) >= 0xA0) return;
        assertEquals(new String(b, StandardCharsets.UTF_8), Utf8.decodeReplace(b));
    }

    @Test
    void escapedShowsEachByteOfAnIllFormedSequence() {
        String[][] cases = {{"e282", "<0xE2><0x82>"}, {"41e2", "A<0xE2>"}, {"e282ac", "\u20AC"}, {"80", "<0x80>"},
            {"f09f9841", "<0xF0><0x9F><0x98>A"}, {"c0af", "<0xC0><0xAF>"}, {"eda080", "<0xED><0xA0><0x80>"},
            {"20c3a9", " \u00E9"}, {"", ""}};
        for (String[] c : cases) assertEquals(c[1], Utf8.decodeEscaped(HexFormat.of().parseHex(c[0])), c[0]);
    }

    /** The escaped form loses nothing: its text re-encoded, with each {@code <0xNN>} read back as a byte, is the input. */
    @Property(tries = 500)
    void escapedFormGivesBackTheBytes(@ForAll byte[] b) {
        for (byte x : b) if (x == '<') return;   // a literal "<0x41>" in the input would read back as one byte
        String s = Utf8.decodeEscaped(b);
        java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<0x([0-9A-F]{2})>").matcher(s);
        int at = 0;
        while (m.find()) {
            back.writeBytes(s.substring(at, m.start()).getBytes(StandardCharsets.UTF_8));
            back.write(Integer.parseInt(m.group(1), 16));
            at = m.end();
        }
        back.writeBytes(s.substring(at).getBytes(StandardCharsets.UTF_8));
        org.junit.jupiter.api.Assertions.assertArrayEquals(b, back.toByteArray());
    }
}
