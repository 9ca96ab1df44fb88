package dev.vecgrad.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.inspect.AttentionMaps;
import dev.vecgrad.train.inspect.Explainer;
import dev.vecgrad.train.inspect.HeadScores;
import dev.vecgrad.train.inspect.LogitLens;
import dev.vecgrad.train.inspect.ProbeData;
import dev.vecgrad.train.run.RunStatus;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.Trainer;
import dev.vecgrad.train.sample.Generator;
import dev.vecgrad.train.sample.TokenPicker;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API over HTTP, against a real server on a free port and real (tiny) runs. */
class DashboardApiTest {
    @TempDir static Path tmp;
    static Path runs;
    static DashboardServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws IOException {
        runs = Files.createDirectories(tmp.resolve("runs"));
        TestRuns.train(runs, "tiny", 8);
        TestRuns.trainBytes(runs, "bytes", 4);
        // A run whose state.json is not JSON: listed as broken, never an error for the whole page.
        Path broken = Files.createDirectories(runs.resolve("broken"));
        Files.writeString(broken.resolve("state.json"), "{\"format\": 1, \"step\": ");
        Files.writeString(broken.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":3.5}\nnot json\n");
        // A run that has logged steps but not checkpointed yet, its last line half written.
        Path half = Files.createDirectories(runs.resolve("half"));
        Files.writeString(half.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":3.0}\n{\"step\":2,\"train_lo");
        // Outside the runs directory: a run reached through a symlink, and a secret file.
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        TestRuns.train(outside, "elsewhere", 4);
        Files.writeString(outside.resolve("secret.txt"), "{\"step\":1,\"train_loss\":42.0}\n");
        Files.createSymbolicLink(runs.resolve("linked"), outside.resolve("elsewhere"));
        Path sneaky = Files.createDirectories(runs.resolve("sneaky"));
        Files.createSymbolicLink(sneaky.resolve("metrics.jsonl"), outside.resolve("secret.txt"));
        Files.writeString(sneaky.resolve("status.json.bak"), "");
        new RunStatus(RunStatus.State.STOPPED, 1, java.time.Instant.parse("2026-01-01T00:00:00Z"),
                java.time.Instant.parse("2026-01-01T00:01:00Z"), 1, 10, 100, "text x", "stop requested").write(sneaky);
        server = DashboardServer.start(new DashboardServer.Options(runs, "127.0.0.1", 0, 256));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return get(path, "*/*");
    }

