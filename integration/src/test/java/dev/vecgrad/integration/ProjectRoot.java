package dev.vecgrad.integration;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, found upwards from the working directory (the module directory under Maven). */
final class ProjectRoot {
    private ProjectRoot() {}

    static Path find() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("autograd/pom.xml")) && Files.exists(p.resolve("vecgrad")))) {
            p = p.getParent();
        }
        if (p == null) throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
        return p;
    }
}
