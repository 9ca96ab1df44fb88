package dev.vecgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house rules of docs/DESIGN.md, checked on the compiled classes of autograd, nn, train and
 * examples (bench checks its own in {@code BenchArchitectureTest}): module arrows point one way,
 * autograd and nn use nothing outside the JDK, kernels know nothing of the rest of vecgrad, and
 * static state is only the documented list. Reading class files rather than import lines also
 * catches a dependency written as a fully qualified name, and sees a {@code static final
 * ThreadLocal} for the mutable state it is.
 */
class ArchitectureTest {
    private static final Path ROOT = findRoot();
    /** The main classes of autograd, nn, train and examples, read where each module's classes are. */
    private static final JavaClasses CLASSES = new ClassFileImporter().importLocations(Stream.of(
                    dev.vecgrad.autograd.Tensor.class, dev.vecgrad.nn.GPT.class, dev.vecgrad.train.run.Trainer.class,
                    dev.vecgrad.dashboard.DashboardServer.class, dev.vecgrad.examples.cli.Main.class)
            .map(c -> Location.of(c.getProtectionDomain().getCodeSource().getLocation())).toList());

    /** Packages each module must not use: the arrows autograd <- nn <- train <- dashboard <- examples (bench aside). */
    static final Map<String, List<String>> FORBIDDEN = Map.of(
            "dev.vecgrad.autograd", List.of("dev.vecgrad.nn", "dev.vecgrad.train", "dev.vecgrad.dashboard", "dev.vecgrad.examples",
                    "dev.vecgrad.bench"),
            "dev.vecgrad.nn", List.of("dev.vecgrad.train", "dev.vecgrad.dashboard", "dev.vecgrad.examples", "dev.vecgrad.bench"),
            "dev.vecgrad.train", List.of("dev.vecgrad.dashboard", "dev.vecgrad.examples", "dev.vecgrad.bench"),
            "dev.vecgrad.dashboard", List.of("dev.vecgrad.examples", "dev.vecgrad.bench"),
            "dev.vecgrad.examples", List.of("dev.vecgrad.bench"));

    /**
     * What autograd and nn may use: the JDK and themselves. {@code com.sun.management} is the JDK's
     * jdk.management module (OpProfile's per-thread allocation counter), not a third party.
     */
    static final List<String> CORE_ALLOWED = List.of("java.", "jdk.incubator.vector.", "com.sun.management.",
            "dev.vecgrad.autograd.", "dev.vecgrad.nn.");

    /** What the kernel package may use: pure array code. */
    static final List<String> KERNEL_ALLOWED = List.of("java.", "jdk.incubator.vector.", "dev.vecgrad.autograd.kernel.");

    /**
     * Every static field that holds mutable state, and why (docs/DESIGN.md, "Static state"). A
     * new one fails {@link #staticStateIsOnlyTheDocumentedList}: document it there and here.
     */
    static final Set<String> DOCUMENTED_STATE = Set.of(
            // the compute pool and its size: one pool per JVM, sized once
            "dev.vecgrad.autograd.kernel.Parallel.pool",
            "dev.vecgrad.autograd.kernel.Parallel.threads",
            // the pool's profiling counters (on only while an OpProfile is open), how many open
            // profiles hold them, and the nesting depth
            "dev.vecgrad.autograd.kernel.PoolCounters.counters",
            "dev.vecgrad.autograd.kernel.PoolCounters.holders",
            "dev.vecgrad.autograd.kernel.PoolCounters.DEPTH",
            // scope state of the calling thread, so scopes on different threads never interfere
            "dev.vecgrad.autograd.Grad.ENABLED",
            "dev.vecgrad.autograd.Anomaly.ON",
            "dev.vecgrad.autograd.Workspace.CURRENT",
            "dev.vecgrad.autograd.OpProfile.OPEN",
            // per-thread kernel scratch, reused so a compiled kernel allocates nothing
            "dev.vecgrad.autograd.kernel.Gemm.BUFFERS",
            "dev.vecgrad.autograd.kernel.GroupedSoftmax.SCRATCH");

    private static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("autograd/pom.xml"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
        return p;
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        return prefixes.stream().anyMatch(name::startsWith);
    }

    /** The class a dependency points at, arrays reduced to their element type (primitives have none). */
    private static JavaClass target(Dependency d) {
        JavaClass t = d.getTargetClass();
        while (t.isArray()) t = t.getComponentType();
        return t;
    }

