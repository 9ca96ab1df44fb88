package dev.vecgrad.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.train.checkpoint.AtomicFiles;
import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * {@code status.json}: what a run is doing, for tools that watch run directories (the dashboard).
 * The trainer writes it atomically when a run (or a resumed part) starts, and again when it ends:
 * {@code finished}, {@code stopped} (a stop request, or an error that ended the process's run)
 * or {@code diverged}. A run whose file still says {@code running} but whose process is gone was
 * killed; {@link #effectiveState()} reports that as {@code stopped}.
 *
 * <p>It also carries the run's size and length, so a run is described before its first checkpoint
 * ({@code state.json}) exists.
 *
 * @param state      running, finished, stopped or diverged
 * @param pid        the training process
 * @param started    when the run first started (kept across resumes)
 * @param updated    when this file was last written
 * @param step       steps completed when it was written
 * @param maxIters   the run's planned length
 * @param parameters the model's parameter count
 * @param task       a one-line description of the task
 * @param message    why it stopped or diverged, else empty
 */
public record RunStatus(State state, long pid, Instant started, Instant updated, long step, long maxIters,
                        long parameters, String task, String message) {
    /** The file name inside a run directory. */
    public static final String FILE = "status.json";
    /** The {@code format} this version writes and reads. */
    static final int FORMAT = 1;
    private static final long MAX_BYTES = 64 << 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run is doing. */
    public enum State {
        /** A process is training it. */
        RUNNING,
        /** It reached its planned number of steps. */
        FINISHED,
        /** Stopped before the end: Ctrl-C, an error, or its process was killed. */
        STOPPED,
        /** The loss or gradient became NaN or infinite. */
        DIVERGED;

        /** {@return the lower-case name used in the file and the dashboard} */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The same status in another state, stamped now (what a run writes when it ends).
     *
     * @param s the new state
     * @param atStep the step the run reached
     * @param why what ended it, for the dashboard; null for nothing
     * @return the new status (not yet written)
     */
    public RunStatus with(State s, long atStep, String why) {
        return new RunStatus(s, pid, started, Instant.now(), atStep, maxIters, parameters, task, why == null ? "" : why);
    }

    /**
     * {@return the state as a watcher should show it} A {@code running} file whose process no longer
     * exists means the process was killed before it could say so: that reads as {@code stopped}.
     */
    public State effectiveState() {
        if (state != State.RUNNING) return state;
        if (pid == ProcessHandle.current().pid()) return state;
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? state : State.STOPPED;
    }

    /**
     * Writes the file into {@code dir} atomically.
     *
     * @param dir the run directory
     * @throws IOException when writing fails
     */
    public void write(Path dir) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("state", state.label());
        o.put("pid", pid);
        o.put("started", started.toString());
        o.put("updated", updated.toString());
        o.put("step", step);
        o.put("max_iters", maxIters);
        o.put("parameters", parameters);
        o.put("task", task);
        o.put("message", message);
        AtomicFiles.writeString(dir.resolve(FILE), o.toString() + "\n");
    }

    /**
     * Reads {@code dir/status.json}.
     *
     * @param dir the run directory
     * @return the status, or null when the directory has none (runs from before this file existed)
     * @throws CheckpointFormatException naming the file and the field when it is malformed
     * @throws IOException when the file cannot be read
     */
    public static RunStatus read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        String src = f.toString();
        if (Files.size(f) > MAX_BYTES) throw new CheckpointFormatException(src, "larger than " + MAX_BYTES + " bytes");
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(f));
        } catch (IOException e) {
            throw new CheckpointFormatException(src, "not valid JSON");
        }
        if (n == null || !n.isObject()) throw new CheckpointFormatException(src, "expected a JSON object");
        if (n.path("format").asInt(-1) != FORMAT) {
            throw new CheckpointFormatException(src, "unsupported \"format\" " + n.get("format") + " (expected " + FORMAT + ")");
        }
        State s;
        try {
            s = State.valueOf(text(src, n, "state").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(src, "\"state\" must be running, finished, stopped or diverged, got "
                    + n.get("state"));
        }
        return new RunStatus(s, number(src, n, "pid"), instant(src, n, "started"), instant(src, n, "updated"),
                number(src, n, "step"), number(src, n, "max_iters"), number(src, n, "parameters"), text(src, n, "task"),
                text(src, n, "message"));
    }

    private static String text(String src, JsonNode n, String key) throws CheckpointFormatException {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) throw new CheckpointFormatException(src, "\"" + key + "\" must be a string");
        return v.asText();
    }

    private static long number(String src, JsonNode n, String key) throws CheckpointFormatException {
        JsonNode v = n.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new CheckpointFormatException(src, "\"" + key + "\" must be an integer >= 0");
        }
        return v.asLong();
    }

    private static Instant instant(String src, JsonNode n, String key) throws CheckpointFormatException {
        try {
            return Instant.parse(text(src, n, key));
        } catch (DateTimeParseException e) {
            throw new CheckpointFormatException(src, "\"" + key + "\" must be an ISO-8601 instant, got " + n.get(key));
        }
    }
}
