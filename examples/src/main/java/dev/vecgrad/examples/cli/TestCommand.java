package dev.vecgrad.examples.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vecgrad test}: the whole test suite, {@code mvn -B verify} in the source tree. The
 * launcher runs Maven itself without starting this JVM; this command is what {@code java -jar
 * vecgrad.jar test} and {@code --help} see.
 */
@Command(name = "test", mixinStandardHelpOptions = true, customSynopsis = "vecgrad test [-hV] [MAVEN_ARG...]",
        header = "Build and run the whole test suite (mvn -B verify).",
        description = {"Runs 'mvn -B verify' in the vecgrad source tree this jar was built from (or the current directory"
                + " when that holds vecgrad's pom.xml). Extra arguments go to Maven, e.g. -pl train -Dtest=StateFileTest."})
final class TestCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** Maven's own options (-pl, -Dtest=...) are not vecgrad's: everything picocli does not know goes to Maven, after 'verify'. */
    @Unmatched
    List<String> mavenArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path root = sourceRoot();
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-Dstyle.color=never", "verify"));
        cmd.addAll(mavenArgs);
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(root.toFile()).inheritIO().start();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot start Maven (mvn): " + e.getMessage()
                    + "; install Maven 3.8+ (apt-get install maven)");
        }
        return p.waitFor();
    }

    /** The source tree to test: the one the running code was built from, else the working directory. */
    static Path sourceRoot() throws IOException {
        for (Path start : List.of(codeLocation(), Path.of("").toAbsolutePath())) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (isVecgradRoot(p)) return p;
            }
        }
        throw new IllegalArgumentException("not in a vecgrad source tree (no pom.xml of vecgrad-parent here or above "
                + Path.of("").toAbsolutePath() + "); '" + ShellWords.command("test")
                + "' runs the tests of a source checkout");
    }

    private static boolean isVecgradRoot(Path p) throws IOException {
        Path pom = p.resolve("pom.xml");
        return Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>vecgrad-parent</artifactId>")
                && Files.isDirectory(p.resolve("autograd"));
    }

    private static Path codeLocation() {
        try {
            return Path.of(TestCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("").toAbsolutePath();
        }
    }
}
