package dev.vecgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module descriptors, checked by the compiler the way a consumer meets them: a small module
 * that requires vecgrad modules is compiled against the built modules on the module path. It may
 * use the public API with nothing but {@code requires dev.vecgrad.nn} (autograd comes
 * transitively, the Vector API without {@code --add-modules}), and it may not use the kernel
 * package, which autograd exports only to train and the app.
 */
class ModuleBoundaryTest {
    private static String modulePath;

    /** The vecgrad modules, Jackson and XChart (which train requires), found on the test class path. */
    @BeforeAll
    static void findModules() {
        Map<String, String> found = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.exists(p)) continue;
            Set<ModuleReference> refs;
            try {
                refs = ModuleFinder.of(p).findAll();
            } catch (RuntimeException e) {
                continue;   // not a valid module (e.g. a jar whose derived name is illegal): not ours
            }
            for (ModuleReference r : refs) {
                String name = r.descriptor().name();
                if (name.startsWith("dev.vecgrad.") || name.startsWith("com.fasterxml.jackson.") || name.equals("org.knowm.xchart")) {
                    found.put(name, entry);
                }
            }
        }
        for (String m : List.of("dev.vecgrad.autograd", "dev.vecgrad.nn", "dev.vecgrad.train")) {
            assertTrue(found.containsKey(m), "module " + m + " is not on the test class path as a module: " + found);
            assertFalse(ModuleFinder.of(Path.of(found.get(m))).find(m).orElseThrow().descriptor().isAutomatic(),
                    m + " has no module-info.class");
        }
        modulePath = found.entrySet().stream()
                .filter(e -> !e.getKey().equals("dev.vecgrad.examples"))
                .map(Map.Entry::getValue)
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Compiles {@code module-info.java} plus one class of package {@code use}; returns javac's output, or null on success. */
    private static String compile(Path dir, String requires, String body) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("use"));
        Files.writeString(src.resolve("module-info.java"), "module use { " + requires + " }\n");
        Files.writeString(src.resolve("use/Use.java"), "package use;\n" + body + "\n");
        // The JDK's javac as a process: this test class is itself compiled into the app module,
        // which does not read java.compiler, and a process also keeps javac's module graph apart
        // from the test JVM's class path.
        Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
        Path log = dir.resolve("javac.log");
        List<String> cmd = new ArrayList<>(List.of(javac.toString(), "-d", dir.resolve("out").toString(),
                "--module-path", modulePath, "-Xlint:-incubating",
                src.resolve("module-info.java").toString(), src.resolve("use/Use.java").toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int code = p.waitFor();
            return code == 0 ? null : Files.readString(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while javac ran", e);
        }
    }

    @Test
    void publicApiNeedsOnlyRequiresNn(@TempDir Path dir) throws IOException {
        String errors = compile(dir, "requires dev.vecgrad.nn;", """
                import dev.vecgrad.autograd.Tensor;
                import dev.vecgrad.nn.Linear;
                public class Use {
                    public static float run() {
                        return Tensor.of(1, 2, 3).pow(2).sum().item() + new Linear(3, 2, true).parameters().size();
                    }
                }""");
        assertEquals(null, errors, "a module requiring only dev.vecgrad.nn should compile against the public API");
    }

    @Test
    void kernelPackageIsNotExportedToConsumers(@TempDir Path dir) throws IOException {
        String errors = compile(dir, "requires dev.vecgrad.train;", """
                import dev.vecgrad.autograd.kernel.Simd;
                public class Use {
                    public static int lanes() { return Simd.LANES; }
                }""");
        assertTrue(errors != null, "code outside the allowed modules compiled against dev.vecgrad.autograd.kernel");
        assertTrue(errors.contains("package dev.vecgrad.autograd.kernel is not visible")
                        && errors.contains("does not export it to module use"),
                "expected javac's 'not visible / does not export it' error, got:\n" + errors);
    }

    @Test
    void autogradDoesNotReadNn(@TempDir Path dir) throws IOException {
        // Requiring autograd alone gives no nn: the graph runs autograd <- nn <- train only.
        String errors = compile(dir, "requires dev.vecgrad.autograd;", """
                public class Use {
                    public static Object layer() { return new dev.vecgrad.nn.Linear(3, 2, true); }
                }""");
        assertTrue(errors != null && errors.contains("package dev.vecgrad.nn is not visible"),
                "expected nn to be invisible to a module that requires only autograd, got:\n" + errors);
    }

    /** The repository root, found upwards from the working directory. */
    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("autograd/pom.xml"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
        return p;
    }

    @Test
    void everyPackageOfTheLibraryModulesIsExported() throws IOException {
        // A package that module-info.java does not export works on the class path and then
        // vanishes for module-path users: catch it here, where the package is added.
        List<String> missing = new ArrayList<>();
        for (String module : List.of("autograd", "testing", "nn", "train")) {
            Path src = root().resolve(module).resolve("src/main/java");
            String info = Files.readString(src.resolve("module-info.java"));
            Set<String> exported = new TreeSet<>();
            Matcher m = Pattern.compile("(?m)^\\s*exports\\s+([\\w.]+)").matcher(info);
            while (m.find()) exported.add(m.group(1));
            Set<String> packages = new TreeSet<>();
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("module-info.java"))
                        .forEach(f -> packages.add(src.relativize(f.getParent()).toString().replace(File.separatorChar, '.')));
            }
            for (String pkg : packages) if (!exported.contains(pkg)) missing.add(module + ": " + pkg);
        }
        assertEquals(List.of(), missing, "packages not exported in their module-info.java (docs/DESIGN.md, \"Java modules\")");
    }
}