    static HttpResponse<String> get(String path, String accept) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("Accept", accept)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), path);
        return JSON.readTree(r.body());
    }

    /** Asserts a JSON error with the status and a message containing {@code text}. */
    static void error(String path, int status, String text) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(status, r.statusCode(), path + " -> " + r.body());
        JsonNode e = JSON.readTree(r.body());
        assertTrue(e.path("error").asText().contains(text), path + " -> " + r.body());
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static JsonNode run(JsonNode list, String name) {
        for (JsonNode r : list.get("runs")) if (r.get("name").asText().equals(name)) return r;
        return null;
    }

    @Test
    void runsListsEveryRunWithItsStateAndMarksBrokenOnes() throws Exception {
        JsonNode list = json("/api/runs");
        JsonNode tiny = run(list, "tiny");
        assertNotNull(tiny, list.toString());
        // What the page suggests while a directory holds no run (here the library's default wording).
        assertEquals("vecgrad train --out " + runs.resolve("first"), list.get("train_command").asText(), list.toString());
        assertEquals("finished", tiny.get("state").asText());
        assertEquals(8, tiny.get("step").asInt());
        assertEquals(8, tiny.get("max_iters").asInt());
        assertEquals(2, tiny.get("n_layer").asInt());
        assertTrue(tiny.get("parameters").asLong() > 1000);
        assertTrue(tiny.get("val_loss").isNumber() && tiny.get("train_loss").isNumber() && tiny.get("tokens_per_s").isNumber());
        assertTrue(tiny.get("task").asText().contains("text.txt"), tiny.toString());
        assertTrue(tiny.get("has_model").asBoolean());
        assertFalse(tiny.get("broken").asBoolean(), tiny.toString());
        // The tokenizer, which tells the page whether runs' losses compare.
        assertEquals("char", tiny.get("tokenizer").get("type").asText(), tiny.toString());
        assertEquals(64, tiny.get("tokenizer").get("sha256").asText().length());
        JsonNode bytes = run(list, "bytes");
        assertEquals("bpe", bytes.get("tokenizer").get("type").asText(), bytes.toString());
        assertEquals(272, bytes.get("tokenizer").get("vocab_size").asInt());

        JsonNode broken = run(list, "broken");
        assertTrue(broken.get("broken").asBoolean());
        assertTrue(broken.get("problems").toString().contains("state.json"), broken.toString());
        assertTrue(broken.get("problems").toString().contains("1 unreadable line"), broken.toString());
        assertFalse(broken.get("has_model").asBoolean());
        assertTrue(broken.get("tokenizer").isNull(), "no state.json to name it");

        JsonNode half = run(list, "half");
        assertEquals(1, half.get("step").asInt(), "the half-written line is not read yet");
        assertEquals(3.0, half.get("train_loss").asDouble());
        assertTrue(half.get("broken").asBoolean(), "no checkpoint and no status: shown as such");

        JsonNode sneaky = run(list, "sneaky");
        assertEquals("stopped", sneaky.get("state").asText());
        assertEquals("stop requested", sneaky.get("message").asText());
        assertTrue(sneaky.get("train_loss").isNull(), "a metrics file linked from outside the runs directory is not read");

        assertTrue(run(list, "linked") == null, "a run reached through a link out of the runs directory is not listed");
    }

    @Test
    void oneRunAndItsConfig() throws Exception {
        JsonNode r = json("/api/runs/tiny");
        assertEquals("tiny", r.get("name").asText());
        JsonNode c = json("/api/runs/tiny/config");
        assertEquals(8, c.get("step").asInt());
        assertEquals(16, c.get("config").get("nEmbd").asInt());
        assertEquals("text", c.get("data").get("kind").asText());
        assertTrue(c.get("vocab_size").asInt() > 10);
        error("/api/runs/half/config", 404, "no checkpoint yet");
        error("/api/runs/broken/config", 422, "state.json");
    }

    @Test
    void metricsFromAnyLineAndFollowingAppends() throws Exception {
        JsonNode all = json("/api/runs/tiny/metrics");
        int n = all.get("next").asInt();
        assertEquals(n, all.get("metrics").size());
        assertEquals(8, n, "one line per step");
        int evals = 0;
        for (JsonNode line : all.get("metrics")) if (line.has("val_loss")) evals++;
        assertEquals(2, evals, "2 of the steps evaluated");
        assertEquals(1, all.get("metrics").get(0).get("step").asInt());
        assertTrue(all.get("metrics").get(0).has("lr"));
        JsonNode tail = json("/api/runs/tiny/metrics?from=" + (n - 2));
        assertEquals(2, tail.get("metrics").size());
        assertEquals(n - 2, tail.get("from").asInt());
        assertEquals(0, json("/api/runs/tiny/metrics?from=" + (n + 5)).get("metrics").size());

        Path f = Files.createDirectories(runs.resolve("growing")).resolve("metrics.jsonl");
        Files.writeString(f, "{\"step\":1,\"train_loss\":3.0}\n{\"step\":2,\"train_lo");
        assertEquals(1, json("/api/runs/growing/metrics").get("next").asInt());
        Files.writeString(f, "ss\":2.5}\n{\"step\":3,", StandardOpenOption.APPEND);
        JsonNode more = json("/api/runs/growing/metrics?from=1");
        assertEquals(1, more.get("metrics").size(), more.toString());
        assertEquals(2.5, more.get("metrics").get(0).get("train_loss").asDouble());
        assertEquals(0, more.get("skipped_lines").asInt());
        // A resumed run rewrites the file shorter (it drops the lines past its checkpoint): read from the start again.
        Files.writeString(f, "{\"step\":1,\"train_loss\":2.0}\n");
        JsonNode again = json("/api/runs/growing/metrics?from=2");
        assertEquals(1, again.get("next").asInt(), again.toString());
        assertEquals(1, again.get("from").asInt(), "from is clamped to the lines there are; the client sees from < its next");
        assertEquals(2.0, json("/api/runs/growing/metrics").get("metrics").get(0).get("train_loss").asDouble());
        error("/api/runs/tiny/metrics?from=-1", 400, "from: an integer");
        error("/api/runs/tiny/metrics?from=x", 400, "from: an integer");
    }

    @Test
    void attentionIsTheLibrarysAndItsCsvIsTheCommandLines() throws Exception {
        String prompt = "the lazy fox";
        JsonNode a = json("/api/runs/tiny/attention?prompt=" + q(prompt));
        int t = prompt.length();
        assertEquals(t, a.get("tokens").size());
        assertEquals(2, a.get("weights").size());
        assertEquals(2, a.get("weights").get(0).size());
        assertEquals(t, a.get("weights").get(1).get(1).size());
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(runs.resolve("tiny"));
        int[] ids = m.tokenizer().encode(prompt);
        float[][][][] w = AttentionMaps.capture(m.model(), ids, new int[] {0, 1}, new int[] {0, 1});
        for (int l = 0; l < 2; l++) for (int h = 0; h < 2; h++) for (int i = 0; i < t; i++) for (int k = 0; k < t; k++) {
            assertEquals(w[l][h][i][k], (float) a.get("weights").get(l).get(h).get(i).get(k).asDouble(), "weight " + l + h + i + k);
        }
        HttpResponse<String> csv = get("/api/runs/tiny/attention?format=csv&layer=1&head=0&prompt=" + q(prompt));
        assertEquals(200, csv.statusCode());
        assertTrue(csv.headers().firstValue("content-type").orElse("").startsWith("text/csv"));
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(m.tokenizer().piece(id));
        String want = AttentionMaps.csv(AttentionMaps.capture(m.model(), ids, new int[] {1}, new int[] {0}), new int[] {1},
                new int[] {0}, pieces);
        assertEquals(want, csv.body());
        assertEquals(1 + t * t, csv.body().split("\n").length);

        error("/api/runs/tiny/attention", 400, "prompt: required");
        error("/api/runs/tiny/attention?prompt=" + q("x".repeat(DashboardServer.MAX_PROMPT_CHARS + 1)), 400, "at most 1000");
        error("/api/runs/tiny/attention?prompt=" + q("the quick brown fox jumps"), 400, "block size is 16");
        error("/api/runs/tiny/attention?prompt=" + q("ZZZ"), 400, "not in the vocabulary");
        error("/api/runs/tiny/attention?prompt=the&layer=2", 400, "layer: an integer 0..1");
        error("/api/runs/tiny/attention?prompt=the&head=-1", 400, "head: an integer 0..1");
        error("/api/runs/tiny/attention?prompt=the&format=xml", 400, "format: json or csv");
        error("/api/runs/half/attention?prompt=the", 404, "no model.safetensors yet");
    }

    @Test
    void explainIsWhatExplainJsonPrints() throws Exception {
        JsonNode e = json("/api/runs/tiny/explain?prompt=" + q("the fox") + "&token=4&layer=1&head=1");
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(runs.resolve("tiny"));
        JsonNode want = JSON.valueToTree(Explainer.explain(m.model(), m.tokenizer(), "the fox", 4, 1, 1));
        assertEquals(want, e);
        assertEquals(5, e.get("attention").get("keys").size(), "keys 0..4");
        JsonNode last = json("/api/runs/tiny/explain?prompt=" + q("the fox"));
        assertEquals(6, last.get("attention").get("query_position").asInt(), "the last token by default");
        assertEquals(0, last.get("attention").get("layer").asInt());
        error("/api/runs/tiny/explain?prompt=the&token=3", 400, "token: an integer 0..2");
        error("/api/runs/tiny/explain?prompt=the&layer=9", 400, "layer: an integer 0..1");
        error("/api/runs/tiny/explain?prompt=the&head=x", 400, "head: an integer 0..1");
        error("/api/runs/tiny/explain", 400, "prompt: required");
        error("/api/runs/broken/explain?prompt=the", 404, "no model.safetensors yet");
    }

    @Test
    void logitLensAndHeadScoresAreTheLibrarys() throws Exception {
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(runs.resolve("tiny"));
        JsonNode lens = json("/api/runs/tiny/lens?prompt=" + q("the fox") + "&top_k=2");
        int[] ids = m.tokenizer().encode("the fox");
        assertEquals(JSON.valueToTree(LogitLens.compute(m.model(), ids, 2, m.tokenizer()::piece).toMap()), lens);
        assertEquals(3, lens.get("streams").size(), "two blocks' inputs and the last block's output");
        error("/api/runs/tiny/lens?prompt=the&top_k=0", 400, "top_k: an integer 1..20");
        error("/api/runs/tiny/lens", 400, "prompt: required");

        JsonNode heads = json("/api/runs/tiny/heads?sequences=4");
        ProbeData held = ProbeData.fromRun(runs.resolve("tiny"), 4, 1234);
        HeadScores.Report want = HeadScores.compute(m.model(), held.batch(), HeadScores.probe(m.model().config().vocabSize(), 4, 16, 1235));
        assertEquals(held.description(), heads.get("held_out").asText());
        assertEquals(4, heads.get("heads").size());
        for (int i = 0; i < 4; i++) {
            for (String n : HeadScores.NAMES) {
                assertEquals(want.heads().get(i).score(n), heads.get("heads").get(i).get(n).asDouble(), 1e-12, n + " of head " + i);
            }
        }
        error("/api/runs/tiny/heads?sequences=1000", 400, "sequences: an integer 1..64");
        error("/api/runs/tiny/heads?seed=abc", 400, "seed: a 64-bit integer, got \"abc\"");
        error("/api/runs/tiny/heads?seed=99999999999999999999", 400, "seed: a 64-bit integer");
        error("/api/runs/half/heads", 404, "no model.safetensors yet");
    }

    /** The events of a server-sent event stream, as (event, data) pairs. */
    static List<String[]> events(String body) {
        List<String[]> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) event = line.substring(6).trim();
                else if (line.startsWith("data:")) data.append(line.substring(5).trim());
            }
            if (!data.isEmpty()) out.add(new String[] {event, data.toString()});
        }
        return out;
    }

    /**
     * With a byte-level tokenizer, tokens that end inside a character stream no text until the
     * character is whole: the events' texts add up to the decoded ids, where the tokens' pieces
     * (shown as {@code <0xNN>}) would not.
     */
    @Test
    void sampleStreamsWholeCharactersWhenTokensSplitThem() throws Exception {
        HttpResponse<String> r = get("/api/runs/bytes/sample?prompt=" + q("caf\u00E9") + "&max_new_tokens=60&temperature=1.5&seed=3",
                "text/event-stream");
        assertEquals(200, r.statusCode(), r.body());
        List<String[]> ev = events(r.body());
        assertEquals("done", ev.get(ev.size() - 1)[0]);
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(runs.resolve("bytes"));
        List<Integer> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder(), pieces = new StringBuilder();
        int split = 0;
        for (String[] e : ev) {
            if (!e[0].equals("token")) continue;
            JsonNode t = JSON.readTree(e[1]);
            ids.add(t.get("id").asInt());
            text.append(t.get("text").asText());
            pieces.append(t.get("piece").asText());
            assertEquals(m.tokenizer().piece(t.get("id").asInt()), t.get("piece").asText());
            if (t.get("piece").asText().contains("<0x")) split++;
        }
        text.append(JSON.readTree(ev.get(ev.size() - 1)[1]).get("text").asText());
        assertEquals(60, ids.size());
        assertTrue(split > 0, "no sampled token ended inside a character: " + pieces);
        assertEquals(m.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray()), text.toString());
        assertFalse(text.toString().contains("<0x"), text.toString());
    }

    @Test
    void sampleStreamsTheGeneratorsTokens() throws Exception {
        HttpResponse<String> r = get("/api/runs/tiny/sample?prompt=the&max_new_tokens=12&temperature=0", "text/event-stream");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"), r.headers().toString());
        List<String[]> ev = events(r.body());
        assertEquals("prompt", ev.get(0)[0]);
        assertEquals("done", ev.get(ev.size() - 1)[0]);
        StringBuilder got = new StringBuilder();
        for (String[] e : ev) if (e[0].equals("token")) got.append(JSON.readTree(e[1]).get("text").asText());
        got.append(JSON.readTree(ev.get(ev.size() - 1)[1]).get("text").asText());
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(runs.resolve("tiny"));
        int[] ids = m.tokenizer().encode("the");
        int[] seq = Generator.generate(m.model(), ids, 12, new TokenPicker(0f, 0, new SplittableRandom(1)), null);
        assertEquals(m.tokenizer().decode(java.util.Arrays.copyOfRange(seq, 3, seq.length)), got.toString());

        error("/api/runs/tiny/sample?prompt=the&max_new_tokens=5000", 400, "max_new_tokens: an integer 0..2000");
        error("/api/runs/tiny/sample?prompt=the&temperature=-1", 400, "temperature: a number");
        error("/api/runs/tiny/sample?prompt=the&seed=x", 400, "seed: a 64-bit integer, got \"x\"");
        error("/api/runs/tiny/sample", 400, "prompt: required");
        error("/api/runs/nope/sample?prompt=the", 404, "no run named");
        error("/api/runs/tiny/sample?prompt=the", 406, "Accept: text/event-stream");
        HttpResponse<String> bad = get("/api/runs/tiny/sample?prompt=ZZ", "text/event-stream");
        List<String[]> be = events(bad.body());
        assertEquals("error", be.get(be.size() - 1)[0], bad.body());
        assertTrue(be.get(be.size() - 1)[1].contains("not in the vocabulary"));
    }

    @Test
    void pathsLeavingTheRunsDirectoryAreNotFound() throws Exception {
        for (String p : List.of("/api/runs/..%2Foutside%2Felsewhere/metrics", "/api/runs/%2e%2e/metrics",
                "/api/runs/linked/metrics", "/api/runs/linked",
                "/api/runs/linked/attention?prompt=the", "/api/runs/%2E%2E%2Foutside/config", "/api/runs/..%5Coutside/config",
                "/api/runs/nope", "/api/runs/%2Ftmp/metrics")) {
            HttpResponse<String> r = get(p);
            assertEquals(404, r.statusCode(), p + " -> " + r.body());
            assertFalse(r.body().contains("42.0"), p);
        }
        // Dots that climb above the URL's root, and NUL bytes, never reach the dashboard: Jetty itself answers 400.
        for (String p : List.of("/api/runs/../../outside/secret.txt", "/api/runs/..%2F..%2F..%2Fetc%2Fpasswd",
                "/api/runs/%2e%2e/%2e%2e/%2e%2e/outside/secret.txt", "/api/runs/tiny%00/metrics")) {
            HttpResponse<String> r = get(p);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 404, p + " -> " + r.statusCode());
            assertFalse(r.body().contains("42.0"), p);
        }
        // The page's files are served from a class-path folder; nothing beside or above it is reachable.
        for (String p : List.of("/..%2FDashboardServer.class", "/%2e%2e/DashboardServer.class", "/..%2F..%2F..%2F..%2Fapp.js",
                "/app.js%2F..%2F..%2FDashboardServer.class", "/..;/DashboardServer.class", "/%2e%2e%2fRunStore.class",
                "/META-INF/MANIFEST.MF", "/dev/vecgrad/dashboard/DashboardServer.class")) {
            HttpResponse<String> r = get(p);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 404, p + " -> " + r.statusCode());
            assertFalse(r.body().contains("CAFEBABE") || r.body().startsWith("\u00ca\u00fe"), p);
        }
        error("/api/nothing", 404, "no such page");
    }

    @Test
    void requestSizesAreBounded() throws Exception {
        HttpResponse<String> r = get("/api/runs?x=" + "a".repeat(DashboardServer.MAX_REQUEST_BYTES + 10));
        assertTrue(r.statusCode() == 414 || r.statusCode() == 431, "status " + r.statusCode());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/runs"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[DashboardServer.MAX_REQUEST_BYTES * 4])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(post.statusCode() >= 400 && post.statusCode() < 500, "status " + post.statusCode());
    }

    @Test
    void pageAndChartsLibraryAreServedFromTheJar() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("/vendor/uplot.js") && page.body().contains("/app.js"));
        assertTrue(page.headers().firstValue("content-security-policy").orElse("").contains("default-src 'self'"));
        HttpResponse<String> js = get("/vendor/uplot.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.body().contains("uPlot"));
        assertEquals(200, get("/vendor/uplot.css").statusCode());
        assertEquals(200, get("/app.js").statusCode());
    }

    @Test
    void modelsLargerThanTheBudgetAreRefusedAndOthersAreLoadedOnce() throws Exception {
        ModelCache cache = new ModelCache(1 << 20);
        Path f = runs.resolve("tiny").resolve("model.safetensors");
        cache.use(f, m -> m);
        cache.use(f, m -> m);
        assertEquals(1, cache.loads());
        assertEquals(Files.size(f), cache.usedBytes());
        ModelCache small = new ModelCache(100);
        var e = org.junit.jupiter.api.Assertions.assertThrows(ModelCache.TooLargeException.class, () -> small.use(f, m -> m));
        assertTrue(e.getMessage().contains("over the dashboard's model budget"), e.getMessage());
        // Two models in a budget that holds one: the older one is dropped.
        ModelCache one = new ModelCache(Files.size(f) + Files.size(f) / 2);
        Path g = runs.resolve("sneaky2");
        TestRuns.train(runs, "sneaky2", 4);
        one.use(f, m -> m);
        one.use(g.resolve("model.safetensors"), m -> m);
        assertEquals(1, one.size());
        one.use(f, m -> m);
        assertEquals(3, one.loads());
    }

    @Test
    void concurrentRequestsWhileARunWritesMetrics() throws Exception {
        Path live = runs.resolve("live");
        Trainer t = new Trainer(TestRuns.tiny(24), TextTask.load(TestRuns.text(tmp), null));
        AtomicBoolean done = new AtomicBoolean();
        Thread trainer = new Thread(() -> {
            try {
                t.run(live, new Trainer.Listener() {
                    @Override
                    public void onStep(dev.vecgrad.train.run.Metrics m) {
                        try {
                            Thread.sleep(10);     // slow enough that readers see the run grow
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                done.set(true);
            }
        });
        trainer.start();
        // The clients start once the run has a first line (before that there is no run named "live").
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!done.get() && System.nanoTime() < deadline
                && (!Files.exists(live.resolve("metrics.jsonl")) || Files.size(live.resolve("metrics.jsonl")) == 0)) {
            Thread.sleep(5);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    int seen = 0, requests = 0;
                    while (!done.get() || requests < 3) {
                        if (client % 2 == 0) {
                            JsonNode m = json("/api/runs/live/metrics?from=" + seen);
                            for (JsonNode line : m.get("metrics")) assertTrue(line.get("step").asInt() >= 1);
                            assertTrue(m.get("next").asInt() >= seen, "lines never disappear while the run appends");
                            seen = m.get("next").asInt();
                        } else {
                            JsonNode list = json("/api/runs");
                            JsonNode r = run(list, "live");
                            if (r != null && !done.get()) assertTrue(List.of("running", "finished").contains(r.get("state").asText()));
                            json("/api/runs/tiny/attention?prompt=the");
                        }
                        requests++;
                    }
                    return seen;
                }));
            }
            trainer.join(120_000);
            int lines = (int) Files.readAllLines(live.resolve("metrics.jsonl")).stream().filter(s -> !s.isBlank()).count();
            for (int c = 0; c < 4; c += 2) assertEquals(lines, results.get(c).get().intValue(), "client " + c + " read every line");
            for (int c = 1; c < 4; c += 2) results.get(c).get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals("finished", run(json("/api/runs"), "live").get("state").asText());
    }

    /**
     * Requests for the same cached models at once (two samples of one run with the same seed,
     * others with other seeds, attention, explain, lens and head scores) answer byte for byte
     * what they answer one at a time: no request sees another's sampling state, KV cache,
     * activation cache or mode, and sharing the compute pool changes no bits.
     */
    @Test
    void concurrentRequestsForOneModelAnswerWhatTheyAnswerAlone() throws Exception {
        String p = q("the cat sat");
        List<String> paths = List.of(
                "/api/runs/tiny/sample?prompt=the&max_new_tokens=40&temperature=1&seed=1",
                "/api/runs/tiny/sample?prompt=the&max_new_tokens=40&temperature=1&seed=1",
                "/api/runs/tiny/sample?prompt=the&max_new_tokens=40&temperature=1.2&top_k=5&seed=2",
                "/api/runs/tiny/attention?prompt=" + p,
                "/api/runs/tiny/explain?prompt=" + p + "&layer=1&head=1",
                "/api/runs/tiny/lens?prompt=" + p,
                "/api/runs/tiny/heads?sequences=4&seed=5",
                "/api/runs/bytes/sample?prompt=" + q("caf\u00E9") + "&max_new_tokens=30&temperature=1.5&seed=3",
                "/api/runs/bytes/attention?prompt=" + p);
        List<String> alone = new ArrayList<>();
        for (String path : paths) alone.add(answer(path));
        assertEquals(alone.get(0), alone.get(1), "one seed, one sample");
        int clients = 4;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(clients);
            List<Future<List<String>>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int first = c * 2;   // each client starts elsewhere in the list, so different requests overlap
                fs.add(pool.submit(() -> {
                    start.await();
                    List<String> got = new ArrayList<>(java.util.Collections.nCopies(paths.size(), (String) null));
                    for (int i = 0; i < paths.size(); i++) {
                        int k = (first + i) % paths.size();
                        got.set(k, answer(paths.get(k)));
                    }
                    return got;
                }));
            }
            for (int c = 0; c < clients; c++) {
                List<String> got = fs.get(c).get();
                for (int i = 0; i < paths.size(); i++) assertEquals(alone.get(i), got.get(i), "client " + c + ": " + paths.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The body of a 200 answer (a sample's event stream, or JSON). */
    static String answer(String path) throws Exception {
        HttpResponse<String> r = get(path, path.contains("/sample?") ? "text/event-stream" : "*/*");
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        if (path.contains("/sample?")) assertTrue(r.body().contains("event: done"), path + " -> " + r.body());
        return r.body();
    }

    /** The answer to raw request bytes, sent to {@code port} of {@code address}: HTTP clients add a Host header of their own. */
    static String raw(String address, int port, String request) throws IOException {
        try (Socket s = new Socket(address, port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code method path HTTP/1.1} to the test server with {@code host} as its Host header (none when null) and more header lines. */
    static String raw(String method, String path, String host, String... headers) throws IOException {
        StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        if (host != null) r.append("Host: ").append(host).append("\r\n");
        for (String h : headers) r.append(h).append("\r\n");
        if (method.equals("POST")) r.append("Content-Length: 0\r\n");
        return raw("127.0.0.1", server.port(), r.append("Connection: close\r\n\r\n").toString());
    }

    static int status(String answer) {
        assertTrue(answer.startsWith("HTTP/1."), answer);
        return Integer.parseInt(answer.substring(9, 12));
    }

    /** Asserts the answer is the 403 of a foreign request: plain text, and nothing of the runs or the page. */
    static void refused(String what, String answer) {
        assertEquals(403, status(answer), what + " -> " + answer);
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/plain"), what + " -> " + answer);
        assertTrue(answer.contains("refused: "), what + " -> " + answer);
        assertFalse(answer.contains("\"tiny\"") || answer.contains("uPlot") || answer.contains("event: "), what + " -> " + answer);
    }

    /**
     * DNS rebinding: a web page whose own host name later resolves to 127.0.0.1 reaches the
     * dashboard with that name in the Host header. Only this machine's names are answered, on every
     * path (API, the event stream, the page's files, unknown paths) and method.
     */
    @Test
    void requestsForAnotherHostAreRefused() throws Exception {
        int port = server.port();
        for (String host : List.of("evil.example:" + port, "evil.example", "127.0.0.1.evil.example", "127.0.0.1.evil.example:" + port,
                "localhost.evil", "localhost.evil:" + port,
                "localhost.:" + port, "127.0.0.2:" + port, "0.0.0.0:" + port, "::1", "localhost:0" + port)) {
            for (String path : List.of("/api/runs", "/api/runs/tiny", "/", "/app.js", "/vendor/uplot.js", "/api/nothing")) {
                refused(host + " " + path, raw("GET", path, host));
            }
            refused(host + " sample", raw("GET", "/api/runs/tiny/sample?prompt=the&max_new_tokens=5", host, "Accept: text/event-stream"));
            refused(host + " POST", raw("POST", "/api/runs", host));
            assertEquals(403, status(raw("HEAD", "/api/runs", host)), host + " HEAD");
        }
        // Malformed Host headers: Jetty itself answers 400 to some, the dashboard 403 to the others.
        for (String host : List.of("", "localhost:", "localhost:x", "[::1", "a b", "localhost:70000", "127.0.0.1:0")) {
            String r = raw("GET", "/api/runs", host);
            assertTrue(status(r) == 400 || status(r) == 403, host + " -> " + r);
            assertFalse(r.contains("\"tiny\""), host + " -> " + r);
        }
        // Two Host headers, or an absolute URL naming another host: Jetty answers 400 before the dashboard sees them.
        for (String r : List.of(raw("GET", "/api/runs", "localhost:" + port, "Host: evil.example"),
                raw("GET", "http://localhost:" + port + "/api/runs", "evil.example:" + port),
                raw("GET", "http://evil.example:" + port + "/api/runs", "localhost:" + port))) {
            assertTrue(status(r) == 400 || status(r) == 403, r);
            assertFalse(r.contains("\"tiny\""), r);
        }
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        String local = "localhost:" + server.port();
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FROB")) {
            for (String path : List.of("/api/runs", "/api/runs/tiny", "/api/runs/tiny/sample", "/", "/app.js", "/api/nothing")) {
                String r = raw(method, path, local);
                assertEquals(405, status(r), method + " " + path + " -> " + r);
                assertTrue(r.contains("Allow: GET, HEAD") && r.contains("is not allowed: the dashboard only reads"),
                        method + " " + path + " -> " + r);
                assertFalse(r.contains("\"tiny\""), method + " " + path + " -> " + r);
            }
        }
        assertEquals(200, status(raw("HEAD", "/api/runs", local)));
        assertEquals(200, status(raw("GET", "/api/runs", local)));
    }

    @Test
    void thisMachinesNamesAreAnsweredWithOrWithoutThePortInAnyCase() throws Exception {
        int port = server.port();
        // Other ports too: a tunnel (ssh -L 16006:localhost:6006) brings the browser in on another local port.
        for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LOCALHOST:" + port, "LocalHost",
                "localhost", "127.0.0.1", "[::1]", "localhost:16006", "127.0.0.1:80", "[::1]:1")) {
            String r = raw("GET", "/api/runs", host);
            assertEquals(200, status(r), host + " -> " + r);
            assertTrue(r.contains("\"tiny\""), host + " -> " + r);
            assertEquals(200, status(raw("GET", "/", host)), host);
        }
        // The page's own requests, as a browser sends them: Origin (when sent) is the page's, Sec-Fetch-Site same-origin.
        String own = raw("GET", "/api/runs/tiny/sample?prompt=the&max_new_tokens=3&temperature=0", "127.0.0.1:" + port,
                "Accept: text/event-stream", "Origin: http://127.0.0.1:" + port, "Sec-Fetch-Site: same-origin");
        assertEquals(200, status(own), own);
        assertTrue(own.contains("event: done") || own.contains("event:done"), own);
        assertEquals(200, status(raw("GET", "/api/runs", "LOCALHOST:" + port, "Origin: http://localhost:" + port)));
        assertEquals(200, status(raw("GET", "/api/runs", "localhost:" + port, "Sec-Fetch-Site: none")), "an address typed in the browser");
    }

    /** Every browser and client sends Host; a request without one (HTTP/1.1, where it is required, or HTTP/1.0) is refused. */
    @Test
    void requestsWithoutAHostHeaderAreRefused() throws Exception {
        String http11 = raw("GET", "/api/runs", null);     // Jetty answers 400 ("No Host") before the dashboard sees it
        assertTrue(status(http11) == 400 || status(http11) == 403, http11);
        assertFalse(http11.contains("\"tiny\""), http11);
        String http10 = raw("127.0.0.1", server.port(), "GET /api/runs HTTP/1.0\r\n\r\n");
        refused("HTTP/1.0 without Host", http10);
        assertTrue(http10.contains("Host header is missing"), http10);
        // With a Host header, HTTP/1.0 is answered as usual.
        assertEquals(200, status(raw("127.0.0.1", server.port(), "GET /api/runs HTTP/1.0\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n")));
    }

    /**
     * A page of another site that asks the dashboard itself (no rebinding): browsers say where the
     * request comes from, with Origin (cross-origin fetch, EventSource, any POST) or Sec-Fetch-Site
     * (also on {@code <img src>}); such requests are refused, so another site cannot start samples or
     * other computations.
     */
    @Test
    void requestsFromOtherSitesPagesAreRefused() throws Exception {
        String local = "127.0.0.1:" + server.port();
        for (String origin : List.of("http://evil.example", "http://evil.example:" + server.port(), "null", "https://" + local,
                "http://localhost:" + server.port(), "http://" + local + ".evil.example", "http://127.0.0.1")) {
            refused(origin + " POST", raw("POST", "/api/runs", local, "Origin: " + origin));
            refused(origin + " sample", raw("GET", "/api/runs/tiny/sample?prompt=the&max_new_tokens=5", local,
                    "Accept: text/event-stream", "Origin: " + origin));
            refused(origin + " GET", raw("GET", "/api/runs", local, "Origin: " + origin));
        }
        for (String site : List.of("cross-site", "same-site")) {
            refused(site, raw("GET", "/api/runs/tiny/heads?sequences=1", local, "Sec-Fetch-Site: " + site, "Sec-Fetch-Dest: image"));
            refused(site + " sample", raw("GET", "/api/runs/tiny/sample?prompt=the", local, "Sec-Fetch-Site: " + site,
                    "Accept: text/event-stream"));
        }
        // A link from another site to the page itself opens it.
        assertEquals(200, status(raw("GET", "/", local, "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate")));
        // The same through java.net.http, which lets a test set Origin (not Host).
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + local + "/api/runs"))
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, post.statusCode(), post.body());
    }

    @Test
    void hostNamesParse() {
        Set<String> names = Set.of("localhost", "127.0.0.1", "[::1]");
        assertTrue(DashboardServer.isLocalHost("[::1]:6006", names));
        assertTrue(DashboardServer.isLocalHost("[::1]", names));
        assertTrue(DashboardServer.isLocalHost("LOCALHOST:6006", names));
        assertTrue(DashboardServer.isLocalHost("[::1]:6007", names));
        assertTrue(DashboardServer.isLocalHost("localhost:65535", names));
        assertFalse(DashboardServer.isLocalHost("localhost:65536", names));
        assertFalse(DashboardServer.isLocalHost("localhost:06006", names));
        assertFalse(DashboardServer.isLocalHost("localhost:0", names));
        assertFalse(DashboardServer.isLocalHost("::1", names));
        assertFalse(DashboardServer.isLocalHost("localhost:6006:6006", names));
        assertFalse(DashboardServer.isLocalHost("[::1]:", names));
        assertFalse(DashboardServer.isLocalHost(null, names));
        assertFalse(DashboardServer.isLocalHost("", names));
    }

    /** Options without a suggested command (null, as a library caller may pass) list the runs all the same. */
    @Test
    void noSuggestedCommandGivesTheDefault() throws Exception {
        try (DashboardServer s = DashboardServer.start(new DashboardServer.Options(runs, "127.0.0.1", 0, 16, null))) {
            String r = raw("127.0.0.1", s.port(), "GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:" + s.port() + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, status(r), r);
            assertTrue(r.contains("\"train_command\":\"vecgrad train --out " + runs.resolve("first") + "\""), r);
        }
    }

    /** Bound to --host localhost, the address the dashboard prints is answered, and others are still refused. */
    @Test
    void boundToLocalhostByName() throws Exception {
        try (DashboardServer s = DashboardServer.start(new DashboardServer.Options(runs, "localhost", 0, 16))) {
            assertEquals("http://localhost:" + s.port() + "/", s.url());
            String address = InetAddress.getByName("localhost").getHostAddress();
            assertEquals(200, status(raw(address, s.port(), "GET /api/runs HTTP/1.1\r\nHost: localhost:" + s.port()
                    + "\r\nConnection: close\r\n\r\n")));
            refused("evil", raw(address, s.port(), "GET /api/runs HTTP/1.1\r\nHost: evil.example:" + s.port()
                    + "\r\nConnection: close\r\n\r\n"));
        }
    }

    /**
     * Bound with --host to an address other machines reach, the names it is reached by are not
     * known: any Host is answered (the command warns about such a bind); other sites' pages are
     * still refused.
     */
    @Test
    void boundToAnotherAddressAnyHostIsAnswered() throws Exception {
        String address = null;
        for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
            if (!nif.isUp() || nif.isLoopback()) continue;
            for (InetAddress a : nif.inetAddresses().toList()) if (a instanceof Inet4Address && address == null) address = a.getHostAddress();
        }
        Assumptions.assumeTrue(address != null, "this machine has no IPv4 address besides loopback");
        try (DashboardServer s = DashboardServer.start(new DashboardServer.Options(runs, address, 0, 16))) {
            String r = raw(address, s.port(), "GET /api/runs HTTP/1.1\r\nHost: my-workstation.lan:" + s.port() + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, status(r), r);
            assertTrue(r.contains("\"tiny\""), r);
            refused("evil origin", raw(address, s.port(), "POST /api/runs HTTP/1.1\r\nHost: my-workstation.lan:" + s.port()
                    + "\r\nOrigin: http://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        }
    }
}
