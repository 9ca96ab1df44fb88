package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code heads}, {@code lens} and {@code train --task induction} end to end, in-process. */
class InspectCommandsTest {
    @TempDir static Path tmp;
    static Path run;

    record Result(int code, String out, String err) {}

    static Result vecgrad(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @BeforeAll
    static void trainOnTheInductionTask() {
        run = tmp.resolve("ind");
        Result r = vecgrad("train", "--task", "induction", "--vocab", "10", "--max-iters", "4", "--eval-interval", "2", "--eval-iters", "1",
                "--n-embd", "16", "--n-head", "2", "--block-size", "12", "--batch-size", "4", "--out", run.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("induction: random sequences of 10 tokens"), r.out());
        assertTrue(r.out().contains("./vecgrad heads --checkpoint"), r.out());
    }

    @Test
    void headsPrintsTheDocumentedJsonAndWritesAHeatmapPerScore() throws IOException {
        Result r = vecgrad("heads", "--checkpoint", run.toString(), "--json", "--sequences", "3", "--ablate", "1.0,1.1",
                "--out", tmp.resolve("pngs").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("n_layer").asInt());
        assertEquals(2, j.get("n_head").asInt());
        assertTrue(j.get("clean_loss").isNumber());
        for (String s : new String[] {"previous_token", "first_token", "induction", "ablation"}) {
            JsonNode grid = j.get("scores").get(s);
            assertEquals(2, grid.size(), s);
            assertEquals(2, grid.get(1).size(), s);
            assertNotNull(ImageIO.read(tmp.resolve("pngs").resolve("heads-" + s.replace('_', '-') + ".png").toFile()), s);
        }
        assertEquals(4, j.get("heads").size());
        JsonNode h = j.get("heads").get(3);
        assertEquals(1, h.get("layer").asInt());
        assertEquals(1, h.get("head").asInt());
        assertEquals(j.get("scores").get("induction").get(1).get(1).asDouble(), h.get("induction").asDouble());
        assertTrue(j.get("held_out").asText().contains("validation"), j.get("held_out").asText());
        assertTrue(j.get("ablated_together").get("loss").isNumber());

        Result table = vecgrad("heads", "--checkpoint", run.toString(), "--sequences", "2", "--sort", "ablation");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("best induction") && table.out().contains("heads-ablation.png"), table.out());
        assertTrue(Files.exists(run.resolve("heads-induction.png")));
    }

    @Test
    void lensPrintsEveryStreamAndTheActualNextTokensProbability() throws IOException {
        Result r = vecgrad("lens", "--checkpoint", run.toString(), "--prompt", "abcdabcd", "--json", "--top-k", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(8, j.get("tokens").size());
        assertEquals(3, j.get("streams").size());
        assertEquals("blocks.1.hook_resid_post", j.get("streams").get(2).get("stream").asText());
        JsonNode cell = j.get("streams").get(0).get("positions").get(0);
        assertEquals(2, cell.get("top").size());
        double p = cell.get("actual_next_probability").asDouble();
        assertTrue(p > 0 && p < 1, "probability " + p);
        assertTrue(j.get("streams").get(0).get("positions").get(7).get("actual_next_probability").isNull());
        Path png = tmp.resolve("lens.png");
        Result t = vecgrad("lens", "--checkpoint", run.toString(), "--prompt", "abcabc", "--out", png.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("blocks.0.hook_resid_pre") && t.out().contains("actual next token"), t.out());
        assertNotNull(ImageIO.read(png.toFile()));
    }

    @Test
    void badInputIsOneClearError() {
        Result sort = vecgrad("heads", "--checkpoint", run.toString(), "--sort", "bogus");
        assertEquals(2, sort.code());
        assertTrue(sort.err().contains("--sort must be one of"), sort.err());
        Result ablate = vecgrad("heads", "--checkpoint", run.toString(), "--ablate", "1");
        assertEquals(2, ablate.code());
        assertTrue(ablate.err().contains("--ablate expects LAYER.HEAD"), ablate.err());
        Result head = vecgrad("heads", "--checkpoint", run.toString(), "--ablate", "5.0");
        assertEquals(2, head.code());
        assertTrue(head.err().contains("no head [5, 0]"), head.err());
        Result prompt = vecgrad("lens", "--checkpoint", run.toString(), "--prompt", "abcdabcdabcdabcd");
        assertEquals(2, prompt.code());
        assertTrue(prompt.err().contains("block size is 12"), prompt.err());
        Result task = vecgrad("train", "--task", "juggling", "--out", tmp.resolve("x").toString());
        assertEquals(2, task.code());
        assertTrue(task.err().contains("--task juggling: unknown task"), task.err());
    }
}
