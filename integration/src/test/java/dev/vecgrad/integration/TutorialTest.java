package dev.vecgrad.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;

/**
 * docs/tutorial.md cannot rot: every {@code java} block is compiled and run, in order, in one
 * jshell session set up like {@code ./vecgrad shell} (same startup imports), so later blocks see
 * the variables and classes of earlier ones. A {@code text} block right after a java block is the
 * output that block must print, exactly.
 */
class TutorialTest {
    /** The imports of jshell's built-in DEFAULT startup script. */
    private static final String JSHELL_DEFAULT_IMPORTS = """
            import java.io.*;
            import java.math.*;
            import java.net.*;
            import java.nio.file.*;
            import java.util.*;
            import java.util.concurrent.*;
            import java.util.function.*;
            import java.util.prefs.*;
            import java.util.regex.*;
            import java.util.stream.*;
            """;

    /** A fenced code block: its language, its text and the line of the markdown it starts on. */
    record Block(String lang, String code, int line) {}

    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.startsWith("```") || l.length() == 3) continue;
            String lang = l.substring(3).trim();
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).startsWith("```")) end++;
            if (end == lines.size()) throw new IllegalStateException("tutorial.md:" + (i + 1) + ": unclosed code block");
            blocks.add(new Block(lang, String.join("\n", lines.subList(start, end)) + "\n", i + 1));
            i = end;
        }
        return blocks;
    }

    @Test
    void everyCodeBlockCompilesAndRuns() throws IOException {
        Path root = ProjectRoot.find();
        List<Block> blocks = blocks(Files.readAllLines(root.resolve("docs/tutorial.md")));
        long javaBlocks = blocks.stream().filter(b -> b.lang().equals("java")).count();
        assertTrue(javaBlocks >= 8, "the tutorial should have its steps; found " + javaBlocks + " java blocks");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (JShell js = JShell.builder().out(ps).err(ps)
                .compilerOptions("--add-modules", "jdk.incubator.vector", "-Xlint:-incubating")
                .remoteVMOptions("--add-modules=jdk.incubator.vector", "-Xss4m")
                .build()) {
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) js.addToClasspath(e);
            // What `./vecgrad shell` starts with: jshell's DEFAULT startup (these imports; the
            // JShell API, unlike the jshell tool, runs none), then vecgrad's own startup file.
            run(js, JSHELL_DEFAULT_IMPORTS, "jshell's default imports", 0);
            run(js, Files.readString(root.resolve("examples/src/main/jshell/vecgrad.jsh")), "the shell's startup imports", 0);
            for (int k = 0; k < blocks.size(); k++) {
                Block b = blocks.get(k);
                if (!b.lang().equals("java")) continue;
                out.reset();
                run(js, b.code(), "tutorial.md:" + b.line(), b.line());
                ps.flush();
                String printed = out.toString(StandardCharsets.UTF_8);
                if (k + 1 < blocks.size() && blocks.get(k + 1).lang().equals("text")) {
                    assertEquals(blocks.get(k + 1).code().strip(), printed.strip(),
                            "tutorial.md:" + blocks.get(k + 1).line() + ": the output shown is not what the block at line "
                                    + b.line() + " prints");
                }
            }
        }
    }

    /** Evaluates a block snippet by snippet; fails on the first that is rejected or throws. */
    private static void run(JShell js, String code, String where, int firstLine) {
        SourceCodeAnalysis sca = js.sourceCodeAnalysis();
        String rest = code;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo ci = sca.analyzeCompletion(rest);
            String source = ci.source();
            if (source == null || !ci.completeness().isComplete()) {
                fail(where + ": incomplete code at: " + rest.strip().lines().findFirst().orElse(""));
            }
            for (SnippetEvent e : js.eval(source)) {
                if (e.status() == jdk.jshell.Snippet.Status.REJECTED) {
                    String diags = js.diagnostics(e.snippet()).map(d -> d.getMessage(null)).collect(Collectors.joining("; "));
                    fail(where + ": does not compile: " + source.strip() + "\n" + diags);
                }
                if (e.exception() != null) {
                    String cls = e.exception() instanceof EvalException ee ? ee.getExceptionClassName() : e.exception().getClass().getName();
                    fail(where + ": throws " + cls + ": " + e.exception().getMessage() + "\nin: " + source.strip());
                }
            }
            rest = ci.remaining();
        }
    }

}
