package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -Dvecgrad.simd.bits} through the command line, in a child JVM (the width is fixed when the kernels load). */
class SimdWidthCliTest {
    @TempDir
    static Path tmp;

    private static String run(String name, String bits, int expectedExit) throws Exception {
        Path log = tmp.resolve(name + ".log");
        Process p = CrashResumeTest.vecgrad(log, List.of("-Dvecgrad.simd.bits=" + bits), List.of("--version"));
        return finish(p, log, expectedExit);
    }

    private static String finish(Process p, Path log, int expectedExit) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "vecgrad --version did not finish");
        String out = Files.readString(log);
        assertEquals(expectedExit, p.exitValue(), out);
        return out;
    }

    @Test
    void aWidthThatIsNotOneOfTheThreeIsOneLine() throws Exception {
        String out = run("bad", "64", 2);
        assertTrue(out.contains("vecgrad: vecgrad.simd.bits: expected 128, 256 or 512, got 64"), out);
        assertFalse(out.contains("Exception") || out.contains("\tat "), out);
    }

    /** java -jar without --add-modules jdk.incubator.vector: one line saying what is missing. */
    @Test
    void withoutTheVectorApiModuleItIsOneLine() throws Exception {
        Path log = tmp.resolve("nomodule.log");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--help")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String out = finish(p, log, 2);
        assertTrue(out.contains("vecgrad: the Vector API is missing: run java with --add-modules jdk.incubator.vector"), out);
        assertFalse(out.contains("Exception") || out.contains("\tat "), out);
    }

    @Test
    void versionNamesTheWidthAndThatItWasSet() throws Exception {
        String out = run("narrow", "128", 0);
        assertTrue(out.contains("SIMD species Species[float, 4, S_128_BIT] (128-bit, 4 float lanes, set by vecgrad.simd.bits"), out);
    }
}
