package dev.vecgrad.examples.cli;

import dev.vecgrad.train.run.TrainingDivergedException;
import picocli.CommandLine;

/**
 * How the CLI reports failures: a one-line message on stderr, then one {@code hint:} line, and
 * exit status 2; never a stack trace unless {@code VECGRAD_DEBUG=1} is set.
 */
final class Errors {
    /** Exit status for bad input: unknown flags, impossible values, unreadable files. */
    static final int USAGE = 2;

    private Errors() {}

    static int onParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("vecgrad: " + e.getMessage());
        cl.getErr().println("hint: run '" + cl.getCommandSpec().qualifiedName() + " --help' for usage");
        return USAGE;
    }

    static int onExecutionError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (debug()) e.printStackTrace(cl.getErr());
        cl.getErr().println("vecgrad " + cl.getCommandName() + ": " + describe(e));
        if (e instanceof TrainingDivergedException) {
            cl.getErr().println("hint: try a lower --lr or --grad-clip 1.0, or --detect-anomaly to find the op");
        } else if (!debug()) {
            cl.getErr().println("hint: set VECGRAD_DEBUG=1 to see the stack trace");
        }
        return USAGE;
    }

    /** One line saying what went wrong, in the user's terms. */
    static String describe(Throwable e) {
        String msg = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException n) {
            msg = n.getFile() + ": " + (n.getReason() != null ? n.getReason() : "no such file");
        } else if (e instanceof java.nio.file.AccessDeniedException a) {
            msg = a.getFile() + ": permission denied";
        } else if (e instanceof OutOfMemoryError) {
            msg = "out of memory; try a smaller --batch-size or --block-size, or raise -Xmx via VECGRAD_JAVA_OPTS";
        } else if (msg == null) {
            msg = e.getClass().getSimpleName();
        }
        return msg.lines().findFirst().orElse(msg);
    }

    static boolean debug() {
        return "1".equals(System.getenv("VECGRAD_DEBUG"));
    }
}
