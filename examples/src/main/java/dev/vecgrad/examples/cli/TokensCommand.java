package dev.vecgrad.examples.cli;

import dev.vecgrad.train.data.CharTokenizer;
import dev.vecgrad.train.inspect.AttentionMaps;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad tokens}: how a model's tokenizer splits a text. */
@Command(name = "tokens", mixinStandardHelpOptions = true, header = "Show how a model's tokenizer splits a text.",
        description = "The token ids and pieces of a text, and the vocabulary size.")
final class TokensCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Override
    public Integer call() throws Exception {
        CharTokenizer tok = checkpoint.tokenizer();
        int[] ids = tok.encode(text);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("vocabulary: %d tokens (characters)%n%d tokens:%n", tok.vocabSize(), ids.length);
        for (int i = 0; i < ids.length; i++) out.printf("%4d  %4d  %s%n", i, ids[i], AttentionMaps.label(tok.piece(ids[i])));
        out.flush();
        return 0;
    }
}
