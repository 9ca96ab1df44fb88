package dev.vecgrad.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.inspect.AttentionMaps;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: Debian's headless Chromium driven by Selenium through Debian's
 * chromedriver (both named explicitly, so Selenium never tries to download either). One server
 * and one browser for the class. Every test ends by checking that the browser's console holds no
 * errors, and leaves a screenshot under {@code target/screenshots/}.
 */
class DashboardBrowserTest {
    static final String CHROMIUM = System.getProperty("vecgrad.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("vecgrad.chromedriver", "/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir static Path tmp;
    static Path runs;
    static DashboardServer server, realistic;
    static ChromeDriver browser;
    static String base, realisticBase;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "); .ci/run installs them: apt-get install chromium chromium-driver");
        runs = Files.createDirectories(tmp.resolve("runs"));
        TestRuns.train(runs, "tiny", 8);
        TestRuns.train(runs, "watched", 4);
        Path broken = Files.createDirectories(runs.resolve("broken"));
        Files.writeString(broken.resolve("state.json"), "{not json");
        server = DashboardServer.start(new DashboardServer.Options(runs, "127.0.0.1", 0, 256));
        base = "http://127.0.0.1:" + server.port() + "/";
        realistic = DashboardServer.start(new DashboardServer.Options(realisticRuns(), "127.0.0.1", 0, 256));
        realisticBase = "http://127.0.0.1:" + realistic.port() + "/";

        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000",
                // What DNS rebinding achieves: a name of another site that resolves to this machine.
                "--host-resolver-rules=MAP evil.example 127.0.0.1",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(service, o);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
        if (realistic != null) realistic.close();
    }

    /**
     * Runs as wide in the runs table as a user's: under train's default names (a time stamp and
     * the data file's name), 5,000 steps of a ten-million-parameter model on Shakespeare (copies
     * of tiny whose status and state say so, with the task lines of a character-level and a BPE
     * run); and a real BPE run, bytes, to compare with a character-level one.
     */
    static Path realisticRuns() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("realistic"));
        ObjectMapper json = new ObjectMapper();
        String[][] copies = {{"20261207-040359-tinyshakespeare", "tinyshakespeare.txt: 1,115,394 characters, 65 distinct"},
            {"20261207-051210-tinyshakespeare", "tinyshakespeare.txt: 1,115,394 bytes, 370,284 tokens (3.01 bytes a token)"}};
        for (String[] r : copies) {
            Path to = Files.createDirectories(dir.resolve(r[0]));
            try (var files = Files.list(runs.resolve("tiny"))) {
                for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
            }
            ObjectNode status = (ObjectNode) json.readTree(to.resolve("status.json").toFile());
            status.put("step", 5000).put("max_iters", 5000).put("parameters", 10_788_929).put("task", r[1]);
            json.writeValue(to.resolve("status.json").toFile(), status);
            ObjectNode state = (ObjectNode) json.readTree(to.resolve("state.json").toFile());
            ((ObjectNode) state.get("config")).put("maxIters", 5000);
            json.writeValue(to.resolve("state.json").toFile(), state);
        }
        TestRuns.trainBytes(dir, "bytes", 4);
        return dir;
    }

    @AfterEach
    void noConsoleErrors(TestInfo info) throws IOException {
        if (browser == null) return;
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SHOTS.resolve(info.getTestMethod().orElseThrow().getName() + ".png"), StandardCopyOption.REPLACE_EXISTING);
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(e.getMessage());
        }
        assertTrue(errors.isEmpty(), "browser console errors: " + errors);
    }

    /** Waits until the page has replaced {@code element} (the runs list redraws its table on refresh). */
    static void waitUntilReplaced(WebElement element) {
        waitUpTo(10).until(d -> {
            try {
                element.getTagName();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return true;
            }
        });
    }

    static WebDriverWait waitUpTo(int seconds) {
        WebDriverWait w = new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(50));
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);   // a chart is redrawn when data arrive
        return w;
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Pixels of a canvas that are not transparent (uPlot draws on a transparent canvas). */
    static long paintedPixels(WebElement canvas) {
        return ((Number) js("const c = arguments[0], d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;", canvas)).longValue();
    }

    /**
     * The canvas of a chart once the chart fits its box: a chart is drawn at its box's width, then
     * fitted again when the page's scroll bar (which comes with the charts) narrows the box.
     */
    static WebElement fittedCanvas(String chartId) {
        return waitUpTo(10).until(d -> (WebElement) js("const b = document.getElementById(arguments[0]), u = b && b.querySelector('.uplot');"
                + "return u && Math.round(u.getBoundingClientRect().width) === b.clientWidth - 16 ? u.querySelector('canvas') : null;", chartId));
    }

    static String canvasFingerprint(WebElement canvas) {
        return (String) js("return arguments[0].toDataURL();", canvas);
    }

    @Test
    void runsPageListsTheRuns() {
        browser.get(base + "#/");
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("tr.run-row")).size() == 3);
        Map<String, String> states = new HashMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("tr.run-row"))) {
            states.put(row.getAttribute("data-run"), row.findElement(By.cssSelector(".badge")).getText());
        }
        assertEquals(Map.of("tiny", "finished", "watched", "finished", "broken", "stopped"), states);
        // No run trains, so the header does not say "live".
        assertEquals("● idle", browser.findElement(By.id("live")).getText());
        WebElement broken = browser.findElement(By.cssSelector("tr.run-row[data-run=broken]"));
        assertTrue(broken.getText().contains("broken"), broken.getText());
        WebElement tiny = browser.findElement(By.cssSelector("tr.run-row[data-run=tiny]"));
        assertTrue(tiny.getText().contains("8 / 8"), tiny.getText());
        for (WebElement box : browser.findElements(By.cssSelector("tr.run-row input[type=checkbox]"))) {
            assertTrue(box.getAttribute("aria-label").startsWith("compare "), "a checkbox without a name for screen readers");
        }
    }

    /**
     * The runs list is rebuilt every two seconds; a keyboard user's focus (on a run's checkbox)
     * stays on that checkbox rather than falling to the page's start with the old table.
     */
    @Test
    void theRunsListKeepsTheKeyboardsFocusWhenItRefreshes() {
        browser.get(base + "#/");
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("tr.run-row")).size() == 3);
        WebElement box = browser.findElement(By.cssSelector("tr.run-row[data-run=watched] input"));
        box.sendKeys(" ");   // ticked from the keyboard, which leaves the focus on it
        WebElement table = browser.findElement(By.cssSelector("#runs table"));
        waitUntilReplaced(table);
        assertEquals("watched checkbox true", js("const f = document.activeElement, r = f.closest('tr.run-row');"
                + "return (r ? r.dataset.run : f.tagName) + ' ' + f.type + ' ' + f.checked;"));
    }

    @Test
    void runPageDrawsItsLossChart() {
        browser.get(base + "#/run/tiny");
        // Painted pixels compare only at one width: wait for the chart to fit its box (the scroll bar narrows it).
        long painted = paintedPixels(fittedCanvas("chart-loss"));
        assertTrue(painted > 1000, "painted pixels: " + painted);
        assertTrue(browser.findElements(By.cssSelector("#chart-lr canvas")).size() == 1, "a learning-rate chart");
        assertTrue(browser.findElements(By.cssSelector("#chart-grad canvas")).size() == 1, "a gradient-norm chart");
        // Two runs ticked on the runs page: their curves overlaid on one chart.
        browser.get(base + "#/");
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("tr.run-row")).size() == 3);
        browser.findElement(By.cssSelector("tr.run-row[data-run=tiny] input")).click();
        browser.findElement(By.cssSelector("tr.run-row[data-run=watched] input")).click();
        browser.findElement(By.id("compare")).click();
        WebElement legend = waitUpTo(10).until(d -> d.findElement(By.cssSelector("#chart-loss .u-legend")));
        assertTrue(legend.getText().contains("tiny val") && legend.getText().contains("watched val"), legend.getText());
        assertTrue(paintedPixels(fittedCanvas("chart-loss")) > painted, "two runs paint more");
    }

    /** Each chart's y axis says what it measures, and in what unit where there is one (uPlot draws the label on the canvas). */
    @Test
    void everyChartsYAxisHasALabel() {
        browser.get(base + "#/run/tiny");
        fittedCanvas("chart-loss");
        assertEquals("chart-loss step | loss (nats), chart-lr step | learning rate, chart-grad step | gradient norm, chart-tps step | tokens/s",
                js("return charts.map(u => u.root.parentNode.id + ' ' + u.axes.map(a => a.label).join(' | ')).join(', ');"));
        // The label takes room at the axis's side: the plot starts further right than with the ticks alone (60 pixels).
        long left = ((Number) js("return charts[0].bbox.left / devicePixelRatio;")).longValue();
        assertTrue(left >= 60 + 20, "the plot starts " + left + " pixels into the chart");
    }

    @Test
    void appendingAMetricsLineUpdatesTheChart() throws IOException {
        browser.get(base + "#/run/watched");
        WebElement canvas = waitUpTo(10).until(d -> d.findElement(By.cssSelector("#chart-loss canvas")));
        waitUpTo(5).until(d -> d.findElement(By.id("info")).getText().contains("step 4"));
        String before = canvasFingerprint(canvas);
        long t0 = System.nanoTime();
        Files.writeString(runs.resolve("watched").resolve("metrics.jsonl"),
                "{\"step\":30,\"train_loss\":0.25,\"lr\":0.001,\"grad_norm\":0.5,\"tokens_per_s\":1000.0}\n", StandardOpenOption.APPEND);
        // The page polls every second, so the line shows within about that; the deadline here is
        // generous because a loaded machine (CI) may be slow to redraw, and no test asserts a duration.
        waitUpTo(20).until(d -> {
            WebElement c = d.findElement(By.cssSelector("#chart-loss canvas"));
            return d.findElement(By.id("info")).getText().contains("step 30") && !canvasFingerprint(c).equals(before);
        });
        System.out.printf("DashboardBrowserTest: an appended metrics line showed after %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * New metrics lines of a training run update its charts in place: a zoomed chart keeps its
     * steps and its y range, a series hidden from the legend stays hidden, and a chart the user
     * left alone follows the new steps. The charts were made anew at each new line, about once a
     * second while a run trains, which undid all of that.
     */
    @Test
    void newMetricsLinesKeepAZoomAndTheHiddenSeries() throws IOException {
        // A server of its own over a run of its own: the class's runs are counted and appended to by other tests.
        Path dir = Files.createDirectories(tmp.resolve("zoom-runs"));
        Path run = TestRuns.train(dir, "zoomed", 8);
        DashboardServer own = DashboardServer.start(new DashboardServer.Options(dir, "127.0.0.1", 0, 64));
        try {
            browser.get("http://127.0.0.1:" + own.port() + "/#/run/zoomed");
            fittedCanvas("chart-loss");
            // Hidden first: uPlot fits the y range anew when a series is shown or hidden.
            browser.findElement(By.xpath("//*[@id='chart-loss']//tr[contains(@class,'u-series')]//*[text()='val']")).click();
            waitUpTo(5).until(d -> Boolean.FALSE.equals(js("return charts[0].series[3].show;")));
            // Zoomed to steps 2..6 and to the middle half of the loss shown there.
            String zoom = (String) js("const u = charts[0]; window.zoomedChart = u;"
                    + "const shown = u.data.slice(1).filter((c, i) => u.series[i + 1].show)"
                    + "  .flatMap(c => c.filter((v, j) => v !== null && u.data[0][j] >= 2 && u.data[0][j] <= 6));"
                    + "const lo = Math.min(...shown), hi = Math.max(...shown), q = (hi - lo) / 4;"
                    + "u.setScale('x', { min: 2, max: 6 }); u.setScale('y', { min: lo + q, max: hi - q });"
                    + "return [2, 6, lo + q, hi - q].join(' ');");
            String scales = "const u = charts[0]; return [u.scales.x.min, u.scales.x.max, u.scales.y.min, u.scales.y.max].join(' ');";
            waitUpTo(5).until(d -> zoom.equals(js(scales)));
            StringBuilder lines = new StringBuilder();
            for (int step = 8; step < 12; step++) {
                lines.append(String.format(java.util.Locale.ROOT,
                        "{\"step\":%d,\"train_loss\":%.3f,\"lr\":0.001,\"grad_norm\":0.5,\"tokens_per_s\":1000.0}%n", step, 3.0 - 0.1 * step));
            }
            Files.writeString(run.resolve("metrics.jsonl"), lines, StandardOpenOption.APPEND);
            waitUpTo(20).until(d -> Boolean.TRUE.equals(js("return charts[0].data[0].includes(11);")));
            assertEquals(Boolean.TRUE, js("return charts[0] === window.zoomedChart;"), "the loss chart was made anew");
            assertEquals(zoom, js(scales), "the zoom held");
            assertEquals(Boolean.FALSE, js("return charts[0].series[3].show;"), "the hidden series stays hidden");
            // The learning-rate chart was not zoomed: it shows the new steps.
            assertEquals(11L, ((Number) js("return charts[1].scales.x.max;")).longValue());
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve("newMetricsLinesKeepAZoomAndTheHiddenSeries-page.png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.get(base + "#/");   // nothing left polling the server closed below
            own.close();
        }
    }

    /**
     * The page shows a token as the command line does: its {@code label} gives what
     * {@link AttentionMaps#label} gives for each assigned code point of the Basic Multilingual Plane and of
     * the tag and variation-selector block, and for a few pieces of several characters.
     */
    @Test
    void tokenLabelsMatchTheCommandLines() throws IOException {
        browser.get(base);
        waitUpTo(10).until(d -> d.findElement(By.id("view")));
        List<String> pieces = new ArrayList<>(List.of(" the", "a\r\nb\u200d\u0001 ", "👍\ufe0f"));
        for (int cp = 0; cp < 0x10000; cp++) pieces.add(Character.toString(cp));
        for (int cp = 0xE0000; cp < 0xE0200; cp++) pieces.add(Character.toString(cp));
        // The page builds the same pieces itself and sends the labels back as JSON text, where
        // JSON.stringify escapes a lone surrogate (WebDriver cannot pass one either way).
        String shown = (String) js("const p = [' the', 'a\\r\\nb\\u200d\\u0001 ', '👍\\ufe0f'];"
                + "for (let c = 0; c < 0x10000; c++) p.push(String.fromCharCode(c));"
                + "for (let c = 0xE0000; c < 0xE0200; c++) p.push(String.fromCodePoint(c));"
                + "return JSON.stringify(p.map(label));");
        List<String> page = new ObjectMapper().readValue(shown, new TypeReference<List<String>>() {});
        assertEquals(pieces.size(), page.size());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            // The browser may know a newer Unicode than the JDK (Chromium 156 has the combining marks
            // U+1ACF..U+1ADD of Unicode 17, JDK 25 has Unicode 16): a code point still unassigned
            // for the JDK has no category to agree on.
            String p = pieces.get(i);
            if (p.codePointCount(0, p.length()) == 1 && Character.getType(p.codePointAt(0)) == Character.UNASSIGNED) continue;
            String want = AttentionMaps.label(pieces.get(i));
            if (!want.equals(page.get(i))) wrong.add(pieces.get(i).codePoints().boxed().toList() + ": page " + page.get(i) + ", CLI " + want);
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " differ, e.g. " + wrong.subList(0, Math.min(10, wrong.size())));
    }

    @Test
    void aPromptDrawsTheAttentionGridWithTheCommandLinesWeights() throws Exception {
        String prompt = "the lazy";
        browser.get(base + "#/inside/tiny");
        WebElement box = waitUpTo(10).until(d -> d.findElement(By.id("prompt")));
        box.clear();
        box.sendKeys(prompt);
        browser.findElement(By.id("show")).click();
        waitUpTo(20).until(d -> d.findElements(By.cssSelector(".attn")).size() == 4);
        int t = prompt.length();
        for (WebElement grid : browser.findElements(By.cssSelector(".attn"))) {
            assertEquals(t * t, grid.findElements(By.cssSelector(".cell")).size(), "one cell per (query, key) pair");
        }
        // Masked (future) keys are hatched, unlike any weight's plain colour: a weight near 0 is near white.
        WebElement masked = browser.findElement(By.cssSelector(".attn .cell.masked"));
        assertTrue(masked.getCssValue("background-image").contains("repeating-linear-gradient"), masked.getCssValue("background-image"));
        WebElement weight = browser.findElement(By.cssSelector(".attn .cell[data-q='1'][data-k='0']"));
        assertEquals("none", weight.getCssValue("background-image"));
        // What `vecgrad attention --csv` writes for this prompt: the same library call on the same checkpoint.
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(runs.resolve("tiny"));
        int[] ids = m.tokenizer().encode(prompt);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(m.tokenizer().piece(id));
        int[] both = {0, 1};
        String csv = AttentionMaps.csv(AttentionMaps.capture(m.model(), ids, both, both), both, both, pieces);
        Map<String, String> want = new HashMap<>();
        for (String line : csv.split("\n")) {
            if (line.startsWith("layer")) continue;
            String[] f = line.split(",");
            // layer,head,query,"q",key,"k",weight (the pieces here hold no commas)
            want.put(f[0] + "/" + f[1] + "/" + f[2] + "/" + f[4], f[6]);
        }
        Actions mouse = new Actions(browser);
        int checked = 0;
        for (int[] c : new int[][] {{0, 0, 7, 0}, {0, 1, 7, 3}, {1, 0, 4, 4}, {1, 1, 6, 2}, {1, 1, 2, 5}}) {
            WebElement cell = browser.findElement(By.cssSelector(".attn[data-layer='" + c[0] + "'][data-head='" + c[1]
                    + "'] .cell[data-q='" + c[2] + "'][data-k='" + c[3] + "']"));
            mouse.moveToElement(cell).perform();
            WebElement tip = browser.findElement(By.id("tip"));
            waitUpTo(2).until(d -> tip.isDisplayed() && tip.getText().contains("@" + c[2] + " →"));
            String shown = tip.getText().substring(tip.getText().lastIndexOf("= ") + 2);
            assertEquals(want.get(c[0] + "/" + c[1] + "/" + c[2] + "/" + c[3]), shown, "hover over " + java.util.Arrays.toString(c));
            checked++;
        }
        assertEquals(5, checked);
        // Choose a token from the keyboard (tokens are buttons): the list of what it attends to, for
        // the selected map (layer 0, head 0).
        WebElement token4 = browser.findElement(By.cssSelector(".tok[data-pos='4']"));
        assertEquals("button", token4.getTagName());
        token4.sendKeys(org.openqa.selenium.Keys.ENTER);
        WebElement list = waitUpTo(5).until(d -> d.findElement(By.id("attends-table")));
        assertEquals(1 + 5, list.findElements(By.tagName("tr")).size(), "keys 0..4 and a header");
        // The chosen token keeps the keyboard's focus, so Tab goes on to the next token (tokens
        // drawn anew dropped it to the page's start).
        assertEquals("4 true", js("const f = document.activeElement; return f.dataset.pos + ' ' + f.getAttribute('aria-pressed');"));
        // ... and the explain walk-through for it, as tables: one row per key it may attend to. The
        // last token's explain (asked for when the prompt was shown) may still be on screen, or
        // even arrive after this one: wait for token 4's, then make sure no late answer replaces it.
        waitUpTo(10).until(d -> {
            var tables = d.findElements(By.cssSelector("#explain-keys"));
            return tables.size() == 1 && tables.get(0).findElements(By.tagName("tr")).size() == 1 + 5 ? tables.get(0) : null;
        });
        Thread.sleep(500);
        assertEquals(1 + 5, browser.findElement(By.cssSelector("#explain-keys")).findElements(By.tagName("tr")).size(),
                "an older explain replaced the clicked token's");
        assertEquals(5, browser.findElements(By.cssSelector("#explain-next tr")).size(), "the five likeliest next tokens");
        // The logit lens of the prompt: one row per residual stream, one cell per position.
        WebElement lens = waitUpTo(10).until(d -> d.findElement(By.id("lens-table")));
        assertEquals(3, lens.findElements(By.cssSelector("tr.lens-row")).size());
        assertEquals(t, lens.findElements(By.cssSelector("tr.lens-row")).get(0).findElements(By.tagName("td")).size() - 1);
        // Its column headers are the prompt's tokens as rendered (getText applies CSS text-transform),
        // in their own case: the grid's upper-case column titles must not turn "the" into "THE".
        List<String> header = new ArrayList<>();
        for (WebElement th : lens.findElements(By.cssSelector("th.mono"))) header.add(th.getText());
        assertEquals(List.of("t", "h", "e", "␣", "l", "a", "z", "y"), header);
        // Head scores on request: one row per head.
        browser.findElement(By.id("score-heads")).click();
        WebElement heads = waitUpTo(30).until(d -> d.findElement(By.id("heads-table")));
        assertEquals(1 + 4, heads.findElements(By.tagName("tr")).size());
        // The ablation column (a change in loss, the last) as `vecgrad heads` prints it: signed, four decimals.
        String apiHeads = (String) js("return fetch('/api/runs/tiny/heads').then(r => r.text());");
        List<Map<String, Object>> scored = new ObjectMapper().convertValue(new ObjectMapper().readTree(apiHeads).get("heads"),
                new TypeReference<List<Map<String, Object>>>() {});
        List<WebElement> headRows = heads.findElements(By.tagName("tr"));
        for (int i = 0; i < scored.size(); i++) {
            List<WebElement> cells = headRows.get(1 + i).findElements(By.tagName("td"));
            double ablation = ((Number) scored.get(i).get("ablation")).doubleValue();
            assertEquals(String.format(java.util.Locale.ROOT, "%+.4f", ablation), cells.get(cells.size() - 1).getText(), "head row " + i);
        }
        // Streamed sampling.
        WebElement n = browser.findElement(By.id("max-new"));
        n.clear();
        n.sendKeys("20");
        browser.findElement(By.id("sample")).click();
        WebElement out = browser.findElement(By.id("sample-out"));
        waitUpTo(20).until(d -> "1".equals(out.getAttribute("data-done")));
        assertEquals(prompt.length() + 20, out.getText().codePointCount(0, out.getText().length()), out.getText());
        ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    }

    /**
     * A map is chosen from the keyboard: its title is a button named after its layer and head,
     * Enter and Space select it (marked, pressed, the attends table for that head), and the focus
     * stays on it, so Tab goes on to the next map's title.
     */
    @Test
    void aMapIsChosenFromTheKeyboard() {
        browser.get(base + "#/inside/tiny?prompt=the%20lazy");
        waitUpTo(20).until(d -> d.findElements(By.cssSelector(".attn")).size() == 4);
        WebElement title = browser.findElement(By.cssSelector(".map[data-layer='0'][data-head='1'] .map-title"));
        assertEquals("button", title.getTagName());
        assertEquals("layer 0, head 1", title.getAccessibleName());
        assertEquals("false", title.getAttribute("aria-pressed"));
        title.sendKeys(Keys.ENTER);
        waitUpTo(5).until(d -> d.findElement(By.id("attends")).getText().contains("in layer 0, head 1:"));
        assertEquals("0/1 true", chosenMaps());
        assertEquals(Boolean.TRUE, js("return document.activeElement === arguments[0];", title), "the chosen map's title keeps the focus");
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertEquals("layer 1, head 0", js("return document.activeElement.textContent;"));
        new Actions(browser).sendKeys(Keys.SPACE).perform();
        waitUpTo(5).until(d -> d.findElement(By.id("attends")).getText().contains("in layer 1, head 0:"));
        assertEquals("1/0 true", chosenMaps());
        assertEquals("layer 1, head 0", js("return document.activeElement.textContent;"));
    }

    /** The maps marked as selected, as layer/head and aria-pressed, and whether every other map's title is not pressed. */
    static String chosenMaps() {
        return (String) js("const all = [...document.querySelectorAll('.map')], on = all.filter(m => m.classList.contains('selected'));"
                + "const others = all.filter(m => !on.includes(m)).every(m => m.querySelector('.map-title').getAttribute('aria-pressed') === 'false');"
                + "return on.map(m => m.dataset.layer + '/' + m.dataset.head + ' ' + m.querySelector('.map-title').getAttribute('aria-pressed')).join(', ')"
                + " + (others ? '' : ' (another map is pressed)');");
    }

    /**
     * The logit lens shows the probability of the actual next token as text, under the likeliest
     * token, in each cell that has one, as {@code vecgrad lens} prints it (two decimals): not only
     * as the cell's colour and in a title a mouse brings up, which gives the same figure.
     */
    @Test
    void theLogitLensShowsTheActualNextTokensProbabilityAsText() throws IOException {
        browser.get(base + "#/inside/tiny?prompt=the%20lazy");
        WebElement lens = waitUpTo(20).until(d -> d.findElement(By.id("lens-table")));
        var answer = new ObjectMapper().readTree((String) js("return fetch('/api/runs/tiny/lens?prompt=the%20lazy').then(r => r.text());"));
        List<WebElement> rows = lens.findElements(By.cssSelector("tr.lens-row"));
        assertEquals(answer.get("streams").size(), rows.size());
        int shown = 0;
        for (int s = 0; s < rows.size(); s++) {
            List<WebElement> cells = rows.get(s).findElements(By.tagName("td"));
            var positions = answer.get("streams").get(s).get("positions");
            for (int i = 0; i < positions.size(); i++) {
                var p = positions.get(i).get("actual_next_probability");
                WebElement cell = cells.get(1 + i);
                List<WebElement> line = cell.findElements(By.cssSelector(".p"));
                if (p.isNull()) {
                    assertTrue(line.isEmpty(), "the last position has no next token, yet shows " + cell.getText());
                    continue;
                }
                String want = String.format(java.util.Locale.ROOT, "%.2f", p.asDouble());
                assertEquals(want, line.size() == 1 ? line.get(0).getText() : cell.getText(), "stream " + s + ", position " + i);
                assertTrue(cell.getText().endsWith("\n" + want), cell.getText());
                // The hover title says the same number the same way, not a percentage beside it.
                assertTrue(cell.getAttribute("title").endsWith("; actual next: " + want), cell.getAttribute("title"));
                shown++;
            }
        }
        assertEquals(3 * 7, shown, "three streams of eight positions, each but the last with a next token");
    }

    /**
     * The explain walk-through's residual stream names its block: the one of the attention shown
     * (the row read "after the block" whichever map was chosen), with the numbers of that block.
     */
    @Test
    void theExplainResidualNamesItsBlock() throws IOException {
        browser.get(base + "#/inside/tiny?prompt=the%20lazy");
        waitUpTo(20).until(d -> d.findElements(By.cssSelector(".attn")).size() == 4);
        for (int layer : new int[] {1, 0}) {
            browser.findElement(By.cssSelector(".map[data-layer='" + layer + "'][data-head='1'] .map-title")).click();
            String heading = "3. Layer " + layer + ", head 1:";
            waitUpTo(10).until(d -> d.findElement(By.id("explain")).getText().contains(heading));
            var answer = new ObjectMapper().readTree((String) js("return fetch('/api/runs/tiny/explain?prompt=the%20lazy&token=7&layer="
                    + layer + "&head=1').then(r => r.text());"));
            List<String> labels = new ArrayList<>();
            for (WebElement row : browser.findElements(By.cssSelector("#explain-residual tr"))) labels.add(row.findElement(By.tagName("td")).getText());
            assertEquals(List.of("after block " + layer + "'s attention", "block " + layer + "'s MLP", "after block " + layer,
                    "final LayerNorm (after the last block)"), labels);
            String value = browser.findElement(By.cssSelector("#explain-residual tr:nth-child(3) td.mono")).getText();
            String first = String.format(java.util.Locale.ROOT, "[%.3f ", answer.get("residual_after_block").get(0).asDouble());
            assertTrue(value.startsWith(first), value + " is not block " + layer + "'s residual, which starts " + first);
        }
    }

    /** A sample whose connection fails before its end (a stopped server) says so rather than ending cut short in silence. */
    @Test
    void aSampleCutOffByALostConnectionSaysSo() {
        browser.get(base + "#/inside/tiny?prompt=the");
        waitUpTo(20).until(d -> !d.findElements(By.cssSelector(".attn")).isEmpty());
        // A stream that never answers, then fails the way a browser reports a dropped connection: an error event without data.
        js("window.RealEventSource = window.EventSource;"
                + "window.EventSource = class extends EventTarget { constructor(u) { super(); window.fakeStream = this; } close() {} };");
        try {
            browser.findElement(By.id("sample")).click();
            js("window.fakeStream.dispatchEvent(new Event('error'));");
            WebElement out = browser.findElement(By.id("sample-out"));
            assertTrue(out.getText().contains("the sample stopped before its end: the dashboard server does not answer"), out.getText());
            assertTrue(browser.findElement(By.id("sample")).isEnabled(), "the Sample button works again");
        } finally {
            // The tests share one page (a new hash does not reload it): the next must get the real stream.
            js("window.EventSource = window.RealEventSource;");
        }
    }

    /**
     * A prompt keeps its line feeds (a text input would drop them: "ROMEO:\nI" became "ROMEO:I"),
     * and Enter in the prompt box shows it.
     */
    @Test
    void aPromptKeepsItsLineFeedsAndEnterShowsIt() {
        browser.get(base + "#/inside/tiny?prompt=the%0Alazy");
        WebElement box = waitUpTo(10).until(d -> d.findElement(By.id("prompt")));
        assertEquals("the\nlazy", box.getAttribute("value"));
        // This run's text has no line feed, so the server names the character it cannot encode.
        WebElement error = waitUpTo(20).until(d -> d.findElement(By.cssSelector("#maps .error")));
        assertTrue(error.getText().contains("U+000A"), error.getText());
        box.clear();
        box.sendKeys("the lazy" + org.openqa.selenium.Keys.ENTER);
        waitUpTo(20).until(d -> d.findElements(By.cssSelector(".attn")).size() == 4);
        assertEquals("the lazy", box.getAttribute("value"), "Enter shows the prompt without adding a line to it");
        // The Enter that ends an input method's composition (a Japanese or Chinese word being typed)
        // only ends it: Chromium marks it isComposing, Safari sends it after compositionend with keyCode 229.
        assertEquals("false false true", js("const p = document.getElementById('prompt');"
                + "const send = init => !p.dispatchEvent(new KeyboardEvent('keydown', Object.assign({ key: 'Enter', bubbles: true, cancelable: true }, init)));"
                + "return [send({ isComposing: true }), send({ keyCode: 229 }), send({ keyCode: 13 })].join(' ');"));
        waitUpTo(20).until(d -> d.findElement(By.id("inside-status")).getText().endsWith("heads"));   // the last Enter's answer
        List<String> other = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !e.getMessage().contains("status of 400")) other.add(e.getMessage());
        }
        assertTrue(other.isEmpty(), "browser console errors: " + other);
    }

    /**
     * The server stops while the page is open (a {@code train --dashboard} run ended): the page
     * says so in a sentence, not the browser's "Failed to fetch", keeps the curves it has, the
     * header stops claiming "live", it asks ever less often, and it finds a server that is back.
     */
    @Test
    void aStoppedServerIsToldAndTheCurvesStay() throws IOException {
        DashboardServer second = DashboardServer.start(new DashboardServer.Options(runs, "127.0.0.1", 0, 64));
        int port = second.port();
        try {
            browser.get("http://127.0.0.1:" + second.port() + "/#/run/tiny");
            waitUpTo(10).until(d -> d.findElement(By.cssSelector("#chart-loss canvas")));
        } finally {
            second.close();
        }
        WebElement problem = waitUpTo(10).until(d -> {
            WebElement p = d.findElement(By.id("problem"));
            return p.getText().isEmpty() ? null : p;
        });
        assertTrue(problem.getText().startsWith("The dashboard server does not answer"), problem.getText());
        assertEquals(1, browser.findElements(By.cssSelector("#chart-loss canvas")).size(), "the loaded curves stay");
        assertEquals("● server stopped", browser.findElement(By.id("live")).getText());
        // While nothing answers, the page asks less and less often (each refused request is a line in
        // the console); polling every second it made two requests a second, forever.
        js("window.fetches = 0; const f = window.fetch; window.fetch = (...a) => { window.fetches++; return f(...a); };");
        js("return new Promise(r => setTimeout(r, 5000));");
        long fetches = ((Number) js("return window.fetches;")).longValue();
        assertTrue(fetches <= 6, fetches + " requests in 5 s to a stopped server (after waits of 2 s and 4 s, at most 3 tries of 2)");
        // A dashboard back on the address: the page finds it on its own.
        DashboardServer again = DashboardServer.start(new DashboardServer.Options(runs, "127.0.0.1", port, 64));
        try {
            waitUpTo(20).until(d -> d.findElement(By.id("problem")).getText().isEmpty()
                    && !"offline".equals(d.findElement(By.id("live")).getAttribute("data-state")));
        } finally {
            again.close();
        }
        // The refused connections are logged as failed loads; anything else fails the test as usual.
        List<String> other = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !e.getMessage().contains("ERR_CONNECTION_REFUSED")) other.add(e.getMessage());
        }
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve("aStoppedServerIsToldAndTheCurvesStay-page.png"),
                StandardCopyOption.REPLACE_EXISTING);
        browser.get("about:blank");   // no more polling of the stopped server, whose failures the next test would see
        browser.manage().logs().get(LogType.BROWSER);
        assertTrue(other.isEmpty(), "browser console errors: " + other);
    }

    /**
     * On a window 400 pixels wide (a phone; headless Chromium's own windows are at least 500 wide,
     * so the page's size is emulated) no view is wider than the window: the charts shrink to fit,
     * the explain and attends columns stack, and wide tables scroll in their own box.
     */
    @Test
    void aNarrowWindowNeedsNoSidewaysScrolling() {
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 400, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        try {
            String[][] views = {{"#/", "tr.run-row"}, {"#/run/tiny", "#chart-loss canvas"},
                    {"#/inside/tiny?prompt=the%20quick%20fox", "#lens-table"}};
            for (String[] v : views) {
                browser.get(base + v[0]);
                waitUpTo(20).until(d -> !d.findElements(By.cssSelector(v[1])).isEmpty());
                waitUpTo(10).until(d -> !d.findElements(By.cssSelector("#explain-tables, .chart, #runs table")).isEmpty());
                long page = ((Number) js("return document.documentElement.scrollWidth;")).longValue();
                assertTrue(page <= 400, v[0] + " is " + page + " pixels wide in a window of 400");
            }
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /**
     * Every chart stays inside its box, whatever the window's width: on a window of 1920 pixels the
     * grid lays three charts a row while the page drew each at the width of two a row (900 pixels
     * in columns of about 610, so each covered its neighbour), and the page's vertical scroll bar,
     * which appears once the charts are drawn, narrows every column after they were sized.
     */
    @Test
    void chartsFitTheirColumnsAtAnyWidth() {
        try {
            for (int width : new int[] {1920, 1400, 1280, 700}) {
                browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                        Map.of("width", width, "height", 700, "deviceScaleFactor", 1, "mobile", false));
                browser.get(base + "#/run/tiny");
                waitUpTo(10).until(d -> d.findElements(By.cssSelector(".chart canvas")).size() >= 4);
                String overflow = "";
                for (int i = 0; i < 40; i++) {
                    // Each chart's uPlot against its box's content (the box pads 8 pixels each side).
                    overflow = (String) js("return [...document.querySelectorAll('.chart')].filter(b => {"
                            + " const u = b.querySelector('.uplot'); return !u || u.getBoundingClientRect().right > b.getBoundingClientRect().right - 8; })"
                            + ".map(b => b.id + ' ' + Math.round(b.querySelector('.uplot').getBoundingClientRect().width) + ' in '"
                            + " + Math.round(b.getBoundingClientRect().width)).join(', ');");
                    if (overflow.isEmpty()) break;
                    js("return new Promise(r => setTimeout(r, 100));");
                }
                assertEquals("", overflow, "charts wider than their box in a window of " + width);
            }
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /**
     * Where the runs table's last column (the "inside" links) is: for each row, whether its last
     * cell lies entirely inside the viewport and inside the visible part of the box that scrolls
     * the table (the nearest ancestor whose overflow-x is auto or scroll); and the widths (scroll
     * and client) of that box (-1 without one) and of the page.
     */
    static Map<String, Object> lastColumn() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) js("const t = document.querySelector('#runs table');"
                + "let box = t.parentElement; while (box && !/auto|scroll/.test(getComputedStyle(box).overflowX)) box = box.parentElement;"
                + "const b = box ? box.getBoundingClientRect() : null, vw = document.documentElement.clientWidth;"
                + "const hidden = [...t.querySelectorAll('tr.run-row')].filter(r => { const c = r.lastElementChild.getBoundingClientRect();"
                + "  return c.left < 0 || c.right > vw || b && (c.left < b.left || c.right > b.left + box.clientWidth); }).map(r => r.dataset.run);"
                + "return { hidden: hidden.join(' '), links: t.querySelectorAll('tr.run-row td:last-child a').length,"
                + "  boxScroll: box ? box.scrollWidth : -1, boxClient: box ? box.clientWidth : -1,"
                + "  pageScroll: document.documentElement.scrollWidth, pageClient: vw };");
        return m;
    }

    static long number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    /**
     * The runs table's last column, the "inside" links, can be reached on common windows: on one
     * of 1300 pixels (where it was cut off) the whole table fits, nothing to scroll; on one of 1024
     * the table scrolls in its own box, not the page, and stays scrolled to the links while the
     * list is refreshed every two seconds (the refresh used to make a new box, back at the left).
     */
    @Test
    void theRunsTablesLastColumnIsReachableAt1300And1024Pixels() {
        try {
            browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 1300, "height", 800, "deviceScaleFactor", 1, "mobile", false));
            browser.get(realisticBase + "#/");
            waitUpTo(10).until(d -> d.findElements(By.cssSelector("tr.run-row td:last-child a")).size() == 3);
            Map<String, Object> at1300 = lastColumn();
            assertEquals("", at1300.get("hidden"), "last cells out of view at 1300 pixels: " + at1300);
            assertTrue(number(at1300, "boxScroll") <= number(at1300, "boxClient"), "the table scrolls at 1300 pixels: " + at1300);
            assertTrue(number(at1300, "pageScroll") <= number(at1300, "pageClient"), "the page scrolls sideways: " + at1300);

            browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 1024, "height", 800, "deviceScaleFactor", 1, "mobile", false));
            Map<String, Object> at1024 = lastColumn();
            assertTrue(number(at1024, "boxClient") > 0 && number(at1024, "boxScroll") > number(at1024, "boxClient"),
                    "a table that does not fit 1024 pixels scrolls in a box: " + at1024);
            assertTrue(number(at1024, "pageScroll") <= number(at1024, "pageClient"), "the page itself scrolls sideways: " + at1024);
            assertEquals(3, ((String) at1024.get("hidden")).split(" ").length, "the links start out of view: " + at1024);
            js("const t = document.querySelector('#runs table');"
                    + "let box = t.parentElement; while (!/auto|scroll/.test(getComputedStyle(box).overflowX)) box = box.parentElement;"
                    + "box.scrollLeft = box.scrollWidth;");
            assertEquals("", lastColumn().get("hidden"), "scrolled to the end of its box");
            WebElement before = browser.findElement(By.cssSelector("#runs table"));
            waitUntilReplaced(before);
            Map<String, Object> refreshed = lastColumn();
            assertEquals(3L, number(refreshed, "links"));
            assertEquals("", refreshed.get("hidden"), "after the list's refresh: " + refreshed);
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /**
     * A character-level run's loss and a BPE run's are per different tokens: overlaid, the page
     * says once that they are not comparable and names bits per byte; two runs of one tokenizer
     * (tiny and watched, trained on the same text) get no such note.
     */
    @Test
    void comparedRunsOfDifferentTokenizersAreSaidNotToBeComparable() {
        browser.get(realisticBase + "#/run/20261207-040359-tinyshakespeare,bytes");
        WebElement note = waitUpTo(10).until(d -> d.findElement(By.id("tokenizer-note")));
        assertEquals("These runs use different tokenizers (20261207-040359-tinyshakespeare: char 28, bytes: bpe 272), so their "
                + "losses (per token) are not comparable; bits per byte are: vecgrad eval --checkpoint <run directory> prints "
                + "them for a text run.", note.getText());
        assertEquals(1, browser.findElements(By.cssSelector(".note")).size());
        browser.get(base + "#/run/tiny,watched");
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#info .run-info")).size() == 2);
        assertEquals(0, browser.findElements(By.id("tokenizer-note")).size(), "runs of one tokenizer compare");
        browser.get(base + "#/run/tiny");
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#info .run-info")).size() == 1);
        assertEquals(0, browser.findElements(By.id("tokenizer-note")).size());
    }

    /** Charts follow the window: fitted to the new width once a resize pauses (uPlot sizes a chart once). */
    @Test
    void chartsAreDrawnAgainWhenTheWindowNarrows() {
        browser.get(base + "#/run/tiny");
        long wide = fittedCanvas("chart-loss").getRect().getWidth();
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 520, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        try {
            long narrow = waitUpTo(10).until(d -> {
                long w = d.findElement(By.cssSelector("#chart-loss canvas")).getRect().getWidth();
                return w < wide ? w : null;
            });
            assertTrue(narrow <= 520, "the loss chart is " + narrow + " pixels wide in a window of 520 (was " + wide + ")");
            assertEquals(1, browser.findElements(By.cssSelector("#chart-loss canvas")).size(), "one chart, resized, not two");
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
        // Back to the full width; waiting for that fit keeps it from resizing a chart the next test measures.
        assertEquals(wide, fittedCanvas("chart-loss").getRect().getWidth());
    }

    /**
     * DNS rebinding as the browser sees it: a page of evil.example, a name that resolves to
     * 127.0.0.1, is same-origin with whatever answers at evil.example:PORT. The dashboard refuses the
     * page and every request its scripts make, so they can read no run.
     */
    @Test
    void aPageOfAnotherNameThatResolvesHereIsRefused() {
        browser.get("http://evil.example:" + server.port() + "/");
        String body = browser.findElement(By.tagName("body")).getText();
        assertTrue(body.startsWith("refused: "), body);
        assertEquals("403 false", js("return fetch('/api/runs').then(async r => r.status + ' ' + (await r.text()).includes('tiny'));"));
        // The refusals are logged as failed loads; anything else fails the test as usual.
        List<String> other = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !e.getMessage().contains("status of 403")) other.add(e.getMessage());
        }
        assertTrue(other.isEmpty(), "browser console errors: " + other);
    }
}
