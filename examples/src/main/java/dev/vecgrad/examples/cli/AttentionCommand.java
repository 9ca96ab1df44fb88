package dev.vecgrad.examples.cli;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.inspect.AttentionMaps;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad attention}: which earlier tokens each head looks at, for a prompt. */
@Command(name = "attention", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Show which earlier tokens each attention head looks at.",
        description = {"The attention weights of every layer and head for a prompt: shaded cells in the terminal and each"
                + " token's most-attended tokens; optionally a picture of the heatmaps (--out) and every weight as CSV (--csv)."})
final class AttentionCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to run through the model.")
    String prompt;

    @Option(names = "--layer", paramLabel = "L", description = "Only this layer (default: all).") Integer layer;

    @Option(names = "--head", paramLabel = "H", description = "Only this head (default: all).") Integer head;

    @Option(names = "--out", paramLabel = "FILE.png", description = "Write a PNG grid of heatmaps (layers down, heads across).")
    Path png;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write every weight: layer,head,query,query_token,key,key_token,weight.")
    Path csv;

    @Override
    public Integer call() throws Exception {
        if (png != null) OutputFiles.checkImage(spec, "--out", png);
        if (csv != null) OutputFiles.check(spec, "--csv", csv, null);
        Tokenizer tok = checkpoint.tokenizer();
        GPT model = checkpoint.model();
        int[] ids = tok.encode(prompt);
        int nl = model.config().nLayer(), nh = model.config().nHead();
        if (ids.length == 0) throw new ParameterException(spec.commandLine(), "--prompt must not be empty");
        if (ids.length > model.config().blockSize()) {
            throw new ParameterException(spec.commandLine(), "--prompt has " + ids.length + " tokens but the model's block size is "
                    + model.config().blockSize());
        }
        if (layer != null && (layer < 0 || layer >= nl)) throw new ParameterException(spec.commandLine(), "--layer must be 0.." + (nl - 1));
        if (head != null && (head < 0 || head >= nh)) throw new ParameterException(spec.commandLine(), "--head must be 0.." + (nh - 1));
        int[] layers = layer != null ? new int[] {layer} : range(nl), heads = head != null ? new int[] {head} : range(nh);
        float[][][][] w = AttentionMaps.capture(model, ids, layers, heads);
        List<String> tokens = new ArrayList<>();
        for (int id : ids) tokens.add(tok.piece(id));
        PrintWriter out = spec.commandLine().getOut();
        for (int li = 0; li < layers.length; li++) {
            for (int hi = 0; hi < heads.length; hi++) AttentionMaps.terminal(out, w[li][hi], layers[li], heads[hi], tokens);
        }
        if (png != null) {
            OutputFiles.writeImage(png, AttentionMaps.image(w, layers, heads, tokens, "attention weights for \""
                    + AttentionMaps.label(String.join("", tokens)) + "\" (rows: query token, columns: the key it attends to)"));
            out.println("wrote " + png);
        }
        if (csv != null) {
            OutputFiles.writeString(csv, AttentionMaps.csv(w, layers, heads, tokens));
            out.println("wrote " + csv);
        }
        out.flush();
        return 0;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
