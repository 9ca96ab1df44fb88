package dev.vecgrad.train.checkpoint;

import java.io.IOException;

/** A file that is not a well-formed checkpoint; the message names the file and the problem. */
public final class CheckpointFormatException extends IOException {
    /** A problem with {@code source} (a file name). */
    public CheckpointFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}
