package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.data.CharTokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad attention}: which earlier tokens each head looks at, for a prompt. */
@Command(name = "attention", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Show which earlier tokens each attention head looks at.",
        description = {"The attention weights of every layer and head for a prompt: shaded cells in the terminal and each",
            "token's most-attended tokens; optionally a picture of the heatmaps (--out) and every weight as CSV (--csv)."})
final class AttentionCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE", description = "Run directory or model.safetensors.")
    Path checkpoint;

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
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(checkpoint);
        CharTokenizer tok = m.tokenizer();
        if (tok == null) throw new IllegalArgumentException(m.file() + " has no tokenizer; attention needs a model trained by vecgrad");
        GPT model = m.model();
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
        int t = ids.length;
        float[][][][] w = new float[layers.length][heads.length][t][t];
        model.eval();
        model.setCaptureAttention(true);
        try (Grad g = Grad.disabled()) {
            model.forward(ids, 1, t);
        }
        for (int li = 0; li < layers.length; li++) {
            Tensor a = model.blocks().get(layers[li]).attn().lastAttention();     // [1, nh, T, T]
            for (int hi = 0; hi < heads.length; hi++) {
                for (int q = 0; q < t; q++) for (int k = 0; k < t; k++) w[li][hi][q][k] = a.get(0, heads[hi], q, k);
            }
        }
        model.setCaptureAttention(false);
        List<String> tokens = new ArrayList<>();
        for (int id : ids) tokens.add(tok.piece(id));
        PrintWriter out = spec.commandLine().getOut();
        for (int li = 0; li < layers.length; li++) {
            for (int hi = 0; hi < heads.length; hi++) AttentionMaps.terminal(out, w[li][hi], layers[li], heads[hi], tokens);
        }
        if (png != null) {
            OutputFiles.writeImage(png, AttentionMaps.image(w, layers, heads, tokens));
            out.println("wrote " + png);
        }
        if (csv != null) {
            StringBuilder sb = new StringBuilder("layer,head,query,query_token,key,key_token,weight\n");
            for (int li = 0; li < layers.length; li++) {
                for (int hi = 0; hi < heads.length; hi++) {
                    for (int q = 0; q < t; q++) {
                        for (int k = 0; k < t; k++) {
                            sb.append(String.format(Locale.ROOT, "%d,%d,%d,%s,%d,%s,%.6f%n", layers[li], heads[hi], q,
                                    csvField(tokens.get(q)), k, csvField(tokens.get(k)), w[li][hi][q][k]));
                        }
                    }
                }
            }
            OutputFiles.writeString(csv, sb.toString());
            out.println("wrote " + csv);
        }
        out.flush();
        return 0;
    }

    private static String csvField(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
