package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Every op name recorded in the main sources ({@code Engine.record(out, "name", ...)}) must be
 * covered by a GradCheck property ({@code @Property} annotated {@code @Covers("name")}). Adding a
 * differentiable op without a gradient property fails this test.
 */
class OpCoverageTest {

    /**
     * Record sites whose op name is a variable rather than a literal: the names it can take, per
     * file. Adding such a site elsewhere fails {@link #everyRecordSiteIsUnderstood()}; a name
     * listed here that no longer appears as a literal in its file fails too.
     */
    private static final Map<String, Set<String>> DYNAMIC_NAMES = Map.of(
            "ViewOps.java", Set.of("transpose", "permute"),
            "SoftmaxOps.java", Set.of("softmax", "logSoftmax"),
            "IndexOps.java", Set.of("where", "maskedFill"));

    /** One {@code Engine.record} call: the file, and either a literal name or a variable. */
    record Site(String file, String name, boolean literal) {}

    static Path mainSources() {
        for (Path p : List.of(Path.of("src/main/java/dev/vecgrad/autograd"),
                Path.of("autograd/src/main/java/dev/vecgrad/autograd"))) {
            if (Files.isDirectory(p)) return p;
        }
        throw new IllegalStateException("cannot find the autograd main sources from " + Path.of("").toAbsolutePath());
    }

    /** Finds every {@code Engine.record(} call and reads its second argument. */
    static List<Site> recordSites() throws IOException {
        List<Site> sites = new ArrayList<>();
        try (Stream<Path> files = Files.walk(mainSources())) {
            // CustomOp records ops that users define (and check with GradCheck themselves).
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("CustomOp.java")).sorted().toList()) {
                String src = Files.readString(f);
                String file = f.getFileName().toString();
                String call = "Engine.record(";
                for (int at = src.indexOf(call); at >= 0; at = src.indexOf(call, at + 1)) {
                    sites.add(secondArgument(file, src, at + call.length()));
                }
            }
        }
        return sites;
    }

    /** Skips the first argument (which may itself contain calls and commas) and parses the second. */
    private static Site secondArgument(String file, String src, int i) {
        int depth = 0;
        for (; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == ',' && depth == 0) break;
        }
        i++;
        while (Character.isWhitespace(src.charAt(i))) i++;
        if (src.charAt(i) == '"') {
            int end = src.indexOf('"', i + 1);
            return new Site(file, src.substring(i + 1, end), true);
        }
        int end = i;
        while (Character.isJavaIdentifierPart(src.charAt(end))) end++;
        return new Site(file, src.substring(i, end), false);
    }

    /** Op names recorded by the main code, literal and dynamic. */
    static Set<String> recordedOps() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Site s : recordSites()) {
            if (s.literal()) names.add(s.name());
            else names.addAll(DYNAMIC_NAMES.getOrDefault(s.file(), Set.of()));
        }
        return names;
    }

    /** Op names covered by a property, mapped to the properties that cover them. */
    static Map<String, List<String>> coveredOps() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(OpCoverageTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, List<String>> covered = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList()) {
                String name = classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
                Class<?> c = Class.forName(name.substring(0, name.length() - ".class".length()));
                for (Method m : c.getDeclaredMethods()) {
                    Covers cov = m.getAnnotation(Covers.class);
                    if (cov == null) continue;
                    if (m.getAnnotation(Property.class) == null) {
                        fail("@Covers on " + c.getSimpleName() + "." + m.getName() + ", which is not a jqwik @Property");
                    }
                    for (String op : cov.value()) {
                        covered.computeIfAbsent(op, k -> new ArrayList<>()).add(c.getSimpleName() + "." + m.getName());
                    }
                }
            }
        }
        return covered;
    }

    @Test
    void everyRecordedOpHasAGradientProperty() throws Exception {
        Set<String> recorded = recordedOps();
        Map<String, List<String>> covered = coveredOps();
        Set<String> missing = new TreeSet<>(recorded);
        missing.removeAll(covered.keySet());
        assertTrue(missing.isEmpty(), "ops recorded with Engine.record but covered by no GradCheck property"
                + " (add a @Property annotated @Covers(\"name\")): " + missing);
        Set<String> unknown = new TreeSet<>(covered.keySet());
        unknown.removeAll(recorded);
        assertTrue(unknown.isEmpty(), "@Covers names that no Engine.record call uses (typo or renamed op?): " + unknown);
    }

    @Test
    void everyRecordSiteIsUnderstood() throws Exception {
        List<Site> sites = recordSites();
        assertTrue(sites.size() >= 20, "the scan found only " + sites.size() + " Engine.record calls: " + sites);
        for (Site s : sites) {
            if (s.literal()) continue;
            assertTrue(DYNAMIC_NAMES.containsKey(s.file()), s.file() + " records an op named by the variable '"
                    + s.name() + "': list the names it can take in OpCoverageTest.DYNAMIC_NAMES");
        }
        for (var e : DYNAMIC_NAMES.entrySet()) {
            String src = Files.readString(mainSources().resolve(e.getKey()));
            for (String name : e.getValue()) {
                assertTrue(src.contains("\"" + name + "\""), e.getKey() + " no longer mentions the op name \"" + name
                        + "\"; update OpCoverageTest.DYNAMIC_NAMES");
            }
        }
    }

    @Test
    void theScanSeesTheKnownOps() throws Exception {
        // Guards the scanner itself: a broken parser that finds nothing would make the coverage test vacuous.
        Set<String> recorded = recordedOps();
        for (String op : List.of("add", "matmul", "gather", "layerNorm", "crossEntropy", "indexSelect", "where")) {
            assertTrue(recorded.contains(op), "scan missed " + op + ": " + recorded);
        }
        // A parser that lost its place would return fragments ("", "out, \"add", "x)"), not op names.
        for (String op : recorded) assertTrue(op.matches("[a-z][A-Za-z0-9]*"), "not an op name: '" + op + "' in " + recorded);
    }

    @Test
    void theParserSkipsNestedFirstArgumentsAndTellsLiteralsFromVariables() {
        String src = "x = Engine.record(f(a, g(b, c))[0], \"gelu\", a); y = Engine.record(new T[] {p, q}, opName, b);";
        int first = src.indexOf("Engine.record(") + "Engine.record(".length();
        assertEquals(new Site("F.java", "gelu", true), secondArgument("F.java", src, first));
        int second = src.indexOf("Engine.record(", first) + "Engine.record(".length();
        assertEquals(new Site("F.java", "opName", false), secondArgument("F.java", src, second));
    }
}
