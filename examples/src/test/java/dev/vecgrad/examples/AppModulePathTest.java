package dev.vecgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app as a Java module: the CLI started with {@code java -p ... -m dev.vecgrad.examples/...},
 * every jar on the module path (the launcher's shaded jar runs on the class path; the tests run
 * there too). On the module path, reflection and resources follow the module rules, so this is
 * where a missing {@code opens} (picocli filling the options, Javalin serving the page) or a jar
 * without a usable module name shows: the JVM refuses to start, or a request fails.
 *
 * <p>The module path is this module's classes plus the runtime dependencies that Maven lists in
 * {@code target/runtime-classpath.txt} ({@code maven-dependency-plugin:build-classpath}); the test
 * class path would add JUnit, jqwik and Selenium, none of which belong to the app.
 */
class AppModulePathTest {
    @TempDir static Path tmp;
    static String modulePath;
    static Path runs;

    @BeforeAll
    static void modulePathAndARun() throws Exception {
        Path classes = Path.of("target/classes").toAbsolutePath();
        assertTrue(Files.exists(classes.resolve("module-info.class")), "the app has no module-info.class in " + classes);
        Path listing = Path.of("target/runtime-classpath.txt");
        assertTrue(Files.exists(listing), listing + " is missing (written by maven-dependency-plugin in generate-test-resources)");
        modulePath = classes + File.pathSeparator + Files.readString(listing).strip();

        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.append("To be, or not to be: that is the question.\n");
        Path text = Files.writeString(tmp.resolve("play.txt"), sb.toString());
        runs = Files.createDirectories(tmp.resolve("runs"));
        Path log = tmp.resolve("train.log");
        Process p = app(log, "train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "3", "--eval-interval", "3",
                "--eval-iters", "1", "--block-size", "16", "--batch-size", "4", "--threads", "1", "--no-progress",
                "--out", runs.resolve("play").toString());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "training on the module path did not finish");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }

    /** {@code vecgrad args} in a new JVM, everything on the module path, output to {@code log}. */
    static Process app(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath, "--enable-native-access=org.jline.nativ",
                "-m", "dev.vecgrad.examples/dev.vecgrad.examples.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void trainsAndWritesACheckpoint() throws IOException {
        // picocli filled the options reflectively (opens ... to info.picocli), Jackson wrote the state.
        assertTrue(Files.exists(runs.resolve("play/model.safetensors")));
        assertTrue(Files.readString(runs.resolve("play/state.json")).contains("\"step\" : 3"),
                Files.readString(runs.resolve("play/state.json")));
    }

    @Test
    void servesTheDashboardPageItsChartLibraryAndTheApi() throws Exception {
        Path log = tmp.resolve("dashboard.log");
        Process p = app(log, "dashboard", "--runs", runs.toString(), "--port", "0");
        try {
            String url = null;
            Pattern started = Pattern.compile("vecgrad dashboard: (http://127\\.0\\.0\\.1:\\d+/)");
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); url == null && System.nanoTime() < end; ) {
                Matcher m = started.matcher(Files.readString(log));
                if (m.find()) url = m.group(1);
                else if (!p.isAlive()) break;
                else Thread.sleep(100);
            }
            assertTrue(url != null, "the dashboard did not start on the module path:\n" + Files.readString(log));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            // index.html and app.js come from the app's open package; uPlot from the WebJar's module.
            for (String path : List.of("", "app.js", "vendor/uplot.js", "api/runs")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), "GET /" + path + ": " + r.body());
                assertTrue(r.body().length() > 10, "GET /" + path + " is empty");
            }
            HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(url + "api/runs")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(api.body().contains("\"play\""), api.body());
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
