package dev.vecgrad.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.data.TextFiles;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.inspect.AttentionMaps;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vecgrad tokens}: how a tokenizer (a model's, or one from tokenizer files) splits a text. */
@Command(name = "tokens", mixinStandardHelpOptions = true, sortOptions = false, header = "Show how a tokenizer splits a text.",
        description = "The token ids and pieces of a text, and the vocabulary size, with a model's tokenizer "
                + "(--checkpoint) or tokenizer files (--tokenizer).")
final class TokensCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    static final class Source {
        @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE",
                description = CheckpointOption.DESCRIPTION + " Its tokenizer splits the text.")
        Path checkpoint;

        @Option(names = "--tokenizer", required = true, paramLabel = "FILE|DIR",
                description = "A tokenizer file (tokenizer.json, a .tiktoken file, or GPT-2's vocab.json with merges.txt"
                        + " beside it) or a directory holding them.")
        Path tokenizer;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Input {
        @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text to tokenize.")
        String text;

        @Option(names = "--file", required = true, paramLabel = "FILE", description = "A UTF-8 file to tokenize.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--json", description = "Print {\"ids\": [...], \"pieces\": [...], \"bytes\": [[...], ...]} instead of a"
            + " table (bytes: each token's exact UTF-8 bytes as numbers 0-255).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Tokenizer tok;
        if (source.checkpoint != null) {
            CheckpointOption.requireExists(spec, "--checkpoint", source.checkpoint);
            ModelCheckpoint.Loaded m = ModelCheckpoint.load(source.checkpoint);
            tok = m.tokenizer();
            if (tok == null) throw new IllegalArgumentException(m.missingTokenizer());
        } else {
            tok = TokenizerOption.load(source.tokenizer, "--checkpoint " + source.tokenizer + ", which reads its tokenizer");
        }
        String text = input.text != null ? input.text : TextFiles.readText(input.file).text();
        int[] ids = tok.encode(text);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode n = m.createObjectNode();
            ArrayNode a = n.putArray("ids"), p = n.putArray("pieces"), b = n.putArray("bytes");
            for (int id : ids) {
                a.add(id);
                p.add(tok.piece(id));
                // Numbers, not a string: bytes(t) in Python, and a piece cut inside a character
                // stays unambiguous where "<0xF0>" could be the text itself.
                ArrayNode one = b.addArray();
                for (byte x : tok.bytes(id)) one.add(x & 0xff);
            }
            out.println(m.writeValueAsString(n));
        } else {
            out.printf("tokenizer: %s%n%,d tokens (%,d bytes, %.2f bytes a token):%n", tok.describe(), ids.length,
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                    (double) text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length / Math.max(1, ids.length));
            for (int i = 0; i < ids.length; i++) {
                out.printf("%4d  %6d  %s%n", i, ids[i], AttentionMaps.label(tok.piece(ids[i])));
            }
        }
        out.flush();
        return 0;
    }
}
