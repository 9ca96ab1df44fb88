package dev.vecgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The static-state rule of examples' ArchitectureTest for the benchmark classes, which the other
 * modules' tests cannot see (bench is built last and nothing depends on it). JMH's generated
 * harness classes are JMH's, not ours, and are left out.
 */
class BenchArchitectureTest {
    @Test
    void benchmarksKeepNoStaticState() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.vecgrad.bench");
        List<String> state = new ArrayList<>();
        int ours = 0;
        for (JavaClass c : classes) {
            if (c.getPackageName().contains("jmh_generated")) continue;
            ours++;
            for (JavaField f : c.getFields()) {
                boolean isStatic = f.getModifiers().contains(JavaModifier.STATIC);
                boolean mutable = !f.getModifiers().contains(JavaModifier.FINAL) || f.getRawType().isAssignableTo(ThreadLocal.class);
                if (isStatic && mutable) state.add(c.getName() + "." + f.getName());
            }
        }
        assertTrue(ours >= 5, "found only " + ours + " benchmark classes");
        assertEquals(List.of(), state, "static mutable state in the benchmarks");
    }
}
