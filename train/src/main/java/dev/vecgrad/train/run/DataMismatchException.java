package dev.vecgrad.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A run resumed on data other than it trained on. The message reads {@code "<given> is not the
 * data this run trained on: <saved>"}, each side as {@link #describe} puts it, so that a front end
 * can put the name of its own option for the data in front.
 */
public final class DataMismatchException extends IllegalArgumentException {
    DataMismatchException(JsonNode given, JsonNode saved) {
        super(describe(given) + " is not the data this run trained on: " + describe(saved));
    }

    /**
     * A data identity ({@link TrainingTask#identity()}) in words: a text file as its name, size and
     * the first 8 hex digits of its SHA-256, a built-in task by its name and parameter.
     *
     * @param identity the identity, as {@code state.json} holds it
     * @return e.g. {@code input.txt (1,115,394 bytes, sha256 1a2b3c4d...)}
     */
    static String describe(JsonNode identity) {
        String sha = identity.path("sha256").asText("");
        return switch (identity.path("kind").asText()) {
            case "text" -> String.format(Locale.ROOT, "%s (%,d bytes, sha256 %s...)",
                    Path.of(identity.path("path").asText()).getFileName(), identity.path("bytes").asLong(),
                    sha.substring(0, Math.min(8, sha.length())));
            case "addition" -> "the addition task (" + identity.path("digits").asInt() + " digits)";
            case "induction" -> "the induction task (vocab " + identity.path("vocab").asInt() + ")";
            default -> identity.toString();
        };
    }
}
