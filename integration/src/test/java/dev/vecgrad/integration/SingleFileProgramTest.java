package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first program ("Use vecgrad in your project": a compact source file run with
 * {@code java -cp vecgrad.jar MyFirst.java}) runs as a user would run it, in a JVM of its own
 * started by the {@code java} launcher in source-file mode, and prints the output shown under it.
 * The class path is this test's own (the modules the launcher's jar bundles).
 */
class SingleFileProgramTest {
    @Test
    void theReadmesFirstProgramRunsFromItsSourceFile(@TempDir Path tmp) throws IOException, InterruptedException {
        List<TutorialTest.Block> blocks = TutorialTest.blocks(Files.readAllLines(ProjectRoot.find().resolve("README.md")));
        int at = -1;
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).lang().equals("java") && blocks.get(i).code().startsWith("// MyFirst.java")) at = i;
        }
        assertTrue(at >= 0, "README.md has no java block starting with '// MyFirst.java'");
        // The output shown is the first text block after the program (a bash block with the command comes between).
        int shown = at + 1;
        while (shown < blocks.size() && !blocks.get(shown).lang().equals("text")) shown++;
        assertTrue(shown < blocks.size(), "README.md shows no output after its MyFirst.java");

        Path source = Files.writeString(tmp.resolve("MyFirst.java"), blocks.get(at).code());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                source.toString()).directory(tmp.toFile()).redirectErrorStream(false).start();
        p.getOutputStream().close();
        // Read both streams before waiting, so that neither fills its pipe and stalls the program.
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread.startVirtualThread(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "MyFirst.java did not finish in 2 minutes");
        assertEquals(0, p.exitValue(), () -> "MyFirst.java failed: " + err.join());
        assertEquals(blocks.get(shown).code(), out, "README.md:" + blocks.get(shown).line() + ": the output shown is not what MyFirst.java prints");
    }
}
