package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.kernel.Parallel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --threads N} for every command that computes. More threads than the machine has
 * processors only makes the compute pool's threads take turns (64 threads on 2 cores made a
 * training step ten times slower), so a larger value is capped with a one-line notice.
 */
final class ThreadsOption {
    @Spec(Spec.Target.MIXEE) CommandSpec mixee;

    @Option(names = "--threads", paramLabel = "N",
            description = "Compute threads (default: every available processor; more than that is capped).")
    Integer threads;

    /**
     * Sizes the compute pool from {@code --threads} (when given) and returns the thread count in
     * use; prints a notice on stderr when the value was capped.
     */
    int apply() {
        if (threads == null) return Parallel.threads();
        int n = capped(mixee, threads, Runtime.getRuntime().availableProcessors());
        Parallel.setThreads(n);
        return n;
    }

    /**
     * The thread count to use when {@code requested} threads are asked for on a machine with
     * {@code cores} processors: at most {@code cores}, with a notice on the command's stderr when
     * capped.
     *
     * @throws ParameterException when {@code requested < 1}
     */
    static int capped(CommandSpec command, int requested, int cores) {
        if (requested < 1) throw new ParameterException(command.commandLine(), "--threads must be >= 1, got " + requested);
        if (requested <= cores) return requested;
        command.commandLine().getErr().printf("vecgrad %s: --threads %d is more than the %d available processors; using %d%n",
                command.name(), requested, cores, cores);
        command.commandLine().getErr().flush();
        return cores;
    }
}
