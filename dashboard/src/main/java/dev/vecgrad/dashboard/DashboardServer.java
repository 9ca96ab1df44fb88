package dev.vecgrad.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.TextStream;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.inspect.AttentionMaps;
import dev.vecgrad.train.inspect.Explainer;
import dev.vecgrad.train.inspect.HeadScores;
import dev.vecgrad.train.inspect.LogitLens;
import dev.vecgrad.train.inspect.ProbeData;
import dev.vecgrad.train.sample.Generator;
import dev.vecgrad.train.sample.TokenPicker;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.http.sse.SseClient;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The dashboard: a local web server over a directory of run directories. It serves one page (runs,
 * a run's curves, a model's insides) and the JSON API under {@code /api/} that the page uses.
 * Every number it shows comes from the library code the command line uses: run directories and
 * metrics from {@code dev.vecgrad.train.run}, attention and the explain walk-through from
 * {@link AttentionMaps} and {@link Explainer}, samples from {@link Generator}.
 *
 * <p>It only reads: run names from requests are resolved by {@link RunStore}, which refuses
 * anything outside the runs directory; prompts, token counts and request sizes are bounded; loaded
 * models are kept in a {@link ModelCache} with a memory budget.
 *
 * <p>Web pages of other sites are refused, before any handler: on a loopback address every
 * request must name this machine in its {@code Host} header (against DNS rebinding), and on any
 * address a request from a browser must come from the dashboard's own page ({@code Origin},
 * {@code Sec-Fetch-Site}).
 */
public final class DashboardServer implements AutoCloseable {
    /** Longest prompt accepted, in characters. */
    public static final int MAX_PROMPT_CHARS = 1000;
    /** Most tokens one sample request may generate. */
    public static final int MAX_NEW_TOKENS = 2000;
    /** Most attention weights one request may return (layers x heads x tokens x tokens). */
    public static final long MAX_ATTENTION_CELLS = 1_000_000;
    /** Largest request body or header block accepted, in bytes. */
    static final int MAX_REQUEST_BYTES = 16 << 10;

    /**
     * The page's directory as a class-loader resource name. No leading slash: Jetty first tries
     * {@code Resource.class.getResource(name)}, which from Jetty's own named module looks only inside
     * that module, then the context class loader, which accepts only names without one.
     */
    private static final String WEB = "dev/vecgrad/dashboard/web";
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /**
     * How to start a dashboard.
     *
     * @param runs           the directory of run directories
     * @param host           the address to bind (127.0.0.1 keeps it to this machine)
     * @param port           the port, 0 for any free one
     * @param modelMemoryMb  the budget for loaded models
     * @param trainCommand   the command the page suggests while {@code runs} holds no run (the
     *                       command line writes it the way vecgrad was started); null for
     *                       {@code vecgrad train --out RUNS/first}
     */
    public record Options(Path runs, String host, int port, long modelMemoryMb, String trainCommand) {
        /** Fills in the default suggestion: /api/runs answers it, and a JSON map cannot hold a null. */
        public Options {
            if (trainCommand == null) trainCommand = "vecgrad train --out " + runs.resolve("first");
        }

        /**
         * Options whose suggested command is {@code vecgrad train --out RUNS/first}.
         *
         * @param runs           the directory of run directories
         * @param host           the address to bind (127.0.0.1 keeps it to this machine)
         * @param port           the port, 0 for any free one
         * @param modelMemoryMb  the budget for loaded models
         */
        public Options(Path runs, String host, int port, long modelMemoryMb) {
            this(runs, host, port, modelMemoryMb, null);
        }

        /**
         * Defaults: 127.0.0.1, port 6006, 1024 MB of models.
         *
         * @param runs the directory of run directories
         * @return the options
         */
        public static Options defaults(Path runs) {
            return new Options(runs, "127.0.0.1", 6006, 1024);
        }
    }

    /** A request the API refuses, with its HTTP status and a message for the person who sent it. */
    static final class ApiException extends RuntimeException {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final RunStore store;
    private final ModelCache models;
    private final Javalin app;
    private final String host;
    /** What the page suggests running while there is no run ({@link Options#trainCommand()}). */
    private final String trainCommand;
    /**
     * The names a {@code Host} header may give (lower case, without a port) when the dashboard is
     * bound to a loopback address; null when it is bound elsewhere, where the names the machine is
     * reached by are not known and any is accepted.
     */
    private final Set<String> localNames;

