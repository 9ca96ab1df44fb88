package dev.vecgrad.examples.cli;

import dev.vecgrad.examples.demo.CharGpt;
import dev.vecgrad.examples.demo.LinearRegression;
import dev.vecgrad.examples.demo.Softplus;
import dev.vecgrad.examples.demo.XorMlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad example NAME}: runs one of the small Java API demos (sources in examples/.../demo). */
@Command(name = "example", mixinStandardHelpOptions = true,
        header = "Run a small Java API demo: xor, linear, custom-op, char-gpt.",
        description = {"The demos:",
            "  xor        a two-layer MLP learns XOR with SGD.",
            "  linear     gradient descent recovers y = 3x - 2.",
            "  custom-op  a differentiable op (softplus), checked by GradCheck.",
            "  char-gpt   a character GPT in ~30 lines; ARG: [FILE [STEPS]]."})
final class ExampleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "xor, linear, custom-op or char-gpt.") String name;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments of the demo.") String[] args = new String[0];

    @Override
    public Integer call() throws Exception {
        if (name == null) {
            throw new ParameterException(spec.commandLine(), "which example? expected xor, linear, custom-op or char-gpt"
                    + " ('" + ShellWords.command("example --help") + "' says what each shows)");
        }
        switch (name) {
            case "xor" -> XorMlp.run(1000, System.out);
            case "linear" -> LinearRegression.run(200, System.out);
            case "custom-op" -> Softplus.run(System.out).assertOk();
            case "char-gpt" -> {
                String text = args.length > 0 ? Files.readString(Path.of(args[0])) : "hello world, hello vecgrad. ".repeat(200);
                CharGpt.run(text, args.length > 1 ? steps(args[1]) : 300, System.out);
            }
            default -> throw new ParameterException(spec.commandLine(), "unknown example '" + name
                    + "' (expected xor, linear, custom-op or char-gpt)");
        }
        return 0;
    }

    private int steps(String arg) {
        try {
            int n = Integer.parseInt(arg);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below, with what was expected
        }
        throw new ParameterException(spec.commandLine(), "char-gpt STEPS: expected a whole number of at least 1, got '" + arg + "'");
    }
}
