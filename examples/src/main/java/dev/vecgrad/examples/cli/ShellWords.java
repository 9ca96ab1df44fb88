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

    /**
     * A vecgrad command line to suggest, starting with the program as the user started it: the
     * launcher exports that as {@code VECGRAD_COMMAND} ({@code ./vecgrad}, a path typed from another
     * directory, or {@code vecgrad} found on the PATH); under {@code java -jar} it is {@code vecgrad}.
     *
     * @param args the arguments, already shell words
     * @return e.g. {@code ./vecgrad sample --checkpoint runs/x}
     */
    static String command(String args) {
        return command(System.getenv("VECGRAD_COMMAND"), args);
    }

    /** {@link #command(String)} with the program given, or null for none. */
    static String command(String program, String args) {
        return quote(program == null || program.isBlank() ? "vecgrad" : program) + " " + args;
    }
}
