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
        super(describe(given, sameName(given, saved)) + " is not the data this run trained on: "
                + describe(saved, sameName(given, saved)));
    }

    /** Two text files of one name in different folders: only their paths tell them apart at a glance. */
    private static boolean sameName(JsonNode a, JsonNode b) {
        if (!"text".equals(a.path("kind").asText()) || !"text".equals(b.path("kind").asText())) return false;
        Path pa = Path.of(a.path("path").asText()), pb = Path.of(b.path("path").asText());
        return !pa.equals(pb) && java.util.Objects.equals(pa.getFileName(), pb.getFileName());
    }

    /**
     * A data identity ({@link TrainingTask#identity()}) in words: a text file as its name (or its
     * whole path), size and the first 8 hex digits of its SHA-256, a built-in task by its name and
     * parameter.
     *
     * @param identity the identity, as {@code state.json} holds it
     * @param fullPath a text file's whole path rather than its name
     * @return e.g. {@code input.txt (1,115,394 bytes, sha256 1a2b3c4d...)}
     */
    static String describe(JsonNode identity, boolean fullPath) {
        String sha = identity.path("sha256").asText("");
        return switch (identity.path("kind").asText()) {
            case "text" -> String.format(Locale.ROOT, "%s (%,d bytes, sha256 %s...)",
                    fullPath ? identity.path("path").asText() : Path.of(identity.path("path").asText()).getFileName(),
                    identity.path("bytes").asLong(),
                    sha.substring(0, Math.min(8, sha.length())));
            case "addition" -> "the addition task (" + identity.path("digits").asInt() + " digits)";
            case "induction" -> "the induction task (vocab " + identity.path("vocab").asInt() + ")";
            default -> identity.toString();
        };
    }
}
