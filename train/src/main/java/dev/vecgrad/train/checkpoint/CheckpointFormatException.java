package dev.vecgrad.train.checkpoint;

import java.io.IOException;

/** A file that is not a well-formed checkpoint; the message names the file and the problem. */
public final class CheckpointFormatException extends IOException {
    /**
     * A problem with one file; the message reads {@code "source: problem"}.
     *
     * @param source the file name (or another description of where the bytes came from)
     * @param problem what is wrong, naming the field or tensor
     */
    public CheckpointFormatException(String source, String problem) {
        super(source + ": " + problem);
    }

    /**
     * The error for JSON that does not parse: {@code "source: what is not valid JSON (reason)"},
     * with Jackson's reason but not the source-location dump its full message appends.
     *
     * @param source the file name
     * @param what what held the JSON ({@code "the header"}), or null for the whole file
     * @param e the parser's exception (any other {@link IOException} gives its message's first line)
     * @return the exception to throw
     */
    public static CheckpointFormatException notJson(String source, String what, IOException e) {
        return new CheckpointFormatException(source, (what == null ? "" : what + " is ") + "not valid JSON (" + jsonReason(e) + ")");
    }

    /**
     * Why JSON did not parse, in one short line: Jackson's reason without the source-location dump
     * ({@code [Source: ...; line: 1, column: 1]}) that its messages carry. Also used for tokenizer
     * and configuration files, so every JSON error reads alike.
     *
     * @param e the parser's exception (for any other {@link IOException}, its message's first line)
     * @return the reason
     */
    public static String jsonReason(IOException e) {
        String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (reason == null) return "unreadable";
        int nl = reason.indexOf('\n');
        if (nl >= 0) reason = reason.substring(0, nl);
        // Some reasons still point at where an object started: "(start marker at [Source: ...; line: 1, column: 1])".
        int at = reason.indexOf("[Source:");
        if (at >= 0) reason = reason.substring(0, at).replaceAll("\\s*\\(?(start marker )?at\\s*$", "").strip();
        return reason.length() <= 120 ? reason : reason.substring(0, 117) + "...";
    }
}