    /** Dependencies of {@code classes} in package {@code pkg} (and below) on classes outside {@code allowed}. */
    static List<String> dependenciesOutside(JavaClasses classes, String pkg, List<String> allowed) {
        Set<String> out = new TreeSet<>();
        for (JavaClass c : classes) {
            if (!c.getPackageName().equals(pkg) && !c.getPackageName().startsWith(pkg + ".")) continue;
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass t = target(d);
                if (t.isPrimitive() || startsWithAny(t.getName(), allowed)) continue;
                out.add(c.getName() + " -> " + t.getName());
            }
        }
        return new ArrayList<>(out);
    }

    /** Dependencies of {@code classes} in {@code pkg} on any of the {@code banned} packages. */
    static List<String> dependenciesOn(JavaClasses classes, String pkg, List<String> banned) {
        Set<String> out = new TreeSet<>();
        for (JavaClass c : classes) {
            if (!c.getPackageName().equals(pkg) && !c.getPackageName().startsWith(pkg + ".")) continue;
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String t = target(d).getName();
                if (banned.stream().anyMatch(b -> t.startsWith(b + "."))) out.add(c.getName() + " -> " + t);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Static fields that hold mutable state and are not in {@code documented}: every non-final
     * static field, and every static field of a {@link ThreadLocal} type (final or not).
     */
    static List<String> undocumentedStaticState(JavaClasses classes, Set<String> documented) {
        List<String> out = new ArrayList<>();
        for (JavaClass c : classes) {
            for (JavaField f : c.getFields()) {
                if (!f.getModifiers().contains(JavaModifier.STATIC)) continue;
                boolean mutable = !f.getModifiers().contains(JavaModifier.FINAL)
                        || f.getRawType().isAssignableTo(ThreadLocal.class);
                String name = c.getName() + "." + f.getName();
                if (mutable && !documented.contains(name)) out.add(name + " (" + f.getRawType().getSimpleName() + ")");
            }
        }
        return out;
    }

    @Test
    void modulesDependOnlyAlongTheArrows() {
        List<String> violations = new ArrayList<>();
        FORBIDDEN.forEach((pkg, banned) -> violations.addAll(dependenciesOn(CLASSES, pkg, banned)));
        assertEquals(List.of(), violations, "dependencies against the module arrows (docs/DESIGN.md, \"Modules\")");
    }

    @Test
    void coreModulesUseOnlyTheJdk() {
        List<String> violations = new ArrayList<>(dependenciesOutside(CLASSES, "dev.vecgrad.autograd", CORE_ALLOWED));
        violations.addAll(dependenciesOutside(CLASSES, "dev.vecgrad.nn", CORE_ALLOWED));
        assertEquals(List.of(), violations, "autograd and nn must stay free of third-party dependencies");
    }

    @Test
    void kernelsUseNothingFromTheRestOfVecgrad() {
        assertEquals(List.of(), dependenciesOutside(CLASSES, "dev.vecgrad.autograd.kernel", KERNEL_ALLOWED),
                "kernel classes must be pure array code");
    }

    @Test
    void staticStateIsOnlyTheDocumentedList() {
        assertEquals(List.of(), undocumentedStaticState(CLASSES, DOCUMENTED_STATE),
                "static state not listed in docs/DESIGN.md (\"Static state\") and ArchitectureTest.DOCUMENTED_STATE");
        // A documented name that no longer exists is a stale list.
        Set<String> present = new TreeSet<>();
        for (JavaClass c : CLASSES) for (JavaField f : c.getFields()) present.add(c.getName() + "." + f.getName());
        Set<String> stale = new TreeSet<>(DOCUMENTED_STATE);
        stale.removeAll(present);
        assertEquals(Set.of(), stale, "DOCUMENTED_STATE names fields that are gone");
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

    @Test
    void opFamilyAndKernelFilesStaySmall() throws IOException {
        List<String> big = new ArrayList<>();
        for (Path f : mainSources("autograd")) {
            String name = f.getFileName().toString();
            boolean family = name.endsWith("Ops.java") || f.toString().contains("/kernel/");
            int n = Files.readAllLines(f).size();
            if (family && n > 400) big.add(ROOT.relativize(f) + " has " + n + " lines");
        }
        assertEquals(List.of(), big, "op-family and kernel files should stay around 300 lines");
    }

    // ------------------------------------------------------------------ the rules catch what they should

    /** Breaks every rule, in the ways an import scan could not see. */
    @SuppressWarnings("unused")
    static final class Offender {
        static int counter;
        static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[8]);
        private static final int CONSTANT = 3;

        Object fullyQualified() {
            return new dev.vecgrad.examples.cli.Main();
        }
    }

    @Test
    void theRulesCatchFullyQualifiedNamesAndStaticThreadLocals() {
        assertTrue(CLASSES.size() > 100, "imported only " + CLASSES.size() + " classes");
        assertTrue(CLASSES.contain("dev.vecgrad.autograd.kernel.Gemm") && CLASSES.contain("dev.vecgrad.examples.cli.Main"),
                "the import covers autograd through examples");
        JavaClasses offender = new ClassFileImporter().importClasses(Offender.class);
        String name = Offender.class.getName();
        assertEquals(List.of(name + ".SCRATCH (ThreadLocal)", name + ".counter (int)"),
                undocumentedStaticState(offender, Set.of()).stream().sorted().toList());
        assertEquals(List.of(name + " -> dev.vecgrad.examples.cli.Main"),
                dependenciesOn(offender, "dev.vecgrad.examples", List.of("dev.vecgrad.examples.cli")));
        assertTrue(dependenciesOutside(offender, "dev.vecgrad.examples", List.of("java.")).contains(
                name + " -> dev.vecgrad.examples.cli.Main"));
    }
}
