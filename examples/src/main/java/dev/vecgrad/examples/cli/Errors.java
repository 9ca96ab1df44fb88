package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.NonFiniteException;
import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import dev.vecgrad.train.run.ByteSize;
import dev.vecgrad.train.run.RunInUseException;
import dev.vecgrad.train.run.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * How the CLI reports failures: one line on stderr, {@code vecgrad <command>: <what went wrong>},
 * and exit status 2. A mistake in the input (an unknown flag, an impossible value, a missing or
 * malformed file) is that one line and nothing else; only an error the code did not expect (a bug)
 * adds a second line pointing at {@code VECGRAD_DEBUG=1}, which prints the stack trace.
 */
final class Errors {
    /** Exit status for bad input: unknown flags, impossible values, unreadable files. */
    static final int USAGE = 2;

    private Errors() {}

    static int onParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        if (debug()) e.printStackTrace(cl.getErr());
        cl.getErr().println(prefix(cl) + parameterMessage(e, cl));
        cl.getErr().flush();
        return USAGE;
    }

    /** The one-line message for a command-line mistake, with picocli's suggestions for a misspelling. */
    static String parameterMessage(CommandLine.ParameterException e, CommandLine cl) {
        if (e instanceof CommandLine.MissingParameterException && !cl.getUnmatchedArguments().isEmpty()) {
            // A misspelt required option is both unknown and missing; picocli reports it missing,
            // which hides the typo and the suggestion that would fix it.
            e = new CommandLine.UnmatchedArgumentException(cl, cl.getUnmatchedArguments());
        }
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            boolean option = arg.startsWith("-");
            boolean isRoot = cl.getParent() == null;
            String what = option ? "unknown option '" + arg + "'"
                    : isRoot ? "unknown command '" + arg + "'" : "unexpected argument '" + arg + "'";
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                return what + "; did you mean " + String.join(" or ", suggestions.stream().limit(3).map(s -> "'" + s + "'").toList())
                        + "?";
            }
            return what + " (see '" + ShellWords.command(subcommandPath(cl) + "--help") + "')";
        }
        return strip(e.getMessage(), cl.getCommandName());
    }

    static int onExecutionError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (debug()) e.printStackTrace(err);
        String msg = describe(e);
        if (unwrap(e) instanceof TrainingDivergedException d && anomalyDetectionOn(d, cl)) {
            // The op is already named (or the flag was given): only the remedies remain to say.
            msg = d.getMessage() + "; try a lower --lr or --grad-clip 1.0";
        }
        err.println(prefix(cl) + strip(msg, cl.getCommandName()));
        if (!debug() && !expected(e)) {
            err.println("hint: this looks like a bug in vecgrad; VECGRAD_DEBUG=1 shows the stack trace");
        }
        err.flush();
        return USAGE;
    }

    /**
     * Out of heap while a command ran: one line with what to change, like other expected errors.
     *
     * @param e the error
     * @param cl the command that was running
     * @return the exit status
     */
    static int onOutOfMemory(OutOfMemoryError e, CommandLine cl) {
        PrintWriter err = cl.getErr();
        if (debug()) e.printStackTrace(err);
        err.println(prefix(cl) + describe(e) + " (heap limit " + ByteSize.of(Runtime.getRuntime().maxMemory()) + ")");
        err.flush();
        return USAGE;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof UncheckedIOException u && u.getCause() != null ? unwrap(u.getCause()) : e;
    }

    /**
     * Whether a diverged run already had anomaly detection on: the op was found (the cause names
     * it), or the command's {@code --detect-anomaly} is set (on the command line or in a config
     * file); then suggesting the flag is no help.
     */
    static boolean anomalyDetectionOn(TrainingDivergedException e, CommandLine cl) {
        if (e.getCause() instanceof NonFiniteException) return true;
        CommandLine.Model.OptionSpec o = cl.getCommandSpec().findOption("--detect-anomaly");
        return o != null && Boolean.TRUE.equals(o.getValue());
    }

    /** The words that name {@code cl} after the program, each followed by a space: {@code "tokenizer train "}, or "" for the top level. */
    static String subcommandPath(CommandLine cl) {
        return cl.getParent() == null ? "" : subcommandPath(cl.getParent()) + cl.getCommandName() + " ";
    }

    /** {@code "vecgrad train: "}, or {@code "vecgrad: "} for the top-level command. */
    static String prefix(CommandLine cl) {
        return cl.getParent() == null ? "vecgrad: " : cl.getCommandSpec().qualifiedName() + ": ";
    }

    /**
     * Whether an exception reports a problem with the user's input or environment (a value out of
     * range, a file that is missing, unreadable or malformed, a run that diverged or is in use),
     * as opposed to a bug.
     */
    static boolean expected(Throwable e) {
        if (e instanceof UncheckedIOException u) return expected(u.getCause());
        return e instanceof IllegalArgumentException
                || e instanceof CommandLine.ParameterException
                || e instanceof IOException   // files: missing, unreadable, malformed (CheckpointFormatException), disk full
                || e instanceof TrainingDivergedException
                || e instanceof RunInUseException
                || e instanceof OutOfMemoryError;
    }

    /** Drops a prefix that repeats the command's own name or picocli's "Error: ". */
    static String strip(String msg, String command) {
        String m = msg;
        for (boolean again = true; again; ) {
            again = false;
            for (String p : new String[] {command + ": ", "vecgrad " + command + ": ", "vecgrad: ", "Error: "}) {
                if (m.regionMatches(true, 0, p, 0, p.length())) {
                    m = m.substring(p.length());
                    again = true;
                }
            }
        }
        return m;
    }

    /** One line saying what went wrong, in the user's terms. */
    static String describe(Throwable e) {
        String msg = e.getMessage();
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        } else if (e instanceof NoSuchFileException n) {
            msg = n.getFile() + ": " + (n.getReason() != null ? n.getReason() : "no such file or directory");
        } else if (e instanceof AccessDeniedException a) {
            msg = a.getFile() + ": permission denied";
        } else if (e instanceof FileAlreadyExistsException f) {
            msg = f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "already exists (and is not a directory)");
        } else if (e instanceof NotDirectoryException d) {
            msg = d.getFile() + ": not a directory";
        } else if (e instanceof FileSystemException f && f.getFile() != null && f.getReason() != null) {
            msg = f.getFile() + ": " + f.getReason().toLowerCase(Locale.ROOT);
        } else if (e instanceof OutOfMemoryError) {
            msg = "out of memory; try a smaller --batch-size or --block-size, or raise -Xmx via VECGRAD_JAVA_OPTS";
        } else if (e instanceof CheckpointFormatException) {
            msg = e.getMessage();
        } else if (e instanceof TrainingDivergedException) {
            // The library names no flags; the remedies, in this command line's terms:
            msg = e.getMessage() + "; try a lower --lr or --grad-clip 1.0, or --detect-anomaly to find the op";
        } else if (msg == null) {
            msg = e.getClass().getSimpleName();
        } else if (!expected(e)) {
            msg = e.getClass().getSimpleName() + ": " + msg;
        }
        return msg.lines().findFirst().orElse(msg);
    }

    static boolean debug() {
        return "1".equals(System.getenv("VECGRAD_DEBUG"));
    }
}
