package dev.vecgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.dashboard.DashboardServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vecgrad dashboard} and {@code train --dashboard}: the same numbers as the other commands, over HTTP. */
class DashboardCliTest {
    @TempDir static Path tmp;
    static Path text, runs;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void trainARun() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("To be, or not to be: that is the question.\n");
        text = tmp.resolve("play.txt");
        Files.writeString(text, sb.toString());
        runs = Files.createDirectories(tmp.resolve("runs"));
        CliTest.Result r = CliTest.vecgrad("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "4",
                "--eval-interval", "2", "--eval-iters", "1", "--block-size", "16", "--batch-size", "4", "--out",
                runs.resolve("play").toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDashboardsAttentionCsvIsTheAttentionCommandsCsv() throws Exception {
        String prompt = "To be, or not";
        Path csv = tmp.resolve("attention.csv");
        CliTest.Result r = CliTest.vecgrad("attention", "--checkpoint", runs.resolve("play").toString(), "--prompt", prompt,
                "--csv", csv.toString());
        assertEquals(0, r.code(), r.err());
        try (DashboardServer s = DashboardServer.start(new DashboardServer.Options(runs, "127.0.0.1", 0, 64))) {
            HttpResponse<String> api = get(s.url() + "api/runs/play/attention?format=csv&prompt="
                    + URLEncoder.encode(prompt, StandardCharsets.UTF_8));
            assertEquals(200, api.statusCode(), api.body());
            assertEquals(Files.readString(csv), api.body());
        }
    }

    @Test
    void trainWithDashboardServesTheRunWhileItTrains() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Path dir = runs.resolve("watched");
        Thread train = new Thread(() -> {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            code.set(cl.execute("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "30", "--eval-interval", "10",
                    "--eval-iters", "1", "--block-size", "16", "--batch-size", "4", "--out", dir.toString(), "--threads", "1",
                    "--dashboard", "--dashboard-port", "0"));
        });
        train.start();
        Pattern url = Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:\\d+/)#/run/watched");
        Matcher m = null;
        for (int i = 0; i < 600 && (m == null || !m.find()); i++) {
            Thread.sleep(50);
            m = url.matcher(out.toString());
        }
        assertTrue(m.find(0), out + " / " + err);
        String base = m.group(1);
        String seen = null;
        while (train.isAlive()) {
            HttpResponse<String> list;
            try {
                list = get(base + "api/runs/watched");
            } catch (IOException e) {
                break;      // the run ended and took the server with it
            }
            if (list.statusCode() == 200) {
                seen = list.body();
                if (seen.contains("\"state\":\"running\"")) break;
            }
            Thread.sleep(20);
        }
        train.join(120_000);
        assertEquals(0, code.get(), err.toString());
        assertTrue(seen != null && seen.contains("\"state\":\"running\""), "the dashboard showed the run while it trained: " + seen);
        assertThrows(IOException.class, () -> get(base + "api/runs"), "the server stops with the run");
    }

    @Test
    void anEmptyRunsDirectorySuggestsATrainCommandThatSavesIntoIt() {
        Path runs = Path.of("my runs");
        assertEquals(ShellWords.command("train --out 'my runs/first'"), DashboardCommand.trainSuggestion(runs));
    }

    @Test
    void dashboardNeedsAnExistingRunsDirectoryAndAFreePort() throws Exception {
        CliTest.Result r = CliTest.vecgrad("dashboard", "--runs", tmp.resolve("nope").toString(), "--port", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such directory"), r.err());
        try (DashboardServer s = DashboardServer.start(new DashboardServer.Options(runs, "127.0.0.1", 0, 64))) {
            CliTest.Result busy = CliTest.vecgrad("dashboard", "--runs", runs.toString(), "--port", Integer.toString(s.port()));
            assertEquals(2, busy.code());
            assertTrue(busy.err().contains("port " + s.port() + " is in use"), busy.err());
            assertTrue(busy.err().strip().endsWith("(pick another --port, or 0 for any free one)"), busy.err());
            // train's flag for the same port has another name, and the advice uses it.
            CliTest.Result training = CliTest.vecgrad("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "1",
                    "--dashboard", "--dashboard-port", Integer.toString(s.port()), "--out", tmp.resolve("busy").toString());
            assertEquals(2, training.code());
            assertEquals(1, training.err().lines().count(), training.err());
            assertTrue(training.err().strip().endsWith("(pick another --dashboard-port, or 0 for any free one)"), training.err());
        }
        CliTest.Result range = CliTest.vecgrad("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "1",
                "--dashboard", "--dashboard-port", "70000", "--out", tmp.resolve("range").toString());
        assertEquals(2, range.code());
        assertEquals("vecgrad train: --dashboard-port must be 0..65535, got 70000", range.err().strip());
    }
}
