package dev.vecgrad.train.tokenizer;

/**
 * GPT-2's byte-to-character alphabet ({@code bytes_to_unicode} in OpenAI's {@code encoder.py}):
 * every byte gets a printable character so that byte-level pieces can be stored in JSON and
 * text files. The printable Latin-1 bytes ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) map to
 * themselves; the other 68 bytes map to U+0100 onwards in byte order, so the space byte is
 * {@code Ġ} (U+0120) and the newline {@code Ċ} (U+010A).
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x200]; // every mapped char is below U+0144

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /**
     * The alphabet character of one byte.
     *
     * @param b the byte, 0..255
     * @return its printable character
     */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /**
     * The byte an alphabet character stands for.
     *
     * @param c a character
     * @return the byte (0..255), or -1 when {@code c} is not in the alphabet
     */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * Bytes spelled in the alphabet, e.g. {@code " the"} as {@code "Ġthe"}.
     *
     * @param bytes any bytes
     * @return their spelling, one character per byte
     */
    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(out);
    }

    /**
     * The bytes of an alphabet spelling.
     *
     * @param piece a spelling such as {@code "Ġthe"}
     * @return the bytes, or null when a character is outside the alphabet
     */
    public static byte[] decode(String piece) {
        byte[] out = new byte[piece.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(piece.charAt(i));
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }

    /**
     * {@return the bytes 0..255 in the order GPT-2 numbers them (ids 0..255 of its vocabulary: the printable bytes first, then the others)}
     */
    public static int[] gpt2ByteOrder() {
        int[] order = new int[256];
        int n = 0;
        for (int b = 0; b < 256; b++) if (BYTE_TO_CHAR[b] == b) order[n++] = b;
        for (int b = 0; b < 256; b++) if (BYTE_TO_CHAR[b] != b) order[n++] = b;
        return order;
    }
}
