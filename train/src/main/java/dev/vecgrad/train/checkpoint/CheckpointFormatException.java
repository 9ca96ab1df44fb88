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
}
