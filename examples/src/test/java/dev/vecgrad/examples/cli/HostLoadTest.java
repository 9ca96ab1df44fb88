package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HostLoadTest {
    @Test
    void parsesTheCpuLineOfProcStat() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        String stat = "cpu  100 5 20 800 30 1 2 7 50 0\ncpu0 50 2 10 400 15 0 1 3 25 0\ncpu1 50 3 10 400 15 1 1 4 25 0\nintr 12345\n";
        assertArrayEquals(new long[] {135, 965, 2}, HostLoad.parse(stat));   // busy excludes idle and iowait; guest is inside user
        assertNull(HostLoad.parse("cpu0 1 2 3 4 5 6 7 8\n"));
        assertNull(HostLoad.parse("cpu 1 2 x 4 5 6 7 8\n"));
        assertNull(HostLoad.parse("cpu 1 2 3\n"));
        assertNull(HostLoad.parse(""));
    }

    @Test
    void othersShareIsBusyTimeNotOursOverAllProcessorsTime() {
        // 2 processors for 1 s = 200 ticks; 150 busy, 0.5 s of it ours: others took 1 s of 2.
        assertEquals(0.5, HostLoad.share(new long[] {0, 0}, new long[] {150, 200}, 0.5).getAsDouble(), 1e-9);
        assertEquals(0.0, HostLoad.share(new long[] {0, 0}, new long[] {40, 200}, 0.6).getAsDouble(), 1e-9);   // clamped
        assertTrue(HostLoad.share(new long[] {0, 0}, new long[] {1, 5}, 0).isEmpty(), "too short a window");
        assertNull(HostLoad.note(OptionalDouble.of(0.1), 2, "these figures"));
        assertNull(HostLoad.note(OptionalDouble.empty(), 2, "these figures"));
        assertEquals("note: other processes used 47% of the 2 processors' time meanwhile, so these figures may be below"
                + " what this machine does when idle", HostLoad.note(OptionalDouble.of(0.47), 2, "these figures"));
    }

    @Test
    void seesAnotherProcessSpinning() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")) && Files.isExecutable(Path.of("/bin/sh")), "Linux only");
        HostLoad load = HostLoad.start();
        Process spin = new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
        try {
            Thread.sleep(1500);
        } finally {
            spin.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        // One spinning process keeps one processor busy: at least 1/N of the machine (more if
        // anything else ran), minus its start-up; this test's own thread slept.
        OptionalDouble measured = load.othersShare();
        assumeTrue(measured.isPresent(), "the counters cover more processors than this JVM may use (a container)");
        double share = measured.getAsDouble();
        int cpus = Runtime.getRuntime().availableProcessors();
        assertTrue(share >= 0.6 / cpus, "others' share " + share + " on " + cpus + " processors");
    }
}
