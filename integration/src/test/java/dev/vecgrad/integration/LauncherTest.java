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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./vecgrad} launcher script as a user meets it. */
class LauncherTest {

    /**
     * The launcher runs Maven itself for {@code test} and jshell for {@code shell}; their
     * {@code --help} must describe the command rather than hand {@code --help} to the tool, which
     * printed mvn's or jshell's own option list.
     */
    @ParameterizedTest
    @CsvSource({"test, usage: mvn", "shell, Usage:   jshell"})
    void helpDescribesTheCommandNotTheToolItRuns(String command, String toolsUsage, @TempDir Path tmp)
            throws IOException, InterruptedException {
        Launcher.Result r = Launcher.run(tmp, null, java.util.Map.of(), 60, command, "--help");
        String text = r.text();
        assertEquals(0, r.exitCode(), text);
        assertTrue(text.contains("Usage: vecgrad " + command), text);
        assertFalse(text.contains(toolsUsage), text);
    }

    /** This test JVM's java binary: a JDK 25, which the fake installs below ask for their version. */
    private static final String REAL_JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /**
     * A copy of the launcher in its own root under {@code target/} (not {@code /tmp}, which a CI
     * machine may mount noexec) next to an empty jar newer than any source there, so the launcher
     * neither builds nor depends on this checkout's jar being current: the fake java never opens it.
     */
    private static Path launcherCopy(String name) throws IOException {
        Path root = Files.createTempDirectory(Files.createDirectories(Path.of("target", "launcher-tests")).toAbsolutePath(), name);
        Files.copy(ProjectRoot.find().resolve("vecgrad"), root.resolve("vecgrad"));
        Files.createFile(Files.createDirectories(root.resolve("examples/target")).resolve("vecgrad.jar"));
        return root;
    }

