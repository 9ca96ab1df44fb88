package dev.vecgrad.examples.cli;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.AdditionTask;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.tokenizer.TextStream;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.sample.Generator;
import dev.vecgrad.train.sample.StopStrings;
import dev.vecgrad.train.sample.TokenPicker;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad sample}: continue a prompt with a trained model. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Generate text from a trained model.",
        description = {"Continues a prompt with a run directory's model, a model.safetensors file that holds its"
                + " tokenizer, or a Hugging Face GPT-2 folder. In --prompt and --stop, \\n stands for a line break.",
            "An addition model stops after the answer; without --prompt it gets a random problem."})
final class SampleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "Text to continue; - reads standard input (default: a line break, or the model's first token"
                    + " when its vocabulary has none).")
    String prompt;

    @Option(names = "--prompt-file", paramLabel = "FILE", description = "Continue the text of a UTF-8 file (exactly as it is).")
    Path promptFile;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "500", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "200", description = "Sample among the K likeliest tokens; 0 for all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1337", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--num-samples", paramLabel = "N", defaultValue = "1",
            description = "Independent samples of the same prompt, separated by a line of dashes (default: ${DEFAULT-VALUE}).")
    int numSamples;

    @Option(names = "--stop", paramLabel = "TEXT",
            description = "End a sample where this text appears (not printed); may be given more than once.")
    List<String> stops = new ArrayList<>();

    @Mixin ThreadsOption threads;

    @Option(names = "--stats", description = "After the text, print to stderr how long loading and generating took"
            + " (tokens/s) and the heap's peak.")
    boolean stats;

    /** What separates samples when {@code --num-samples} is above 1. */
    static final String SEPARATOR = "---------------";

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (maxNewTokens < 0) throw new ParameterException(spec.commandLine(), "--max-new-tokens must be >= 0, got " + maxNewTokens);
        if (numSamples < 1) throw new ParameterException(spec.commandLine(), "--num-samples must be >= 1, got " + numSamples);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new ParameterException(spec.commandLine(), "--temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) throw new ParameterException(spec.commandLine(), "--top-k must be >= 0, got " + topK);
        if (prompt != null && promptFile != null) throw new ParameterException(spec.commandLine(), "give --prompt or --prompt-file, not both");
        List<String> stopTexts = new ArrayList<>();
        for (String s : stops) {
            if (s.isEmpty()) throw new ParameterException(spec.commandLine(), "--stop must not be empty");
            stopTexts.add(unescape(s));
        }
        String given = promptFile != null ? readText(promptFile, "--prompt-file " + promptFile)
                : "-".equals(prompt) ? readStdin() : prompt != null ? unescape(prompt) : null;
        long loadStart = System.nanoTime();
        Tokenizer tok = checkpoint.tokenizer();
        GPT model = checkpoint.model();
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        long genNanos = 0, genTokens = 0, promptTokens = 0, lastNanos = 0, lastTokens = 0;
        int additionDigits = additionDigits(tok, model.config().blockSize());
        PrintWriter out = spec.commandLine().getOut();
        // Shown, not interpreted: a model's escape sequences would drive the terminal.
        java.util.function.UnaryOperator<String> shownAs = TerminalText.stdoutIsTerminal() ? TerminalText::visible : t -> t;
        SplittableRandom rng = new SplittableRandom(seed);
        TokenPicker picker = new TokenPicker(temperature, topK, rng);
        for (int s = 0; s < numSamples; s++) {
            if (s > 0) out.println(SEPARATOR);
            String text = given;
            if (text == null && additionDigits > 0) {
                AdditionTask task = new AdditionTask(additionDigits, 1, 0);
                int limit = (int) Math.pow(10, additionDigits);
                text = task.prompt(rng.nextInt(limit), rng.nextInt(limit));
            }
            String flag = promptFile != null ? "--prompt-file" : "--prompt";
            int[] ids = text != null ? encode(tok, text, flag) : defaultPrompt(tok);
            if (given != null && additionDigits > 0) requireAdditionPrompt(flag, given, additionDigits);
            if (ids.length == 0) throw new ParameterException(spec.commandLine(), "the prompt is empty; give at least one character");
            String shown = tok.decode(ids);
            out.print(shownAs.apply(shown));
            out.flush();
            StopStrings filter = new StopStrings(stopTexts, piece -> {
                out.print(shownAs.apply(piece));
                out.flush();
            });
            StringBuilder generated = new StringBuilder();
            // a BPE token can end inside a character: print whole characters only
            TextStream stream = new TextStream(tok);
            // An addition model's answer has digits + 1 characters after the '='; it learnt nothing past them.
            int answerLeft = additionDigits > 0 && shown.endsWith("=") ? additionDigits + 1 : -1;
            int[] left = {answerLeft};
            boolean[] stopped = {false};
            long genStart = System.nanoTime();
            int[] count = {0};
            promptTokens = ids.length;
            Generator.generateUntil(model, ids, maxNewTokens, picker, id -> {
                count[0]++;
                String piece = stream.push(id);
                generated.append(piece);
                if (!piece.isEmpty() && !filter.accept(piece)) {
                    stopped[0] = true;
                    return false;
                }
                return left[0] < 0 || --left[0] > 0;
            });
            lastNanos = System.nanoTime() - genStart;
            lastTokens = count[0];
            genNanos += lastNanos;
            genTokens += lastTokens;
            String rest = stream.finish();
            if (!stopped[0] && !rest.isEmpty()) {
                generated.append(rest);
                filter.accept(rest);
            }
            filter.finish();
            out.println();   // before the note on stderr, so the two never share a line
            out.flush();
            if (answerLeft > 0) {
                long sum = AdditionTask.parseAnswer(generated.toString());
                if (sum >= 0) {
                    spec.commandLine().getErr().printf("(the answer is written reversed: %s means %d)%n", generated, sum);
                    spec.commandLine().getErr().flush();
                }
            }
        }
        if (stats) {
            spec.commandLine().getErr().printf(java.util.Locale.ROOT, "stats: loaded in %.2f s; prompt %d tokens; %d new tokens in %.2f s"
                    + " = %.2f tokens/s (%d thread%s, KV cache)%s; %s%n", loadSeconds, promptTokens, genTokens, genNanos / 1e9,
                    genTokens / (genNanos / 1e9), dev.vecgrad.autograd.kernel.Parallel.threads(),
                    dev.vecgrad.autograd.kernel.Parallel.threads() == 1 ? "" : "s",
                    numSamples > 1 ? String.format(java.util.Locale.ROOT, "; last sample %.2f tokens/s", lastTokens / (lastNanos / 1e9)) : "",
                    MemoryReport.peak().replace("memory: ", ""));
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    /**
     * The default prompt: a line break where the vocabulary has one (nanoGPT's default for text),
     * else the model's first token.
     */
    static int[] defaultPrompt(Tokenizer tok) {
        try {
            return tok.encode("\n");
        } catch (IllegalArgumentException e) {
            return new int[] {0};
        }
    }

    /** Digits per operand when the model is one of the built-in addition task's, else 0. */
    private int additionDigits(Tokenizer tok, int blockSize) throws IOException {
        if (!(tok instanceof CharTokenizer c) || !c.vocabString().equals(AdditionTask.VOCAB)) return 0;
        if (Files.isDirectory(checkpoint.path) && RunDirectory.isRun(checkpoint.path)) {
            var data = new RunDirectory(checkpoint.path).readState().data();
            if (data.path("kind").asText().equals("addition")) return data.path("digits").asInt();
        }
        return (blockSize - 2) % 3 == 0 ? (blockSize - 2) / 3 : 0;
    }

    /**
     * Refuses a prompt an addition model cannot answer. It learnt only {@code ab+cd=}, both operands
     * zero-padded to its digits, and its answer after the '=' is what ends the sample; without the
     * '=', after an answer already given, or with other operand lengths, it printed digits up to
     * --max-new-tokens, or a wrong sum with no warning.
     */
    private void requireAdditionPrompt(String flag, String prompt, int digits) {
        String operand = "\\d{" + digits + "}";
        if (prompt.matches(operand + "\\+" + operand + "=")) return;
        AdditionTask task = new AdditionTask(digits, 1, 0);
        String example = digits == 1 ? task.prompt(3, 4) : task.prompt(12, 34);
        throw new ParameterException(spec.commandLine(), flag + " " + prompt + ": an addition prompt looks like " + example + " ("
                + SummaryCommand.count(digits, "digit") + " per operand for this model, zero-padded; it answers after the '=')");
    }

    private int[] encode(Tokenizer tok, String text, String flag) {
        try {
            return tok.encode(text);
        } catch (IllegalArgumentException e) {
            // The tokenizer's message already names the vocabulary (spelled out when small).
            throw new ParameterException(spec.commandLine(), flag + ": " + Errors.strip(e.getMessage(), "tokenizer"));
        }
    }

    /** {@code \n} written as two characters becomes a line break, so a shell argument can hold one. */
    static String unescape(String s) {
        return s.replace("\\n", "\n");
    }

    private static String readText(Path file, String what) throws IOException {
        return decode(Files.readAllBytes(file), what);
    }

    private String readStdin() throws IOException {
        try (InputStream in = System.in) {
            return decode(in.readAllBytes(), "--prompt - (standard input)");
        }
    }

    private static String decode(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + ": not UTF-8 text");
        }
    }
}
