package dev.vecgrad.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.inspect.AttentionMaps;
import dev.vecgrad.train.inspect.Explainer;
import dev.vecgrad.train.inspect.TerminalWidth;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad explain}: one forward pass of a trained model, step by step, with its real numbers. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Walk through one forward pass with the model's real numbers.",
        description = "Tokens, embeddings, one head's attention, the residual stream, the MLP and the next-token probabilities.")
final class ExplainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to explain.") String prompt;

    @Option(names = "--token", paramLabel = "N", description = "Position of the token whose attention is shown (default: the last).")
    Integer token;

    @Option(names = "--layer", paramLabel = "L", defaultValue = "0", description = "Layer (default: ${DEFAULT-VALUE}).") int layer;

    @Option(names = "--head", paramLabel = "H", defaultValue = "0", description = "Head (default: ${DEFAULT-VALUE}).") int head;

    @Option(names = "--json", description = "Print the same content as JSON.") boolean json;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        Tokenizer tok = checkpoint.tokenizer();
        GPT model = checkpoint.model();
        int t = tok.encode(prompt).length;
        if (t == 0 || t > model.config().blockSize()) {
            throw new ParameterException(spec.commandLine(), "--prompt must have 1.." + model.config().blockSize() + " tokens, got " + t);
        }
        int n = token != null ? token : t - 1;
        if (n < 0 || n >= t) throw new ParameterException(spec.commandLine(), "--token must be 0.." + (t - 1));
        if (layer < 0 || layer >= model.config().nLayer()) throw new ParameterException(spec.commandLine(), "--layer must be 0.." + (model.config().nLayer() - 1));
        if (head < 0 || head >= model.config().nHead()) throw new ParameterException(spec.commandLine(), "--head must be 0.." + (model.config().nHead() - 1));
        Map<String, Object> e = Explainer.explain(model, tok, prompt, n, layer, head);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(e));
            out.flush();
            return 0;
        }
        List<Map<String, Object>> tokens = (List<Map<String, Object>>) e.get("tokens");
        List<Map<String, Object>> next = (List<Map<String, Object>>) e.get("next_token");
        // One column width for every token shown, so that a BPE model's longer pieces line up;
        // measured in terminal columns, as a wide piece (日本, 🙂) takes two a character.
        int w = 3;
        for (Map<String, Object> r : tokens) w = Math.max(w, TerminalWidth.of(AttentionMaps.label((String) r.get("piece"))));
        for (Map<String, Object> r : next) w = Math.max(w, TerminalWidth.of(AttentionMaps.label((String) r.get("piece"))));
        out.println("1. The text becomes tokens (" + (tok.type().equals("char") ? "one per character"
                : "byte-level BPE: " + t + (t == 1 ? " token" : " tokens") + " for " + prompt.codePointCount(0, prompt.length())
                + " characters") + ") and their ids:");
        for (Map<String, Object> r : tokens) {
            out.printf("   %3d  %s id %3d%n", r.get("position"), cell(r.get("piece"), w), r.get("id"));
        }
        out.printf("%n2. Each token's embedding plus its position's embedding (first 6 of %d numbers):%n", e.get("embedding_size"));
        for (Map<String, Object> r : tokens) {
            out.printf("   %s %s + %s = %s%n", cell(r.get("piece"), w), vec(r.get("token_embedding")),
                    vec(r.get("position_embedding")), vec(r.get("sum")));
        }
        Map<String, Object> a = (Map<String, Object>) e.get("attention");
        out.printf("%n3. Layer %d, head %d: the query of token %d (%s) against every earlier key (head size %d, scale %s):%n",
                a.get("layer"), a.get("head"), a.get("query_position"), AttentionMaps.label((String) a.get("query_piece")),
                a.get("head_size"), a.get("scale"));
        out.printf("   %-" + (w + 4) + "s %10s %10s %9s%n", "key", "q.k", "scaled", "softmax");
        double total = 0;
        for (Map<String, Object> k : (List<Map<String, Object>>) a.get("keys")) {
            out.printf(Locale.ROOT, "   %3d %s %10.4f %10.4f %9.4f%n", k.get("key_position"), cell(k.get("key_piece"), w),
                    k.get("score"), k.get("scaled"), k.get("weight"));
            total += (double) k.get("weight");
        }
        out.printf(Locale.ROOT, "   %d later positions are masked (the model may not look ahead); the weights sum to %.4f%n",
                a.get("masked_positions"), total);
        out.printf("%n4. The weighted sum of the value vectors (first 6): %s%n   %s%n", vec(a.get("head_output")), a.get("heads_combined"));
        int nLayer = model.config().nLayer();
        out.printf("%n5. Block %d%s: residual after attention: %s%n   MLP: %s%n   Residual after block %d: %s%n",
                layer, layer > 0 ? " (blocks 0.." + (layer - 1) + " ran before it, the same way)" : "",
                vec(e.get("residual_after_attention")), e.get("mlp"), layer, vec(e.get("residual_after_block")));
        if (layer + 1 < nLayer) {
            out.printf("   %s then the same way: attention, then the MLP, each added to the residual.%n",
                    layer + 1 == nLayer - 1 ? "Block " + (layer + 1) + " runs" : "Blocks " + (layer + 1) + ".." + (nLayer - 1) + " run");
        }
        out.printf("   Final LayerNorm (ln_f): %s%n", vec(e.get("final_layernorm")));
        out.println("   Most likely next tokens:");
        for (Map<String, Object> p : next) {
            out.printf(Locale.ROOT, "     %s %6.2f%%%n", cell(p.get("piece"), w), 100 * (double) p.get("probability"));
        }
        out.flush();
        return 0;
    }

    /** A token's label, left-aligned in a column {@code w} terminal columns wide. */
    private static String cell(Object piece, int w) {
        return TerminalWidth.padRight(AttentionMaps.label((String) piece), w);
    }

    private static String vec(Object v) {
        StringBuilder sb = new StringBuilder("[");
        for (double d : (double[]) v) sb.append(sb.length() > 1 ? " " : "").append(String.format(Locale.ROOT, "%7.3f", d));
        return sb.append(" ]").toString();
    }
}
