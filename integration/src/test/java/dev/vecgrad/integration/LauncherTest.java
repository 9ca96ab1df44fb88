package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
        Path out = tmp.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder("bash", ProjectRoot.find().resolve("vecgrad").toString(), "test", "--help")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("VECGRAD_NO_BUILD", "1");   // the jar of this build; never rebuild inside the build
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "vecgrad test --help did not exit within 60 s");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("Usage: vecgrad test"), text);
        assertFalse(text.contains("usage: mvn"), text);
    }
}