    /**
     * A directory for PATH holding only the tools the launcher uses before it starts java (no java:
     * the machine's own {@code /usr/bin/java} may be any version), plus {@code extra} scripts.
     */
    private static Path toolDir(Path tmp, Map<String, String> extra) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : List.of("sed", "head", "dirname", "find", "uname", "tr")) {
            if (extra.containsKey(tool)) continue;
            Path found = null;
            for (String dir : System.getenv("PATH").split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, tool);
                if (Files.isExecutable(p)) {
                    found = p;
                    break;
                }
            }
            assertTrue(found != null, tool + " is not on this machine's PATH");
            Files.createSymbolicLink(bin.resolve(tool), found);
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
     * A java that answers the launcher's version question with the real JDK 25 and, for the run
     * itself (the call with {@code -jar}), only logs {@code JAVA_HOME|arguments} and exits 0, so
     * no JVM starts with flags this OS may not have.
     */
    private static void fakeJava(Path file, Path log) throws IOException {
        script(file, "case \"$*\" in *-jar*) echo \"$JAVA_HOME|$*\" >> '" + log + "'; exit 0;; esac\nexec '" + REAL_JAVA
                + "' \"$@\"");
    }

    /** The logged run (the call with -jar), or a failure naming what the launcher printed. */
    private static String loggedRun(Path log, Launcher.Result r) throws IOException {
        assertEquals(0, r.exitCode(), r.text());
        assertTrue(Files.exists(log), "the fake java never ran the CLI: " + r.text());
        List<String> runs = Files.readAllLines(log);
        assertEquals(1, runs.size(), String.join("\n", runs));
        return runs.get(0);
    }

    /**
     * With no JAVA_HOME and no java on the PATH, a JDK 25 installed by SDKMAN (as many Java
     * developers have it, on Linux and macOS) is found; before, only /usr/lib/jvm was searched.
     */
    @Test
    void findsAJdkInstalledWithSdkman() throws IOException, InterruptedException {
        Path tmp = launcherCopy("sdkman"), home = tmp.resolve("home"), log = tmp.resolve("runs.txt");
        fakeJava(home.resolve(".sdkman/candidates/java/25.0.3-tem/bin/java"), log);
        Path bin = toolDir(tmp, Map.of());
        Launcher.Result r = Launcher.run(tmp.resolve("vecgrad"), tmp, null, Map.of("JAVA_HOME", "", "HOME", home.toString(),
                "PATH", bin.toString(), "VECGRAD_JAVA_OPTS", "", "SDKMAN_CANDIDATES_DIR", ""), 60, "--version");
        assertTrue(loggedRun(log, r).contains("-jar"));
    }

    /**
     * JAVA_HOME (for Maven and for {@code vecgrad shell}'s jshell) is the JDK's own java.home even
     * when the java on the PATH is a shim script outside any JDK, as with jenv, asdf or mise, or
     * macOS's /usr/bin/java stub; it was the folder two levels above the binary.
     */
    @Test
    void javaHomeIsTheJdksOwnEvenBehindAShim() throws IOException, InterruptedException {
        Path tmp = launcherCopy("shim"), log = tmp.resolve("runs.txt");
        Path bin = toolDir(tmp, Map.of());
        fakeJava(bin.resolve("java"), log);
        Launcher.Result r = Launcher.run(tmp.resolve("vecgrad"), tmp, null, Map.of("JAVA_HOME", "", "PATH", bin.toString(),
                "VECGRAD_JAVA_OPTS", ""), 60, "--version");
        String run = loggedRun(log, r);
        assertEquals(System.getProperty("java.home"), run.substring(0, run.indexOf('|')), run);
    }

    /**
     * The launcher tells the CLI how it was run, for the commands the CLI suggests: the path as
     * typed (here absolute, as from another directory), or the bare name when the PATH finds this
     * script under it. They all said {@code ./vecgrad}, which works only from the checkout.
     */
    @Test
    void theCliIsToldHowTheLauncherWasRun() throws IOException, InterruptedException {
        Path dir = launcherCopy("command"), log = dir.resolve("runs.txt");
        script(dir.resolve("jdk/bin/java"), "case \"$*\" in *-jar*) echo \"$VECGRAD_COMMAND\" >> '" + log + "'; exit 0;; esac\nexec '"
                + REAL_JAVA + "' \"$@\"");
        Path bin = toolDir(dir, Map.of());
        Map<String, String> env = Map.of("JAVA_HOME", dir.resolve("jdk").toString(), "PATH", bin.toString(), "VECGRAD_JAVA_OPTS", "");
        Launcher.Result typed = Launcher.run(dir.resolve("vecgrad"), dir, null, env, 60, "--version");
        assertEquals(dir.resolve("vecgrad").toString(), loggedRun(log, typed));
        Files.delete(log);
        Map<String, String> onPath = new java.util.HashMap<>(env);
        onPath.put("PATH", bin + java.io.File.pathSeparator + dir);
        Launcher.Result found = Launcher.run(dir.resolve("vecgrad"), dir, null, onPath, 60, "--version");
        assertEquals("vecgrad", loggedRun(log, found));
        Files.delete(log);
        // `bash vecgrad` in its folder: a bare vecgrad would be looked up on the PATH, so ./vecgrad.
        Launcher.Result bare = Launcher.run(Path.of("vecgrad"), dir, null, env, 60, "--version");
        assertEquals("./vecgrad", loggedRun(log, bare));
    }

    /**
     * {@code -XX:+UseTransparentHugePages} exists only in Linux builds of HotSpot: on macOS the
     * JVM refused to start with it ("Unrecognized VM option"), so the launcher passes it on Linux only.
     */
    @Test
    void hugePagesAreAskedForOnLinuxOnly() throws IOException, InterruptedException {
        for (String os : List.of("Linux", "Darwin")) {
            Path dir = launcherCopy(os), log = dir.resolve("runs.txt");
            fakeJava(dir.resolve("jdk/bin/java"), log);
            Path bin = toolDir(dir, Map.of("uname", "echo " + os));
            Launcher.Result r = Launcher.run(dir.resolve("vecgrad"), dir, null, Map.of("JAVA_HOME", dir.resolve("jdk").toString(),
                    "PATH", bin.toString(), "VECGRAD_JAVA_OPTS", ""), 60, "--version");
            String run = loggedRun(log, r);
            assertEquals(os.equals("Linux"), run.contains("-XX:+UseTransparentHugePages"), os + ": " + run);
        }
    }
}
