package dev.vecgrad.examples.cli;

import dev.vecgrad.dashboard.DashboardServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad dashboard}: a local web page over the run directories, live while they train. */
@Command(name = "dashboard", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Watch runs train and look inside their models in the browser.",
        description = {"A local web page over a directory of runs: live loss curves, attention maps, the explain"
                + " walk-through and streamed samples, plus the JSON API under /api/ (see the README). Ctrl-C stops it."})
final class DashboardCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Directory of run directories (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Option(names = "--port", paramLabel = "N", defaultValue = "6006", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--model-memory-mb", paramLabel = "MB", defaultValue = "1024",
            description = "Memory for models kept loaded between requests (default: ${DEFAULT-VALUE}).")
    long modelMemoryMb;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new ParameterException(spec.commandLine(), "--port must be 0..65535, got " + port);
        if (modelMemoryMb < 1) throw new ParameterException(spec.commandLine(), "--model-memory-mb must be >= 1, got " + modelMemoryMb);
        if (Files.exists(runs) && !Files.isDirectory(runs)) {
            throw new ParameterException(spec.commandLine(), "--runs " + runs + ": is a file, not a directory (--runs takes the"
                    + " directory that holds the runs, e.g. runs)");
        }
        if (!Files.isDirectory(runs)) {
            throw new ParameterException(spec.commandLine(), "--runs " + runs + ": no such directory (train a run first: "
                    + ShellWords.command("train") + ", which saves under runs/)");
        }
        PrintWriter out = spec.commandLine().getOut();
        DashboardServer server = start(spec, new DashboardServer.Options(runs, host, port, modelMemoryMb, trainSuggestion(runs)), "--port");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        out.printf("vecgrad dashboard: %s (runs in %s; Ctrl-C to stop)%n", server.url(), runs);
        out.flush();
        stopped.await();
        return 0;
    }

    /** The page's suggestion while {@code runs} is empty: a run saved there, written as vecgrad was started. */
    static String trainSuggestion(Path runs) {
        return ShellWords.command("train --out " + ShellWords.quote(runs.resolve("first").toString()));
    }

    /**
     * Starts a dashboard, warning on stderr when it is reachable from other machines.
     *
     * @param portFlag the running command's option for the port, which a busy port's error suggests changing
     */
    static DashboardServer start(CommandSpec spec, DashboardServer.Options o, String portFlag) throws java.io.IOException {
        if (!DashboardServer.isLoopback(o.host())) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf("vecgrad dashboard: warning: listening on %s; anyone who can reach port %d can read these runs"
                    + " and run their models%n", o.host(), o.port());
            err.flush();
        }
        try {
            return DashboardServer.start(o);
        } catch (java.net.BindException e) {
            var named = new java.net.BindException(e.getMessage() + " (pick another " + portFlag + ", or 0 for any free one)");
            named.initCause(e);
            throw named;
        }
    }
}
