package dev.vecgrad.examples.cli;

import static dev.vecgrad.examples.cli.CliTest.vecgrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.examples.cli.CliTest.Result;
import dev.vecgrad.train.inspect.TerminalWidth;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The text tables of {@code tokens}, {@code explain}, {@code attention}, {@code lens} and
 * {@code runs} line up in a terminal when token pieces are wide ({@code 日}, {@code 🙂}: two
 * columns each, and 🙂 two UTF-16 units) or a combining mark (the U+0301 of {@code e} + U+0301,
 * a piece of its own for a character model): every check measures where a column starts in
 * terminal columns, with {@link TerminalWidth}. {@code --threads} sets the global thread count in
 * this JVM, so the class holds the thread-count lock and restores it.
 */
@ResourceLock("vecgrad.threads")
class WideCharTablesTest {
    /** Wide characters, an astral emoji and a combining accent, all in the model's vocabulary. */
    private static final String PROMPT = "日本 🙂 cafe\u0301 a日";

    @TempDir static Path tmp;
    static Path run;
    static int threadsBefore;

    @BeforeAll
    static void trainACharModelOnWideText() throws IOException {
        threadsBefore = Parallel.threads();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 150; i++) sb.append("日本の cafe\u0301 🙂 a cat ").append(i % 5).append(" 本日 🙂🙂\n");
        Path text = Files.writeString(tmp.resolve("wide.txt"), sb.toString());
        run = tmp.resolve("run");
        Result r = vecgrad("train", "--data", text.toString(), "--preset", "tiny", "--max-iters", "4", "--eval-interval", "2",
                "--eval-iters", "1", "--block-size", "32", "--batch-size", "4", "--out", run.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.err() + r.out());
    }

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    /** The terminal column at which the text's character index i is drawn. */
    private static int column(String line, int i) {
        return TerminalWidth.of(line.substring(0, i));
    }

    /** The lines from the first that matches start up to (not including) the next that matches end. */
    private static List<String> block(String out, Predicate<String> start, Predicate<String> end) {
        List<String> lines = out.lines().toList(), block = new ArrayList<>();
        int i = 0;
        while (!start.test(lines.get(i))) i++;
        for (; i < lines.size() && !end.test(lines.get(i)); i++) block.add(lines.get(i));
        return block;
    }

    /** Every line of a block whose columns have fixed widths after the token takes as many terminal columns. */
    private static void assertSameWidth(List<String> lines, String out) {
        assertTrue(lines.size() > 2, out);
        for (String l : lines) assertEquals(TerminalWidth.of(lines.get(0)), TerminalWidth.of(l), "\"" + l + "\" in\n" + out);
    }

    @Test
    void tokensPiecesStartInOneColumn() {
        Result r = vecgrad("tokens", "--checkpoint", run.toString(), "--text", PROMPT);
        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().skip(2).toList();
        assertEquals(PROMPT.codePointCount(0, PROMPT.length()), rows.size(), r.out());
        // The piece is the last column, after two right-aligned numbers: it starts at column 14 on
        // every row, whatever its width (nothing follows it to push out of line).
        for (String l : rows) {
            assertEquals(' ', l.charAt(13), l);
            assertTrue(l.charAt(14) != ' ' && column(l, 14) == 14, l);
        }
        assertTrue(r.out().contains("◌\u0301"), "the lone accent on its dotted circle:\n" + r.out());
    }

    @Test
    void explainTablesLineUp() {
        Result r = vecgrad("explain", "--checkpoint", run.toString(), "--prompt", PROMPT);
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        // Tokens and ids; embeddings; the query against every key (with its heading); the next tokens.
        assertSameWidth(block(out, l -> l.startsWith("   ") && l.contains(" id "), String::isEmpty), out);
        assertSameWidth(block(out, l -> l.startsWith("   ") && l.contains(" = ["), String::isEmpty), out);
        assertSameWidth(block(out, l -> l.startsWith("   key "), l -> l.contains("later positions are masked")), out);
        assertSameWidth(block(out, l -> l.startsWith("     ") && l.endsWith("%"), String::isEmpty), out);
        assertTrue(out.contains("日") && out.contains("🙂") && out.contains("◌\u0301"), out);
    }

    @Test
    void attentionRowLabelsEndInOneColumn() {
        Result r = vecgrad("attention", "--checkpoint", run.toString(), "--prompt", PROMPT);
        assertEquals(0, r.code(), r.err());
        int t = PROMPT.codePointCount(0, PROMPT.length());
        List<String> rows = r.out().lines().filter(l -> l.contains(" |")).toList();
        assertEquals(2 * 2 * t, rows.size(), "a row per query token in each of 2 layers x 2 heads:\n" + r.out());
        // The right-aligned label, then " |", then two cells a key, then "|".
        int bar = column(rows.get(0), rows.get(0).indexOf(" |"));
        for (String l : rows) {
            int i = l.indexOf(" |");
            assertEquals(bar, column(l, i), "\"" + l + "\" in\n" + r.out());
            assertEquals(bar + 2 + 2 * t, column(l, l.indexOf('|', i + 2)), "\"" + l + "\" in\n" + r.out());
        }
    }

    @Test
    void lensColumnsLineUp() {
        Result r = vecgrad("lens", "--checkpoint", run.toString(), "--prompt", PROMPT, "--out", tmp.resolve("lens.png").toString());
        assertEquals(0, r.code(), r.err());
        List<String> table = new ArrayList<>(block(r.out(), l -> l.startsWith("stream \\ token"), l -> l.startsWith("actual next token")));
        table.add(r.out().lines().filter(l -> l.startsWith("actual next token")).findFirst().orElseThrow());
        // The first column's cells hold spaces ("stream \ token"), the others never (a space is ␣).
        String header = table.get(0);
        int first = "stream \\ token".length();
        while (header.charAt(first) == ' ') first++;
        List<Integer> starts = cellStarts(header, first);
        assertEquals(PROMPT.codePointCount(0, PROMPT.length()), starts.size(), "one column a token:\n" + r.out());
        for (String l : table) assertEquals(starts, cellStarts(l, first), "\"" + l + "\" in\n" + r.out());
    }

    /** The terminal column of each cell from char index {@code first} on: a non-space after a space. */
    private static List<Integer> cellStarts(String line, int first) {
        List<Integer> starts = new ArrayList<>();
        for (int i = first; i < line.length(); i++) {
            if (line.charAt(i) != ' ' && (i == first || line.charAt(i - 1) == ' ')) starts.add(column(line, i));
        }
        return starts;
    }

    @Test
    void runsTableLinesUpAndCutsLongNamesByColumns() {
        // The table alone: a run directory named in CJK would depend on the file system's encoding.
        String longName = "日本語の実行🙂".repeat(3);
        // 42 columns cut to at most 28: thirteen wide characters and the ellipsis (a fourteenth would make 29).
        assertEquals("日本語の実行🙂日本語の実行…", RunsCommand.shorten(longName, 28));
        assertEquals("🙂🙂", RunsCommand.shorten("🙂🙂", 4));
        List<String[]> rows = List.of(
                new String[] {"run", "data", "model", "steps", "best val (step)", "last val", "tokens/s", "state"},
                new String[] {RunsCommand.shorten(longName, 28), "日本.txt, char 40", "2x2x32", "4/4", "3.1000 (4)", "3.1000", "1,234",
                    "finished"},
                new String[] {"plain", "cafe\u0301.txt, char 40", "2x2x32", "4/4", "3.2000 (4)", "3.2000", "1,200", "finished"});
        StringWriter sw = new StringWriter();
        try (PrintWriter pw = new PrintWriter(sw)) {
            RunsCommand.printTable(pw, rows);
        }
        List<String> lines = sw.toString().lines().toList();
        // Each column starts where its heading does: the data, model and state columns.
        String[] headings = {"data", "model", "state"}, wide = {"日本.txt", "2x2x32", "finished"}, plain = {"cafe\u0301.txt", "2x2x32", "finished"};
        for (int c = 0; c < headings.length; c++) {
            int col = column(lines.get(0), lines.get(0).indexOf(headings[c]));
            assertEquals(col, column(lines.get(1), lines.get(1).indexOf(wide[c])), sw.toString());
            assertEquals(col, column(lines.get(2), lines.get(2).indexOf(plain[c])), sw.toString());
        }
    }
}
