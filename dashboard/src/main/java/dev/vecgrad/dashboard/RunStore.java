package dev.vecgrad.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.run.Metrics;
import dev.vecgrad.train.run.MetricsLog;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.RunStatus;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The run directories under one root, read and never written. Every name that comes from a
 * request is checked to be a direct child of the root, and every file it opens is checked,
 * after following symbolic links, to lie under the root: anything else is "no such run".
 */
final class RunStore {
    /** A run whose metrics file changed this recently, without a status file, counts as running. */
    static final long RECENT_MILLIS = 60_000;
    /** Lines kept per run; a longer log keeps its first lines (a run logs one per step, so 2M steps). */
    static final int MAX_LINES = 2_000_000;
    /** Bytes read from one metrics file per request, so a huge file is read over several polls. */
    static final int MAX_READ = 16 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root, realRoot;
    private final Map<Path, Tail> tails = new ConcurrentHashMap<>();
    /** The last parse of each run's {@code state.json}, by its real path ({@link #savedState}). */
    private final Map<Path, Parsed> states = new ConcurrentHashMap<>();

    RunStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.root)) throw new IOException(root + ": no such directory (--runs)");
        this.realRoot = this.root.toRealPath();
    }

    Path root() {
        return root;
    }

    /**
     * The directory of the run called {@code name}, when it is a direct child of the root that
     * stays under the root after links are followed.
     */
    Optional<Path> resolve(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")
                || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        try {
            Path p = root.resolve(name);
            if (!p.normalize().getParent().equals(root) || !Files.isDirectory(p)) return Optional.empty();
            Path real = p.toRealPath();
            return real.startsWith(realRoot) && !real.equals(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code dir/file} when it is a regular file that stays under the root after links are followed. */
    Optional<Path> file(Path dir, String file) {
        Path p = dir.resolve(file);
        try {
            if (!Files.isRegularFile(p)) return Optional.empty();
            Path real = p.toRealPath();
            return real.startsWith(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code dir} looks like a run: a checkpoint, a status or a metrics file. */
    static boolean looksLikeRun(Path dir) {
        return RunDirectory.isRun(dir) || Files.exists(dir.resolve(RunStatus.FILE), LinkOption.NOFOLLOW_LINKS)
                || Files.exists(dir.resolve(RunDirectory.METRICS), LinkOption.NOFOLLOW_LINKS);
    }

    /** Every run under the root, newest first. */
    List<Map<String, Object>> list() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) dirs.add(p);
        }
        for (Path p : dirs) {
            String name = p.getFileName().toString();
            Optional<Path> dir = resolve(name);
            if (dir.isEmpty() || !looksLikeRun(dir.get())) continue;
            out.add(summary(name, dir.get()));
        }
        out.sort(Comparator.comparing((Map<String, Object> m) -> String.valueOf(m.get("started"))).reversed()
                .thenComparing(m -> String.valueOf(m.get("name"))));
        return out;
    }

    /**
     * What the runs page shows of a run. Nothing in the directory is trusted: each problem found
     * (a malformed state or status file, unreadable metrics lines) is listed under
     * {@code problems} and the run is marked {@code broken}, and the rest is still shown.
     */
    Map<String, Object> summary(String name, Path dir) {
        Map<String, Object> s = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        s.put("name", name);
        RunStatus status = null;
        try {
            status = RunStatus.read(dir);
        } catch (IOException e) {
            problems.add(e.getMessage());
        }
        SavedState state = null;
        if (file(dir, RunDirectory.STATE).isPresent()) {
            try {
                state = savedState(dir);
            } catch (IOException | RuntimeException e) {
                problems.add(e.getMessage());
            }
        } else if (status == null) {
            problems.add("no " + RunDirectory.STATE + " (no checkpoint yet) and no " + RunStatus.FILE);
        }
        Tail.Latest latest = latest(dir);
        if (latest.skipped() > 0) problems.add(latest.skipped() + " unreadable line(s) in " + RunDirectory.METRICS);
        long step = Math.max(Math.max(state == null ? 0 : state.step(), status == null ? 0 : status.step()), latest.step());
        JsonNode lastStep = latest.lastStep(), lastEval = latest.lastEval();
        TrainConfig c = state == null ? null : state.config();
        s.put("state", state(status, state, dir));
        s.put("message", status == null ? "" : status.message());
        s.put("task", status != null ? status.task() : state != null ? describe(state.data()) : "");
        s.put("step", step);
        s.put("max_iters", c != null ? (Object) c.maxIters() : status != null ? (Object) status.maxIters() : null);
        s.put("parameters", status != null ? (Object) status.parameters() : null);
        if (c != null) {
            s.put("n_layer", c.model().nLayer());
            s.put("n_head", c.model().nHead());
            s.put("n_embd", c.model().nEmbd());
            s.put("block_size", c.model().blockSize());
        }
        s.put("tokenizer", state == null ? null : state.tokenizer());
        s.put("train_loss", num(lastStep, "train_loss"));
        s.put("val_loss", num(lastEval, "val_loss"));
        s.put("accuracy", num(lastEval, "accuracy"));
        s.put("tokens_per_s", num(lastStep, "tokens_per_s"));
        s.put("started", started(status, dir).toString());
        s.put("has_model", file(dir, ModelCheckpoint.FILE).isPresent() && state != null);
        s.put("broken", !problems.isEmpty());
        s.put("problems", problems);
        return s;
    }

    /**
     * What tells runs' tokenizers apart: a loss is per token, so the page warns when it overlays
     * runs whose tokens differ. The hash, as the type and size alone do not tell two BPE
     * vocabularies of one size apart.
     */
    private static Map<String, Object> tokenizer(Tokenizer t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", t.type());
        m.put("vocab_size", t.vocabSize());
        m.put("sha256", t.hash());
        return m;
    }

    /** A number of a metrics line by its name in the file, or null. */
    private static Double num(JsonNode line, String field) {
        JsonNode v = line == null ? null : line.get(field);
        return v != null && v.isNumber() && Double.isFinite(v.asDouble()) ? v.asDouble() : null;
    }

    /** Whether a metrics line was written at an evaluation (only those carry a validation loss). */
    static boolean isEval(JsonNode line) {
        return line.has("val_loss");
    }

    /** running, finished, stopped or diverged; guessed from the files for runs without a status file. */
    private String state(RunStatus status, SavedState state, Path dir) {
        if (status != null) return status.effectiveState().label();
        if (state != null && state.step() >= state.config().maxIters()) return RunStatus.State.FINISHED.label();
        try {
            Optional<Path> m = file(dir, RunDirectory.METRICS);
            if (m.isPresent() && System.currentTimeMillis() - Files.getLastModifiedTime(m.get()).toMillis() < RECENT_MILLIS) {
                return RunStatus.State.RUNNING.label();
            }
        } catch (IOException e) {
            // unreadable: not running as far as anyone can tell
        }
        return RunStatus.State.STOPPED.label();
    }

    private static Instant started(RunStatus status, Path dir) {
        if (status != null) return status.started();
        try {
            return Files.readAttributes(dir, BasicFileAttributes.class).creationTime().toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static String describe(JsonNode data) {
        if (data.path("kind").asText().equals("addition")) return "addition of " + data.path("digits").asInt() + "-digit numbers";
        String p = data.path("path").asText();
        int slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        return "text " + p.substring(slash + 1);
    }

    /**
     * What the pages use of a run's {@code state.json}: its step, configuration and data, and its
     * tokenizer summarised ({@link #tokenizer}) rather than kept: a GPT-2 tokenizer's 50,257 tokens
     * and 50,000 merges would stay on the heap once per run listed.
     */
    record SavedState(long step, TrainConfig config, JsonNode data, Map<String, Object> tokenizer) {}

    /** A parsed {@code state.json} and the file attributes it was parsed at. */
    private record Parsed(FileTime modified, long size, Object key, SavedState state) {
        boolean current(BasicFileAttributes a) {
            return modified.equals(a.lastModifiedTime()) && size == a.size() && Objects.equals(key, a.fileKey());
        }
    }

    /**
     * What {@code state.json} says (for the runs list and the config endpoint), parsed again only
     * when the file changed (its time, size or identity: the trainer replaces it by a rename). A
     * GPT-2-sized run's state holds its whole tokenizer (2.5 MB of JSON), which took about 135 ms of
     * the server's CPU per run to parse, build and hash on every 2-second poll of the runs page: 20 %
     * of a core with three such runs listed, taken from the training runs the page watches; cached,
     * the whole poll takes 8-9 ms (bench/RESULTS.md, session 17).
     *
     * @throws java.nio.file.NoSuchFileException when the run has no checkpoint yet
     * @throws IOException when the file cannot be read or parsed
     */
    SavedState savedState(Path dir) throws IOException {
        Optional<Path> f = file(dir, RunDirectory.STATE);
        if (f.isEmpty()) {
            throw new java.nio.file.NoSuchFileException(RunDirectory.STATE, null, "the run has no checkpoint yet");
        }
        BasicFileAttributes a = Files.readAttributes(f.get(), BasicFileAttributes.class);
        Parsed p = states.get(f.get());
        if (p != null && p.current(a)) return p.state();
        // Attributes first, then the content: a file replaced in between is parsed again next time.
        RunDirectory.State s = new RunDirectory(dir).readState();
        SavedState saved = new SavedState(s.step(), s.config(), s.data(), tokenizer(s.tokenizer()));
        states.put(f.get(), new Parsed(a.lastModifiedTime(), a.size(), a.fileKey(), saved));
        return saved;
    }

    /** How many parsed {@code state.json} files are kept (for tests). */
    int parsedStates() {
        return states.size();
    }

    /** The last step and evaluation lines of a run's metrics. */
    Tail.Latest latest(Path dir) {
        Optional<Path> f = file(dir, RunDirectory.METRICS);
        if (f.isEmpty()) return new Tail.Latest(null, null, 0, 0);
        Tail t = tails.computeIfAbsent(f.get(), Tail::new);
        t.read(Integer.MAX_VALUE);
        return t.latest();
    }

    /** The metrics lines of a run from line {@code from} on (a snapshot; the file is followed as it grows). */
    Tail.View metrics(Path dir, int from) {
        Optional<Path> f = file(dir, RunDirectory.METRICS);
        if (f.isEmpty()) return new Tail.View(List.of(), 0, 0, 0);
        return tails.computeIfAbsent(f.get(), Tail::new).read(from);
    }

    /**
     * Follows one {@code metrics.jsonl}: reads only what was appended since the last call, and
     * only whole lines (a line without its line break is still being written and waits for the
     * next call). A file that shrank was rewritten (a resumed run trims it) and is read again.
     */
    static final class Tail {
        /** Lines from {@code from} on, the total number of lines, and how many lines could not be read. */
        record View(List<JsonNode> lines, int from, int total, int skipped) {}

        /** The last training-step line, the last evaluation line, the highest step, unreadable lines. */
        record Latest(JsonNode lastStep, JsonNode lastEval, long step, int skipped) {}

        private final Path file;
        private final List<JsonNode> lines = new ArrayList<>();
        private long offset;
        private int skipped;
        private Object fileKey;

        Tail(Path file) {
            this.file = file;
        }

        synchronized Latest latest() {
            JsonNode st = null, ev = null;
            long step = 0;
            for (int i = lines.size() - 1; i >= 0 && (st == null || ev == null); i--) {
                JsonNode m = lines.get(i);
                if (isEval(m) && ev == null) ev = m;
                if (m.has("train_loss") && st == null) st = m;   // every step's line; an evaluation step's too
            }
            if (!lines.isEmpty()) step = lines.get(lines.size() - 1).path("step").asLong();
            return new Latest(st, ev, step, skipped);
        }

        synchronized View read(int from) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                if (a.size() < offset || fileKey != null && !fileKey.equals(a.fileKey())) {
                    lines.clear();
                    offset = 0;
                    skipped = 0;
                }
                fileKey = a.fileKey();
                if (a.size() > offset && lines.size() < MAX_LINES) {
                    try (InputStream in = Files.newInputStream(file)) {
                        in.skipNBytes(offset);
                        byte[] b = in.readNBytes((int) Math.min(MAX_READ, a.size() - offset));
                        int start = 0;
                        for (int i = 0; i < b.length; i++) {
                            if (b[i] != '\n') continue;
                            String line = new String(b, start, i - start, StandardCharsets.UTF_8);
                            start = i + 1;
                            if (line.isBlank()) continue;
                            // Read by the library's parser, then kept in the file's own JSON form for the API.
                            Metrics m = MetricsLog.parse(line);
                            if (m == null) skipped++;
                            else if (lines.size() < MAX_LINES) lines.add(JSON.readTree(MetricsLog.toJson(m)));
                        }
                        if (start == 0 && b.length == MAX_READ) {
                            // No line break in a whole chunk: not a metrics line; skip it rather than read it forever.
                            skipped++;
                            start = b.length;
                        }
                        offset += start;
                    }
                }
            } catch (IOException e) {
                // gone or unreadable right now (e.g. being replaced): show what was read before
            }
            int f = Math.max(0, Math.min(from, lines.size()));
            return new View(List.copyOf(lines.subList(f, lines.size())), f, lines.size(), skipped);
        }
    }
}
