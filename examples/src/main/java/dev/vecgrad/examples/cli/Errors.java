package dev.vecgrad.examples.cli;

import picocli.CommandLine;

/**
 * How the CLI reports failures: a one-line message on stderr and exit status 2, never a stack
 * trace unless {@code VECGRAD_DEBUG=1} is set.
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
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        cl.getErr().println("vecgrad " + cl.getCommandName() + ": " + msg.lines().findFirst().orElse(msg));
        return USAGE;
    }

    static boolean debug() {
        return "1".equals(System.getenv("VECGRAD_DEBUG"));
    }
}