    private DashboardServer(Options o) throws IOException {
        this.store = new RunStore(o.runs());
        this.models = new ModelCache(o.modelMemoryMb() << 20);
        this.host = o.host();
        this.trainCommand = o.trainCommand();
        // The bound address itself too, so that the address url() prints always works (--host localhost, ::1, 127.0.0.2).
        this.localNames = isLoopback(o.host())
                ? Set.copyOf(List.of("localhost", "127.0.0.1", "[::1]", literal(o.host()).toLowerCase(Locale.ROOT))) : null;
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = MAX_REQUEST_BYTES;
            cfg.jsonMapper(new JavalinJackson(JSON, false));
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = WEB;
                sf.location = Location.CLASSPATH;
                sf.headers = Map.of("Cache-Control", "no-cache");
            });
            cfg.jetty.modifyHttpConfiguration(hc -> {
                // Jetty would answer an encoded slash or dot segment with its own 400 page; let such a
                // path reach the API, which refuses any run name that is not a plain child directory.
                hc.setUriCompliance(UriCompliance.from(java.util.EnumSet.of(UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                        UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING)));
                hc.setRequestHeaderSize(MAX_REQUEST_BYTES);
                hc.setSendServerVersion(false);
            });
        });
        routes();
    }

    /**
     * Starts a dashboard; see {@link #url()} for where.
     *
     * @throws java.net.BindException when the port is taken or the host is not this machine's
     */
    public static DashboardServer start(Options o) throws IOException {
        DashboardServer s = new DashboardServer(o);
        try {
            s.app.start(o.host(), o.port());
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            if (root instanceof java.net.BindException) {
                // No flag named here: the front end knows what its option for the port is called.
                var busy = new java.net.BindException("cannot listen on " + o.host() + ":" + o.port() + ": port " + o.port()
                        + " is in use or the address is not this machine's");
                busy.initCause(e);
                throw busy;
            }
            throw new IOException("cannot start the dashboard on " + o.host() + ":" + o.port() + ": " + rootMessage(e), e);
        }
        return s;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage();
    }

    /** The port it listens on. */
    public int port() {
        return app.port();
    }

    /** The page's address. */
    public String url() {
        String h = literal(host);
        if (h.equals("0.0.0.0") || h.equals("[::]")) h = "127.0.0.1";
        return "http://" + h + ":" + port() + "/";
    }

    /** A host as it is written in a URL or a {@code Host} header: an IPv6 address in brackets. */
    private static String literal(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * Whether {@code host} is a loopback address (only this machine can connect): such a dashboard
     * checks each request's {@code Host} header, and the command warns when it is bound elsewhere.
     */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        app.stop();
    }

    private void routes() {
        app.before(ctx -> {
            // The page loads nothing from elsewhere; this also keeps any script injected through
            // a run's file names or tokens from running.
            ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'");
            ctx.header("X-Content-Type-Options", "nosniff");
            checkSource(ctx);
            // Every page, file and API answer is read with GET: the dashboard changes nothing on disk.
            String method = ctx.req().getMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ctx.header("Allow", "GET, HEAD");
                throw new ApiException(405, shorten(method) + " is not allowed: the dashboard only reads (GET, HEAD)");
            }
            if (ctx.queryString() != null && ctx.queryString().length() > MAX_REQUEST_BYTES) {
                throw new ApiException(414, "the query is longer than " + MAX_REQUEST_BYTES + " bytes");
            }
        });
        app.get("/vendor/uplot.js", ctx -> vendor(ctx, "dist/uPlot.iife.min.js", "text/javascript"));
        app.get("/vendor/uplot.css", ctx -> vendor(ctx, "dist/uPlot.min.css", "text/css"));
        app.get("/api/runs", ctx -> ctx.json(Map.of("root", store.root().getFileName() == null ? "" : store.root().getFileName().toString(),
                "runs", store.list(), "train_command", trainCommand)));
        app.get("/api/runs/{run}", ctx -> ctx.json(store.summary(ctx.pathParam("run"), run(ctx))));
        app.get("/api/runs/{run}/config", this::config);
        app.get("/api/runs/{run}/metrics", this::metrics);
        app.get("/api/runs/{run}/attention", this::attention);
        app.get("/api/runs/{run}/explain", this::explain);
        app.get("/api/runs/{run}/lens", this::lens);
        app.get("/api/runs/{run}/heads", this::heads);
        app.before("/api/runs/{run}/sample", this::checkSample);
        app.sse("/api/runs/{run}/sample", this::sample);
        app.exception(ForeignRequest.class, (e, ctx) -> ctx.status(403).contentType("text/plain; charset=utf-8").result(e.getMessage() + "\n"));
        app.exception(ApiException.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        app.exception(ModelCache.TooLargeException.class, (e, ctx) -> error(ctx, 413, e.getMessage()));
        app.exception(CheckpointFormatException.class, (e, ctx) -> error(ctx, 422, e.getMessage()));
        app.exception(NoSuchFileException.class, (e, ctx) -> error(ctx, 404, e.getReason() != null ? e.getReason() : "no such file"));
        app.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal error: " + e));
        app.error(404, ctx -> {
            String type = ctx.res().getContentType();
            if (type == null || !type.startsWith("application/json")) error(ctx, 404, "no such page: " + shorten(ctx.path()));
        });
    }

    /** A request refused by {@link #checkSource}: answered 403 with a line of plain text, not the API's JSON. */
    private static final class ForeignRequest extends RuntimeException {
        ForeignRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Refuses a request that a web page of another site could have made, before any handler (the
     * page's files, the API, the sample's event stream: Javalin runs this "before" handler for every
     * HTTP request, matched or not; the dashboard has no WebSocket endpoint).
     *
     * <ul>
     *   <li>Bound to a loopback address, the {@code Host} header must be {@code localhost},
     *       {@code 127.0.0.1}, {@code [::1]} or the bound address, with any port or none (a tunnel
     *       forwards another local port; see {@link #isLocalHost}).
     *       Without this check, DNS rebinding (a page's own host name re-resolved to 127.0.0.1)
     *       would let any web page read the runs and use the API as if it were the dashboard's own
     *       page. A request without a {@code Host} header (HTTP/1.0) is refused too: every browser
     *       and HTTP client sends one, and a single rule is easier to trust than an exception.</li>
     *   <li>On any address, an {@code Origin} header (sent by browsers with cross-origin requests,
     *       such as another site's {@code EventSource} starting a sample) must be the dashboard's own
     *       origin, {@code http://} and the {@code Host} header; and an API request whose
     *       {@code Sec-Fetch-Site} says another site sent it is refused, which also covers requests
     *       browsers send without {@code Origin} ({@code <img src>}, {@code <script src>}) that
     *       would make the server compute attention or head scores for nobody.</li>
     * </ul>
     *
     * <p>403, not 421 Misdirected Request: 421 tells a client to retry on another connection
     * (RFC 9110 section 15.5.20), while this refusal is final for whoever sent it, whatever the
     * connection. Tools without these headers (curl, scripts) are unaffected.
     */
    private void checkSource(Context ctx) {
        String hostHeader = ctx.header("Host");
        if (localNames != null && !isLocalHost(hostHeader, localNames)) {
            throw new ForeignRequest("refused: the dashboard listens on " + host + " and answers only requests for localhost,"
                    + " 127.0.0.1 or [::1] (this one's Host header is " + (hostHeader == null ? "missing" : "\"" + shorten(hostHeader) + "\"")
                    + "); open " + url());
        }
        String origin = ctx.header("Origin");
        if (origin != null && (hostHeader == null || !origin.equalsIgnoreCase("http://" + hostHeader))) {
            throw new ForeignRequest("refused: a request from the web page of another site (Origin " + shorten(origin) + ")");
        }
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && ctx.path().startsWith("/api/") && !site.equals("same-origin") && !site.equals("none")) {
            throw new ForeignRequest("refused: an API request from the web page of another site (Sec-Fetch-Site: " + shorten(site) + ")");
        }
    }

    /**
     * Whether a {@code Host} header names one of {@code names} (lower case), case-insensitively,
     * with no port or any port from 1 to 65535 written plainly. Any port, not only the bound one: a
     * tunnel (ssh -L 16006:localhost:6006, an IDE's port forwarding) brings the browser in on
     * another local port, and the port says nothing about rebinding, which the name gives away.
     */
    static boolean isLocalHost(String hostHeader, Set<String> names) {
        if (hostHeader == null) return false;
        String h = hostHeader.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) {     // a port follows (the colons of "[::1]" are inside the brackets)
            String p = h.substring(colon + 1);
            if (!p.matches("[1-9][0-9]{0,4}") || Integer.parseInt(p) > 65535) return false;
            h = h.substring(0, colon);
        }
        return names.contains(h);
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message, "status", status));
    }

    /** The run directory named in the path, or 404 (also for every name that tries to leave the runs directory). */
    private Path run(Context ctx) {
        String name = ctx.pathParam("run");
        return store.resolve(name).filter(RunStore::looksLikeRun)
                .orElseThrow(() -> new ApiException(404, "no run named \"" + shorten(name) + "\""));
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private void vendor(Context ctx, String file, String type) throws IOException {
        // Through the class loader, not Class.getResourceAsStream: on the module path the latter looks
        // only inside this module, and the WebJar is a module of its own.
        ClassLoader loader = DashboardServer.class.getClassLoader();
        String version;
        try (InputStream in = loader.getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) throw new ApiException(500, "the uPlot WebJar is missing from the class path");
            Properties p = new Properties();
            p.load(in);
            version = p.getProperty("version");
        }
        InputStream in = loader.getResourceAsStream("META-INF/resources/webjars/uplot/" + version + "/" + file);
        if (in == null) throw new ApiException(500, "the uPlot WebJar has no " + file);
        ctx.contentType(type).header("Cache-Control", "max-age=86400").result(in);
    }

    private void config(Context ctx) throws IOException {
        RunStore.SavedState s = store.savedState(run(ctx));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("step", s.step());
        out.put("config", s.config().fields());
        out.put("data", s.data());
        out.put("vocab_size", s.tokenizer().get("vocab_size"));
        ctx.json(out);
    }

    private void metrics(Context ctx) throws IOException {
        Path dir = run(ctx);
        int from = intParam(ctx, "from", 0, 0, Integer.MAX_VALUE);
        RunStore.Tail.View v = store.metrics(dir, from);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", v.from());
        out.put("next", v.total());
        out.put("skipped_lines", v.skipped());
        out.put("metrics", v.lines());
        ctx.json(out);
    }

    /** A prompt with its tokens, checked against the model's tokenizer and block size. */
    private record Prompt(String text, int[] ids, List<String> pieces) {}

    private static Prompt prompt(Context ctx, ModelCheckpoint.Loaded m, boolean fitBlock) {
        String text = ctx.queryParam("prompt");
        if (text == null || text.isEmpty()) throw new ApiException(400, "prompt: required, at least one character");
        if (text.length() > MAX_PROMPT_CHARS) {
            throw new ApiException(400, "prompt: " + text.length() + " characters, at most " + MAX_PROMPT_CHARS);
        }
        Tokenizer tok = m.tokenizer();
        if (tok == null) throw new ApiException(422, m.file().getFileName() + " has no tokenizer; the dashboard needs a model trained by vecgrad");
        int[] ids;
        try {
            ids = tok.encode(text);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "prompt: " + e.getMessage());
        }
        int block = m.model().config().blockSize();
        if (fitBlock && ids.length > block) {
            throw new ApiException(400, "prompt: " + ids.length + " tokens but the model's block size is " + block);
        }
        List<String> pieces = new ArrayList<>(ids.length);
        for (int id : ids) pieces.add(tok.piece(id));
        return new Prompt(text, ids, pieces);
    }

    private Path modelFile(Path dir) {
        return store.file(dir, ModelCheckpoint.FILE).orElseThrow(() -> new ApiException(404, "the run has no "
                + ModelCheckpoint.FILE + " yet (it is written at the first evaluation)"));
    }

    private void attention(Context ctx) throws Exception {
        Path file = modelFile(run(ctx));
        String format = ctx.queryParamAsClass("format", String.class).getOrDefault("json");
        if (!format.equals("json") && !format.equals("csv")) throw new ApiException(400, "format: json or csv, got \"" + shorten(format) + "\"");
        models.use(file, m -> {
            Prompt p = prompt(ctx, m, true);
            GPT model = m.model();
            int nl = model.config().nLayer(), nh = model.config().nHead(), t = p.ids().length;
            Integer layer = optInt(ctx, "layer", 0, nl - 1), head = optInt(ctx, "head", 0, nh - 1);
            int[] layers = layer != null ? new int[] {layer} : range(nl);
            int[] heads = head != null ? new int[] {head} : range(nh);
            long cells = (long) layers.length * heads.length * t * t;
            if (cells > MAX_ATTENTION_CELLS) {
                throw new ApiException(413, "prompt: " + t + " tokens make " + cells + " attention weights over " + layers.length
                        + " layer(s) and " + heads.length + " head(s), at most " + MAX_ATTENTION_CELLS
                        + "; shorten the prompt or pick a layer and a head");
            }
            float[][][][] w = AttentionMaps.capture(model, p.ids(), layers, heads);
            if (format.equals("csv")) {
                ctx.contentType("text/csv; charset=utf-8").result(AttentionMaps.csv(w, layers, heads, p.pieces()));
                return null;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tokens", p.pieces());
            out.put("ids", p.ids());
            out.put("layers", layers);
            out.put("heads", heads);
            out.put("weights", w);
            ctx.json(out);
            return null;
        });
    }

    /** {@code vecgrad explain --json}'s content for one token, layer and head. */
    private void explain(Context ctx) throws Exception {
        Path file = modelFile(run(ctx));
        models.use(file, m -> {
            Prompt p = prompt(ctx, m, true);
            GPT model = m.model();
            int t = p.ids().length;
            Integer token = optInt(ctx, "token", 0, t - 1);
            int layer = intParam(ctx, "layer", 0, 0, model.config().nLayer() - 1);
            int head = intParam(ctx, "head", 0, 0, model.config().nHead() - 1);
            ctx.json(Explainer.explain(model, m.tokenizer(), p.text(), token != null ? token : t - 1, layer, head));
            return null;
        });
    }

    /** {@code vecgrad lens --json}: each residual stream read through the final LayerNorm and lm_head. */
    private void lens(Context ctx) throws Exception {
        Path file = modelFile(run(ctx));
        models.use(file, m -> {
            Prompt p = prompt(ctx, m, true);
            int k = intParam(ctx, "top_k", 3, 1, 20);
            ctx.json(LogitLens.compute(m.model(), p.ids(), k, m.tokenizer()::piece).toMap());
            return null;
        });
    }

    /**
     * {@code vecgrad heads --json} for a run directory with its defaults: the run's own validation
     * data for the previous-token, first-token and ablation scores, random repeated segments for
     * induction. Costs a forward pass per head (the ablations), so sequences are bounded.
     */
    private void heads(Context ctx) throws Exception {
        Path dir = run(ctx), file = modelFile(dir);
        int sequences = intParam(ctx, "sequences", 16, 1, 64);
        long seed = longParam(ctx, "seed", 1234L, Long.MIN_VALUE, Long.MAX_VALUE);
        models.use(file, m -> {
            GPT model = m.model();
            ProbeData held = ProbeData.fromRun(dir, sequences, seed);
            int length = Math.min(model.config().blockSize(), 128);
            HeadScores.Report r = HeadScores.compute(model, held.batch(), HeadScores.probe(model.config().vocabSize(), sequences,
                    length, seed + 1));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("held_out", held.description());
            out.putAll(r.toMap());
            ctx.json(out);
            return null;
        });
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** The sample request, checked before the event stream opens so that a bad one gets a plain 4xx answer. */
    private record SampleRequest(Path model, String prompt, int maxNewTokens, float temperature, int topK, long seed) {}

    private void checkSample(Context ctx) {
        if (!ctx.method().name().equals("GET")) return;
        Path file = modelFile(run(ctx));
        String prompt = ctx.queryParam("prompt");
        if (prompt == null || prompt.isEmpty()) throw new ApiException(400, "prompt: required, at least one character");
        if (prompt.length() > MAX_PROMPT_CHARS) throw new ApiException(400, "prompt: " + prompt.length() + " characters, at most " + MAX_PROMPT_CHARS);
        int n = intParam(ctx, "max_new_tokens", 200, 0, MAX_NEW_TOKENS);
        float temperature = floatParam(ctx, "temperature", 0.8f, 0f, 100f);
        int topK = intParam(ctx, "top_k", 200, 0, Integer.MAX_VALUE);
        long seed = longParam(ctx, "seed", 1337L, Long.MIN_VALUE, Long.MAX_VALUE);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            // Javalin streams events only to clients that ask for them (EventSource does).
            throw new ApiException(406, "the sample is a stream of server-sent events: send Accept: text/event-stream");
        }
        ctx.attribute("sample", new SampleRequest(file, prompt, n, temperature, topK, seed));
    }

    /**
     * Streams a sample as server-sent events: {@code prompt} (the prompt's tokens), one {@code token}
     * per generated token ({@code {"id":..,"piece":".."}}), then {@code done}; an {@code error} event
     * when it fails after the stream opened. A client that goes away stops the generation.
     */
    private void sample(SseClient client) {
        SampleRequest r = client.ctx().attribute("sample");
        try {
            models.use(r.model(), m -> {
                Tokenizer tok = m.tokenizer();
                if (tok == null) throw new ApiException(422, "the model has no tokenizer");
                int[] ids;
                try {
                    ids = tok.encode(r.prompt());
                } catch (IllegalArgumentException e) {
                    throw new ApiException(400, "prompt: " + e.getMessage());
                }
                client.sendEvent("prompt", JSON.writeValueAsString(Map.of("text", tok.decode(ids))));
                TokenPicker picker = new TokenPicker(r.temperature(), r.topK(), new SplittableRandom(r.seed()));
                // A byte-level token can end inside a character: "text" carries only whole
                // characters (the CLI's sample streams the same way), "piece" shows the token itself.
                TextStream stream = new TextStream(tok);
                Generator.generate(m.model(), ids, r.maxNewTokens(), picker, id -> {
                    if (client.terminated()) throw new ClientGone();
                    try {
                        client.sendEvent("token", JSON.writeValueAsString(Map.of("id", id, "piece", tok.piece(id),
                                "text", stream.push(id))));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                client.sendEvent("done", JSON.writeValueAsString(Map.of("text", stream.finish())));
                return null;
            });
        } catch (ClientGone e) {
            // nobody is listening any more
        } catch (Exception e) {
            String msg = e instanceof ApiException || e instanceof ModelCache.TooLargeException || e instanceof IOException
                    ? e.getMessage() : "internal error: " + e;
            try {
                client.sendEvent("error", JSON.writeValueAsString(Map.of("error", msg)));
            } catch (IOException ignored) {
                // the stream is gone too
            }
        }
    }

    private static final class ClientGone extends RuntimeException {
        ClientGone() {
            super(null, null, false, false);
        }
    }

    private static int intParam(Context ctx, String name, int dflt, int min, int max) {
        return (int) longParam(ctx, name, dflt, min, max);
    }

    /**
     * A query parameter that must be an integer in {@code min..max}; anything else is the API's 400
     * (not Javalin's validator, whose answer is not the API's {@code {"error": ..}} form).
     */
    private static long longParam(Context ctx, String name, long dflt, long min, long max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) return dflt;
        try {
            long x = Long.parseLong(v);
            if (x < min || x > max) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            String range = min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "a 64-bit integer" : "an integer " + min + ".." + max;
            throw new ApiException(400, name + ": " + range + ", got \"" + shorten(v) + "\"");
        }
    }

    private static Integer optInt(Context ctx, String name, int min, int max) {
        String v = ctx.queryParam(name);
        return v == null || v.isEmpty() ? null : intParam(ctx, name, 0, min, max);
    }

    private static float floatParam(Context ctx, String name, float dflt, float min, float max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) return dflt;
        try {
            float x = Float.parseFloat(v);
            if (!(x >= min && x <= max)) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new ApiException(400, name + ": a number " + min + ".." + max + ", got \"" + shorten(v) + "\"");
        }
    }
}
