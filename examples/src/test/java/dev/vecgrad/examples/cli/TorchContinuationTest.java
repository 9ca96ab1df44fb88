package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * tools/pytorch/ddp_train.py continues a vecgrad run in PyTorch with DistributedDataParallel on
 * two CPU processes (gloo): its per-step losses equal those of vecgrad continuing the same run
 * (same weights, AdamW moments, schedule position and batches), and vecgrad resumes and samples
 * the directory it writes. Skipped where Debian's python3 has no torch.
 */
@ResourceLock("vecgrad.threads")   // commands run in-process set the global thread count; restored after all
class TorchContinuationTest {
    @TempDir Path tmp;
    static int threadsBefore = dev.vecgrad.autograd.kernel.Parallel.threads();

    @AfterAll
    static void restoreThreads() {
        dev.vecgrad.autograd.kernel.Parallel.setThreads(threadsBefore);
    }
    static final ObjectMapper JSON = new ObjectMapper();

    static Path python() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import torch.distributed as d; assert d.is_gloo_available()")
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor() == 0, "needs PyTorch with gloo (apt-get install python3-torch)");
        return python;
    }

    static Map<Long, Double> stepLosses(Path run) throws IOException {
        Map<Long, Double> out = new TreeMap<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (!n.has("val_loss")) out.put(n.get("step").asLong(), n.get("train_loss").asDouble());
        }
        return out;
    }

    @Test
    void ddpOnTwoProcessesContinuesTheLossCurveAndVecgradResumesItsDirectory() throws Exception {
        Path python = python();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("Now is the winter of our discontent, made glorious summer.\n");
        Path text = Files.writeString(tmp.resolve("play.txt"), sb.toString());
        Path run = tmp.resolve("run");
        List<String> recipe = List.of("--preset", "tiny", "--block-size", "16", "--batch-size", "4", "--eval-interval", "3",
                "--eval-iters", "1", "--warmup-iters", "2", "--lr-decay-iters", "8", "--threads", "1");
        CliTest.Result r = train(text, run, 3, recipe);
        assertEquals(0, r.code(), r.err());
        // vecgrad's own continuation, for reference
        Path straight = tmp.resolve("straight");
        copyRun(run, straight);
        assertEquals(0, CliTest.vecgrad("train", "--resume", straight.toString(), "--max-iters", "6", "--threads", "1").code());

        Path torch = tmp.resolve("torch");
        Process p = new ProcessBuilder(python.toString(), "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                // torch 1.13's launcher on Python 3.11 fails on its default "0" for these two (IntFlag iteration changed)
                "--redirects", "1", "--tee", "1",
                "../tools/pytorch/ddp_train.py", "--resume", run.toString(), "--out", torch.toString(), "--max-iters", "6")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "ddp_train did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("2 processes (gloo)"), out);

        Map<Long, Double> want = stepLosses(straight), got = stepLosses(torch);
        for (long step = 4; step <= 6; step++) {
            double w = want.get(step), g = got.get(step);
            assertEquals(w, g, 2e-5 * w, "step " + step + ": PyTorch loss " + g + " vs vecgrad " + w);
        }
        assertEquals(want.get(1L), got.get(1L), "the first run's lines are carried over");

        // vecgrad picks the PyTorch directory up again
        CliTest.Result back = CliTest.vecgrad("train", "--resume", torch.toString(), "--max-iters", "7", "--threads", "1");
        assertEquals(0, back.code(), back.err());
        assertTrue(back.out().contains("step 7/7"), back.out());
        CliTest.Result s = CliTest.vecgrad("sample", "--checkpoint", torch.toString(), "--max-new-tokens", "5", "--prompt", "Now");
        assertEquals(0, s.code(), s.err());
    }

    static CliTest.Result train(Path text, Path out, int iters, List<String> recipe) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", text.toString(), "--out", out.toString(),
                "--max-iters", Integer.toString(iters)));
        args.addAll(recipe);
        return CliTest.vecgrad(args.toArray(String[]::new));
    }

    static void copyRun(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path f : s.toList()) if (!f.getFileName().toString().startsWith(".")) Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
