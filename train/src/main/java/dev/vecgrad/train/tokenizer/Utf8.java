package dev.vecgrad.train.tokenizer;

/**
 * UTF-8 decoding with Python's {@code errors="replace"} semantics: each maximal ill-formed
 * subpart (Unicode's "maximal subpart" practice, Table 3-7 of the standard) becomes one U+FFFD.
 * {@code new String(bytes, UTF_8)} differs for encoded surrogates ({@code ED A0 80} gives one
 * U+FFFD in Java, three in Python), so BPE decoding uses this instead.
 */
public final class Utf8 {
    private static final java.util.HexFormat HEX = java.util.HexFormat.of().withUpperCase();

    private Utf8() {}

    /**
     * The text without a leading byte-order mark (U+FEFF). Windows editors begin UTF-8 files
     * with one, and JSON parsers refuse it as an unexpected character before the first value, an
     * error that does not say the mark is invisible in the editor; vecgrad's readers of
     * hand-editable files (tokenizer files, config.json, --config) drop it instead.
     *
     * @param text decoded text
     * @return {@code text} without its first character when that is U+FEFF
     */
    public static String stripBom(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * A hand-editable file's text (a tokenizer file, a config): strictly decoded, without a
     * leading byte-order mark ({@link #stripBom}).
     *
     * @param file the file
     * @return its text
     * @throws java.nio.charset.CharacterCodingException when the file is not UTF-8 text; readers
     *     catch it to say so with the file's name, which its own message ("Input length = 1") does not
     * @throws java.io.IOException when the file cannot be read
     */
    public static String readText(java.nio.file.Path file) throws java.io.IOException {
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        return stripBom(java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString());
    }

    /**
     * Decodes part of an array, replacing each ill-formed sequence with one U+FFFD.
     *
     * @param b the bytes
     * @param off the first byte
     * @param len how many bytes
     * @return the text
     */
    public static String decodeReplace(byte[] b, int off, int len) {
        return decode(b, off, len, false);
    }

    /**
     * Decodes a whole array for display: like {@link #decodeReplace(byte[])}, but each byte of an
     * ill-formed sequence is written as {@code <0xNN>} (upper-case hex, the form byte-fallback
     * vocabularies use) instead of U+FFFD. A byte-level token that holds part of a character (GPT-2
     * cuts many non-ASCII characters and emoji into two or three tokens) then shows which bytes it
     * holds, where U+FFFD would make every such token look the same.
     *
     * @param b the bytes
     * @return the text, with {@code <0xNN>} for each byte that is not part of a whole character
     */
    public static String decodeEscaped(byte[] b) {
        return decode(b, 0, b.length, true);
    }

    private static String decode(byte[] b, int off, int len, boolean escape) {
        StringBuilder sb = new StringBuilder(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int need;
            int lo = 0x80, hi = 0xBF; // allowed range of the second byte
            int cp;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                cp = c & 0x0F;
                if (c == 0xE0) lo = 0xA0;
                if (c == 0xED) hi = 0x9F; // no surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                cp = c & 0x07;
                if (c == 0xF0) lo = 0x90;
                if (c == 0xF4) hi = 0x8F; // nothing above U+10FFFF
            } else {
                bad(sb, b, i, i + 1, escape); // a continuation byte or a lead byte that is never valid
                i++;
                continue;
            }
            int j = i + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, j++) {
                if (j >= end) {
                    ok = false;
                    break;
                }
                int d = b[j] & 0xFF;
                int l = k == 0 ? lo : 0x80, h = k == 0 ? hi : 0xBF;
                if (d < l || d > h) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (d & 0x3F);
            }
            if (ok) {
                sb.appendCodePoint(cp);
            } else {
                bad(sb, b, i, j, escape); // the bytes consumed so far are one maximal subpart
            }
            i = j;
        }
        return sb.toString();
    }

    /** Appends the ill-formed subpart {@code b[from, to)}: one U+FFFD, or each byte as {@code <0xNN>}. */
    private static void bad(StringBuilder sb, byte[] b, int from, int to, boolean escape) {
        if (!escape) {
            sb.append('\uFFFD');
            return;
        }
        for (int k = from; k < to; k++) {
            sb.append("<0x").append(HEX.toHexDigits(b[k])).append('>');
        }
    }

    /**
     * Decodes a whole array; see {@link #decodeReplace(byte[], int, int)}.
     *
     * @param b the bytes
     * @return the text
     */
    public static String decodeReplace(byte[] b) {
        return decodeReplace(b, 0, b.length);
    }
}
