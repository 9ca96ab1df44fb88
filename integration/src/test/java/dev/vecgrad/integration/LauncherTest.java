package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./vecgrad} launcher script as a user meets it. */
class LauncherTest {

    /**
     * The launcher runs Maven itself for {@code test}; {@code test --help} must describe the
     * command rather than hand {@code --help} to Maven, which printed mvn's own option list.
     */
    @Test
    void testHelpDescribesTheCommandNotMaven(@TempDir Path tmp) throws IOException, InterruptedException {
        Launcher.Result r = Launcher.run(tmp, null, java.util.Map.of(), 60, "test", "--help");
        String text = r.text();
        assertEquals(0, r.exitCode(), text);
        assertTrue(text.contains("Usage: vecgrad test"), text);
        assertFalse(text.contains("usage: mvn"), text);
    }

    /** This test JVM's java binary: a JDK 25, which the fake installs below hand their work to. */
    private static final String REAL_JAVA = ProcessHandle.current().info().command().orElseThrow();

    /**
     * A directory for PATH holding only the tools the launcher uses before it starts java (no java:
     * the machine's own {@code /usr/bin/java} may be any version), plus {@code extra} scripts.
     */
    private static Path toolDir(Path tmp, Map<String, String> extra) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : List.of("sed", "head", "dirname", "readlink", "find", "uname")) {
            if (extra.containsKey(tool)) continue;
            for (String dir : List.of("/usr/bin", "/bin")) {
                Path p = Path.of(dir, tool);
                if (Files.isExecutable(p)) {
                    Files.createSymbolicLink(bin.resolve(tool), p);
                    break;
                }
            }
        }
        for (var e : extra.entrySet()) script(bin.resolve(e.getKey()), e.getValue());
        return bin;
    }

    private static void script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * With no JAVA_HOME and no java on the PATH, a JDK 25 installed by SDKMAN (as many Java
     * developers have it, on Linux and macOS) is found; before, only /usr/lib/jvm was searched.
     */
    @Test
    void findsAJdkInstalledWithSdkman(@TempDir Path tmp) throws IOException, InterruptedException {
        Path home = tmp.resolve("home"), used = tmp.resolve("sdkman-java-used");
        script(home.resolve(".sdkman/candidates/java/25.0.3-tem/bin/java"),
                "echo \"$*\" >> '" + used + "'\nexec '" + REAL_JAVA + "' \"$@\"");
        Path bin = toolDir(tmp, Map.of());
        Launcher.Result r = Launcher.run(tmp, null, Map.of("JAVA_HOME", "", "HOME", home.toString(), "PATH", bin.toString()),
                60, "--version");
        assertEquals(0, r.exitCode(), r.text());
        assertTrue(r.text().contains("JDK 25"), r.text());
        // Asked for its version first, then run: the run is the call with -jar.
        assertTrue(Files.exists(used) && Files.readAllLines(used).stream().anyMatch(l -> l.contains("-jar")),
                "the launcher did not run the SDKMAN JDK: " + r.text());
    }

    /**
     * {@code -XX:+UseTransparentHugePages} exists only in Linux builds of HotSpot: on macOS the
     * JVM refused to start with it ("Unrecognized VM option"), so the launcher passes it on Linux only.
     */
    @Test
    void hugePagesAreAskedForOnLinuxOnly(@TempDir Path tmp) throws IOException, InterruptedException {
        Path jdk = tmp.resolve("jdk"), args = tmp.resolve("java-args.txt");
        script(jdk.resolve("bin/java"), "echo \"$*\" >> '" + args + "'\nexec '" + REAL_JAVA + "' \"$@\"");
        Path linux = toolDir(tmp.resolve("linux"), Map.of("uname", "echo Linux"));
        Path mac = toolDir(tmp.resolve("mac"), Map.of("uname", "echo Darwin"));
        for (Path bin : List.of(linux, mac)) {
            Files.deleteIfExists(args);
            Launcher.Result r = Launcher.run(tmp, null, Map.of("JAVA_HOME", jdk.toString(), "PATH", bin.toString()), 60, "--version");
            assertEquals(0, r.exitCode(), r.text());
            List<String> calls = Files.readAllLines(args);
            String run = calls.get(calls.size() - 1);   // the last call runs the CLI; the first asked the version
            assertTrue(run.contains("-jar"), run);
            assertEquals(bin == linux, run.contains("-XX:+UseTransparentHugePages"), (bin == linux ? "Linux: " : "macOS: ") + run);
        }
    }
}
