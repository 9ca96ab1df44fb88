package dev.vecgrad.examples.cli;

/**
 * Text a model wrote, made safe to show on a terminal. A model (an untrained one above all) can
 * emit any character, escape sequences included: printed raw, an ESC or a carriage return moves
 * the cursor, recolours or clears the screen. Piped output is left as the model wrote it.
 */
final class TerminalText {
    private TerminalText() {}

    /** Whether standard output is a terminal (the same test as the progress bar's). */
    static boolean stdoutIsTerminal() {
        return System.console() != null;
    }

    /**
     * {@code s} with every control character but the line feed and the tab shown as a visible
     * stand-in: C0 controls (carriage return and ESC included) as Unicode's control pictures
     * ({@code ␛} for ESC, {@code ␀} for NUL), DEL as {@code ␡}, C1 controls as {@code \u0085}-style
     * escapes (they have no pictures).
     *
     * @param s the text
     * @return the text to print; {@code s} itself when it has nothing to replace
     */
    static String visible(String s) {
        int i = 0;
        while (i < s.length() && !replaced(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder b = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!replaced(c)) b.append(c);
            else if (c < 0x20) b.append((char) (0x2400 + c));
            else if (c == 0x7F) b.append('\u2421');
            else b.append(String.format("\\u%04X", (int) c));
        }
        return b.toString();
    }

    private static boolean replaced(char c) {
        return c < 0x20 && c != '\n' && c != '\t' || c >= 0x7F && c <= 0x9F;
    }
}
