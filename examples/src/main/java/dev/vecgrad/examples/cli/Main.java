package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.kernel.Simd;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code vecgrad} command line. */
@Command(
        name = "vecgrad",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Tensors, autograd and a small GPT in pure Java, with Vector API SIMD kernels.",
        subcommands = {TrainCommand.class, SampleCommand.class, EvalCommand.class, LossCommand.class, SummaryCommand.class,
            ExampleCommand.class, BenchCommand.class, AttentionCommand.class, TokensCommand.class, TokenizerCommand.class,
            ExplainCommand.class, TestCommand.class, DashboardCommand.class, ExportCommand.class, HeadsCommand.class,
            LensCommand.class, RunsCommand.class, ShellCommand.class, HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the picocli command with vecgrad's error handling (exit status 2, one line). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Errors::onParameterError);
        cl.setExecutionExceptionHandler(Errors::onExecutionError);
        // picocli hands Errors straight through to main, so running out of heap printed a JVM
        // stack trace; it is the machine's limit (a batch too big for the heap), not a bug, and
        // gets the same one line as any other input or environment problem.
        cl.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (OutOfMemoryError e) {
                List<CommandLine> chain = parsed.asCommandLineList();
                return Errors.onOutOfMemory(e, chain.get(chain.size() - 1));
            }
        });
        cl.getSubcommands().get("train").getCommandSpec().usageMessage().footer(TrainCommand.presetFooter());
        // Set here rather than in @Command: the commands it suggests start the way vecgrad was started.
        cl.getCommandSpec().usageMessage().footer("", "New here? '" + ShellWords.command("train")
                + "' trains a small GPT in under a minute; the last lines it prints say how to sample from it. '"
                + ShellWords.command("COMMAND --help") + "' explains a command.");
        return cl;
    }

    public static void main(String[] args) {
        String simd = simdError();
        if (simd != null) {
            System.err.println("vecgrad: " + simd);
            System.exit(2);
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * Loads the kernels' vector width ({@link Simd#F}) up front, so that a bad
     * {@code -Dvecgrad.simd.bits}, or a JVM started without the Vector API module, is one line,
     * not a stack trace from whichever command touches a kernel first; returns that line, or null
     * when the kernels can load.
     */
    static String simdError() {
        try {
            return Simd.LANES > 0 ? null : "no SIMD lanes";
        } catch (ExceptionInInitializerError e) {
            return e.getCause() == null ? String.valueOf(e) : e.getCause().getMessage();
        } catch (LinkageError e) {
            // The JVM runs without the Vector API's incubator module (java -jar without the flag).
            return "the Vector API is missing: run java with --add-modules jdk.incubator.vector (./vecgrad does)";
        }
    }

    /** Prints vecgrad's version, the JDK and the SIMD species in use. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "vecgrad " + projectVersion(),
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
                "SIMD species " + Simd.describe(),
                "threads " + Runtime.getRuntime().availableProcessors() + " available"
            };
        }

        private static String projectVersion() {
            try (InputStream in = Main.class.getResourceAsStream("/vecgrad-version.properties")) {
                if (in == null) return "unknown";
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
