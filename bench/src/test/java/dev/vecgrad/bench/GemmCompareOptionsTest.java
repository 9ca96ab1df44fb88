package dev.vecgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** GemmCompare's options: a mistake is one message and exit status 2, not a stack trace from the middle of a run. */
class GemmCompareOptionsTest {
    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new GemmCompare()).setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void badOptionsAreNamedWithExitStatus2() {
        String[][] cases = {
            {"--shapes", "64x64"}, {"--shapes", "0x4x4"}, {"--reps", "x"}, {"--variants", "NX"}, {"--threads", "0"}, {"--bogus"},
        };
        String[] expected = {"64x64 is not MxNxK", "0x4x4 is not MxNxK", "'x' is not an int", "NX is not NN, NT, TN or TT",
            "0 is not a thread count", "Unknown option: '--bogus'"};
        for (int i = 0; i < cases.length; i++) {
            String[] r = run(cases[i]);
            assertEquals("2", r[0], String.join(" ", cases[i]));
            assertTrue(r[1].contains(expected[i]), r[1]);
        }
    }

    @Test
    void optionsInTheScriptsFormParse() {
        GemmCompare g = new GemmCompare();
        new CommandLine(g).parseArgs("--reps", "3", "--min-ms", "50", "--threads", "1,2", "--shapes", "64x32x16,8x8x8", "--variants", "NN,TN");
        assertEquals(3, g.reps);
        assertEquals(2, g.shapes.length);
        assertEquals("TN", g.variants[1]);
        assertEquals(2, g.threads[1]);
    }
}
