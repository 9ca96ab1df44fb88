package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the repository's {@code ./vecgrad} launcher as a user would, on the jar of this build
 * ({@code VECGRAD_NO_BUILD}: examples is packaged before this module, and the launcher must never
 * rebuild it from inside the build).
 */
final class Launcher {
    private Launcher() {}

    /** What a run printed (standard output and error together) and how it exited. */
    record Result(int exitCode, String text) {}

    /**
     * Runs {@code ./vecgrad ARGS}, output captured in {@code tmp}, and fails the test if it does not
     * exit within {@code timeoutSeconds}.
     *
     * @param stdin a file for standard input, or null
     * @param env extra environment variables
     */
    static Result run(Path tmp, Path stdin, Map<String, String> env, int timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        return run(ProjectRoot.find().resolve("vecgrad"), tmp, stdin, env, timeoutSeconds, args);
    }

    /** {@link #run(Path, Path, Map, int, String...)} with another copy of the launcher script. */
    static Result run(Path script, Path tmp, Path stdin, Map<String, String> env, int timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        Path out = tmp.resolve("out.txt");
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        // A bare name (`bash vecgrad` as typed in its folder) runs from tmp, which holds the script.
        if (script.getParent() == null) pb.directory(tmp.toFile());
        if (stdin != null) pb.redirectInput(stdin.toFile());
        pb.environment().put("VECGRAD_NO_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            org.junit.jupiter.api.Assertions.fail("vecgrad " + String.join(" ", args) + " did not exit within "
                    + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
