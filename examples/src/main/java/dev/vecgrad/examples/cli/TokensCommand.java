package dev.vecgrad.examples.cli;

import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.data.CharTokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad tokens}: how a model's tokenizer splits a text. */
@Command(name = "tokens", mixinStandardHelpOptions = true, header = "Show how a model's tokenizer splits a text.",
        description = "The token ids and pieces of a text, and the vocabulary size.")
final class TokensCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE", description = "Run directory or model.safetensors.")
    Path checkpoint;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Override
    public Integer call() throws Exception {
        CharTokenizer tok = ModelCheckpoint.load(checkpoint).tokenizer();
        if (tok == null) throw new IllegalArgumentException(checkpoint + " has no tokenizer in its metadata");
        int[] ids = tok.encode(text);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("vocabulary: %d tokens (characters)%n%d tokens:%n", tok.vocabSize(), ids.length);
        for (int i = 0; i < ids.length; i++) out.printf("%4d  %4d  %s%n", i, ids[i], AttentionMaps.label(tok.piece(ids[i])));
        out.flush();
        return 0;
    }
}
