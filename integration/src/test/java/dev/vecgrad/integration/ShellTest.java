package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vecgrad shell} as a user meets it: jshell reads a script from standard input, with the
 * library on the path, the Vector API module added and the common packages imported.
 */
class ShellTest {

    @Test
    void aScriptOnStandardInputRunsAtTheFirstPrompt(@TempDir Path tmp) throws IOException, InterruptedException {
        Path script = tmp.resolve("session.jsh");
        Files.writeString(script, """
                Tensor.of(1, 2, 3).pow(2).sum()
                var x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true)
                x.matmul(x).sum()
                var y = x.mul(x).sum(); y.backward(); x.grad()
                new Linear(4, 2, true).numParameters()
                /exit
                """);
        // Keep jshell's preferences out of the user's home.
        Launcher.Result r = Launcher.run(tmp, script,
                java.util.Map.of("JAVA_TOOL_OPTIONS", "-Djava.util.prefs.userRoot=" + tmp.resolve("prefs")), 180, "shell");
        String text = r.text();
        assertEquals(0, r.exitCode(), text);
        assertTrue(text.contains("$1 ==> tensor(14.0000)"), text);
        // x @ x = [[7, 10], [15, 22]]: 54; the gradient of sum(x * x) is 2x
        assertTrue(text.contains("==> tensor(54.0000, grad_fn=<sum>)"), text);
        assertTrue(text.contains("==> tensor([[2.0000, 4.0000],\n        [6.0000, 8.0000]], shape=[2, 2])"), text);
        assertTrue(text.contains("==> 10"), text);   // 4 * 2 weights + 2 biases
        assertTrue(!text.contains("Error:") && !text.contains("Exception"), text);
    }
}
