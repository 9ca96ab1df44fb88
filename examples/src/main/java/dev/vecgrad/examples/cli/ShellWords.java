package dev.vecgrad.examples.cli;

import java.util.regex.Pattern;

/** Arguments written into commands the CLI suggests, so that they can be pasted into a POSIX shell as they are. */
final class ShellWords {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=+@%,-]+");

    private ShellWords() {}

    /**
     * One shell word: the text itself when it has no character a shell treats specially, else the
     * text in single quotes (a quote inside written {@code '\''}).
     *
     * @param s the argument
     * @return the word to paste
     */
    static String quote(String s) {
        if (!s.isEmpty() && PLAIN.matcher(s).matches()) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
