package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
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
}
