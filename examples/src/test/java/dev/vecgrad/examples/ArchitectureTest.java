package dev.vecgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house rules of DESIGN.md, checked on the sources: module arrows point one way, kernels know
 * nothing of the rest of vecgrad, no mutable static state outside the documented two places, and
 * op-family files stay small.
 */
class ArchitectureTest {
    private static final Path ROOT = findRoot();

    private static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("autograd/pom.xml"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
        return p;
    }

    private static List<Path> mainSources(String module) {
        Path dir = ROOT.resolve(module).resolve("src/main/java");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void modulesDependOnlyAlongTheArrows() {
        Map<String, List<String>> forbidden = Map.of(
                "autograd", List.of("dev.vecgrad.nn", "dev.vecgrad.train", "dev.vecgrad.examples", "dev.vecgrad.bench"),
                "nn", List.of("dev.vecgrad.train", "dev.vecgrad.examples", "dev.vecgrad.bench"),
                "train", List.of("dev.vecgrad.examples", "dev.vecgrad.bench"),
                "examples", List.of("dev.vecgrad.bench"));
        List<String> violations = new ArrayList<>();
        forbidden.forEach((module, banned) -> {
            for (Path f : mainSources(module)) {
                for (String line : lines(f)) {
                    if (!line.startsWith("import")) continue;
                    for (String b : banned) if (line.contains(b + ".")) violations.add(ROOT.relativize(f) + ": " + line);
                }
            }
        });
        assertEquals(List.of(), violations, "imports against the module arrows of DESIGN.md section 1");
    }

    @Test
    void coreModulesHaveNoThirdPartyImports() {
        List<String> violations = new ArrayList<>();
        for (String module : List.of("autograd", "nn")) {
            for (Path f : mainSources(module)) {
                for (String line : lines(f)) {
                    if (line.startsWith("import") && !line.matches("import (static )?(java|javax|jdk\\.incubator\\.vector|dev\\.vecgrad)\\..*")) {
                        violations.add(ROOT.relativize(f) + ": " + line);
                    }
                }
            }
        }
        assertEquals(List.of(), violations, "autograd and nn must stay free of third-party dependencies");
    }

    @Test
    void kernelsImportNothingFromTheRestOfVecgrad() {
        List<String> violations = new ArrayList<>();
        for (Path f : mainSources("autograd")) {
            if (!f.toString().contains("/kernel/")) continue;
            for (String line : lines(f)) {
                if (line.startsWith("import") && line.contains("dev.vecgrad.") && !line.contains("dev.vecgrad.autograd.kernel.")) {
                    violations.add(ROOT.relativize(f) + ": " + line);
                }
            }
        }
        assertEquals(List.of(), violations, "kernel files must be pure array code");
    }

    private static final Pattern MUTABLE_STATIC = Pattern.compile(
            "^\\s*(?:(?:public|private|protected)\\s+)?static\\s+(?!final\\b)(?!class\\b|interface\\b|enum\\b|record\\b|abstract\\b)"
                    + "(?:volatile\\s+|transient\\s+)*[\\w.<>\\[\\], ?]+\\s+\\w+\\s*(?:=[^;]*)?;");

    @Test
    void noMutableStaticStateOutsideTheComputePoolAndTheGradFlag() {
        List<String> allowed = List.of("kernel/Parallel.java");
        List<String> violations = new ArrayList<>();
        for (String module : List.of("autograd", "nn", "train", "examples", "bench")) {
            for (Path f : mainSources(module)) {
                if (allowed.stream().anyMatch(a -> f.toString().endsWith(a))) continue;
                for (String line : lines(f)) {
                    if (MUTABLE_STATIC.matcher(line).find()) violations.add(ROOT.relativize(f) + ": " + line.strip());
                }
            }
        }
        assertEquals(List.of(), violations, "non-final static fields");
    }

    @Test
    void opFamilyAndKernelFilesStaySmall() {
        List<String> big = new ArrayList<>();
        for (Path f : mainSources("autograd")) {
            String name = f.getFileName().toString();
            boolean family = name.endsWith("Ops.java") || f.toString().contains("/kernel/");
            int n = lines(f).size();
            if (family && n > 400) big.add(ROOT.relativize(f) + " has " + n + " lines");
        }
        assertEquals(List.of(), big, "op-family and kernel files should stay around 300 lines");
    }

    @Test
    void theRulesAreActuallyChecked() {
        assertTrue(mainSources("autograd").size() > 10, "found the autograd sources");
        assertTrue(MUTABLE_STATIC.matcher("    private static int counter = 0;").find());
        assertTrue(MUTABLE_STATIC.matcher("static float[] cache;").find());
        assertTrue(!MUTABLE_STATIC.matcher("    private static final int N = 3;").find());
        assertTrue(!MUTABLE_STATIC.matcher("    static Tensor add(Tensor a, Tensor b) {").find());
    }
}
