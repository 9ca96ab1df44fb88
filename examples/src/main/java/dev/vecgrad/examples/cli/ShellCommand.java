package dev.vecgrad.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vecgrad shell}: jshell with vecgrad on the class path. The launcher starts jshell itself
 * without starting this JVM (as it runs Maven for {@code test}); this command is what {@code --help}
 * lists and what {@code java -jar vecgrad.jar shell} runs: the same jshell, from this JVM's JDK.
 */
@Command(name = "shell", mixinStandardHelpOptions = true, customSynopsis = "vecgrad shell [-hV] [JSHELL_ARG...]",
        header = "Start jshell with vecgrad's packages imported.",
        description = {"Starts jshell with the Vector API module added and vecgrad's packages imported (autograd, nn and"
                + " the train packages; examples/src/main/jshell/vecgrad.jsh), so 'Tensor.of(1, 2, 3).pow(2).sum()' works at"
                + " the first prompt. Extra arguments go to jshell."})
final class ShellCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** The startup script, relative to the source tree. */
    static final String STARTUP = "examples/src/main/jshell/vecgrad.jsh";

    /** jshell's own options (-q, --feedback ...) are not vecgrad's: everything picocli does not know goes to jshell. */
    @Unmatched
    List<String> jshellArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        if (!Files.isExecutable(jshell)) {
            throw new IllegalArgumentException("no jshell in " + jshell.getParent()
                    + " (a JRE without the jdk.jshell module?); install a full JDK 25");
        }
        List<String> cmd = new ArrayList<>(List.of(jshell.toString(), "--class-path", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "-R--add-modules=jdk.incubator.vector", "-C-Xlint:-incubating",
                "--startup", "DEFAULT"));
        Path startup = startupScript();
        if (startup != null) {
            cmd.addAll(List.of("--startup", startup.toString()));
        } else {
            spec.commandLine().getErr().println("vecgrad shell: no " + STARTUP + " (not run from a vecgrad source tree), so"
                    + " vecgrad's packages are not imported; type 'import dev.vecgrad.autograd.*;' at the prompt");
            spec.commandLine().getErr().flush();
        }
        cmd.addAll(jshellArgs);
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    /** The source tree's startup script, or null outside a source tree. */
    static Path startupScript() {
        try {
            Path p = TestCommand.sourceRoot().resolve(STARTUP);
            return Files.isRegularFile(p) ? p : null;
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }
}
