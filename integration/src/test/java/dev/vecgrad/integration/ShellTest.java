package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vecgrad shell} as a user meets it: jshell reads a script from standard input, with the
 * library on the path, the Vector API module added and the common packages imported.
 */
class ShellTest {

    @Test
    void aScriptOnStandardInputRunsAtTheFirstPrompt(@TempDir Path tmp) throws IOException, InterruptedException {
        Path root = ProjectRoot.find();
        Path script = tmp.resolve("session.jsh");
        Files.writeString(script, """
                Tensor.of(1, 2, 3).pow(2).sum()
                var x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true)
                x.matmul(x).sum()
                var y = x.mul(x).sum(); y.backward(); x.grad()
                new Linear(4, 2, true).numParameters()
                /exit
                """);
        Path out = tmp.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("vecgrad").toString(), "shell")
                .redirectInput(script.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        // The jar comes from this build (examples is packaged before this module); never rebuild
        // it from inside the build. Keep jshell's preferences out of the user's home.
        pb.environment().put("VECGRAD_NO_BUILD", "1");
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.util.prefs.userRoot=" + tmp.resolve("prefs"));
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "jshell did not exit within 180 s");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("$1 ==> tensor(14.0000)"), text);
        // x @ x = [[7, 10], [15, 22]]: 54; the gradient of sum(x * x) is 2x
        assertTrue(text.contains("==> tensor(54.0000, grad_fn=<sum>)"), text);
        assertTrue(text.contains("==> tensor([[2.0000, 4.0000],\n        [6.0000, 8.0000]], shape=[2, 2])"), text);
        assertTrue(text.contains("==> 10"), text);   // 4 * 2 weights + 2 biases
        assertTrue(!text.contains("Error:") && !text.contains("Exception"), text);
    }
}
