package dev.vecgrad.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vecgrad help [COMMAND [SUBCOMMAND]]}: the help page of a command, following subcommands,
 * so that {@code help tokenizer train} is {@code tokenizer train --help}. picocli's own help
 * command takes one name: it showed the help of {@code tokenizer} and dropped {@code train}.
 */
@Command(name = "help", helpCommand = true, header = "Show the help of a command, or of one of its subcommands.",
        synopsisHeading = "%nUsage: ",
        description = {"%nWithout COMMAND, vecgrad's own help; 'help tokenizer train' shows the help of 'tokenizer train'.%n"})
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A command, and a subcommand of it if it has them.")
    List<String> commands = new ArrayList<>();

    private CommandLine self;
    private Help.ColorScheme colors;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter outWriter, PrintWriter errWriter) {
        self = helpCommandLine;
        colors = colorScheme;
        out = outWriter;
    }

    @Override
    public void run() {
        CommandLine target = self.getParent();
        for (String name : commands) {
            CommandLine sub = target.getSubcommands().get(name);
            // Reported as the command line 'target name' would be: with picocli's suggestions.
            if (sub == null) throw new CommandLine.UnmatchedArgumentException(target, List.of(name));
            target = sub;
        }
        target.usage(out, colors);
    }
}
