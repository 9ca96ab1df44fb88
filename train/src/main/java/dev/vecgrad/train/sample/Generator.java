package dev.vecgrad.train.sample;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.KVCache;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/** Autoregressive generation: feed the context, pick a token, append it, repeat. */
public final class Generator {
    private Generator() {}

    /**
     * Continues {@code prompt} by {@code maxNewTokens} tokens. The context is cropped to the
     * model's block size; each new token is handed to {@code onToken} as soon as it is chosen.
     *
     * @param model the model; it runs in evaluation mode (no dropout) and is left in the mode it was in
     * @param prompt at least one token id
     * @param maxNewTokens how many tokens to add ({@code >= 0})
     * @param picker chooses each token from the last position's logits
     * @param onToken receives each new token as it is chosen (for streaming); may be null
     * @return the prompt followed by the generated tokens
     * @throws IllegalArgumentException if the prompt is empty or {@code maxNewTokens} is negative
     */
    public static int[] generate(GPT model, int[] prompt, int maxNewTokens, TokenPicker picker, IntConsumer onToken) {
        return generateUntil(model, prompt, maxNewTokens, picker, id -> {
            if (onToken != null) onToken.accept(id);
            return true;
        });
    }

    /**
     * Like {@link #generate(GPT, int[], int, TokenPicker, IntConsumer)}, but {@code onToken} can
     * end the generation early by returning false (a stop string, a task's answer complete).
     *
     * @param model the model; it runs in evaluation mode (no dropout) and is left in the mode it was in
     * @param prompt at least one token id
     * @param maxNewTokens the most tokens to add ({@code >= 0})
     * @param picker chooses each token from the last position's logits
     * @param onToken receives each new token; returning false ends the generation after it
     * @return the prompt followed by the tokens generated up to and including the last one handed
     *     to {@code onToken}
     * @throws IllegalArgumentException if the prompt is empty or {@code maxNewTokens} is negative
     */
    public static int[] generateUntil(GPT model, int[] prompt, int maxNewTokens, TokenPicker picker, IntPredicate onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt must hold at least one token");
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        int block = model.config().blockSize(), v = model.config().vocabSize();
        int[] seq = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        int len = prompt.length;
        // Evaluation mode only for the call, as the inspectors do: a sample printed from inside a
        // training loop must not switch the loop's dropout off.
        boolean training = model.isTraining();
        // Within the block size a KV cache makes each token cost one position's work; past it the
        // window slides and every position shifts, so the context is re-run in full (exactly
        // what the uncached model computes).
        KVCache cache = new KVCache(model.config(), 1);
        model.eval();
        try (Grad g = Grad.disabled()) {
            for (int i = 0; i < maxNewTokens; i++) {
                float[] last;
                if (len <= block) {
                    int from = cache.length();
                    Tensor logits = model.forwardCached(Arrays.copyOfRange(seq, from, len), 1, len - from, cache);
                    last = logits.narrow(1, len - from - 1, 1).contiguous().toArray();
                } else {
                    Tensor logits = model.forward(Arrays.copyOfRange(seq, len - block, len), 1, block);
                    last = logits.narrow(1, block - 1, 1).contiguous().toArray();
                }
                int next = picker.pick(last, 0, v);
                seq[len++] = next;
                if (!onToken.test(next)) break;
            }
        } finally {
            if (training) model.train();
        }
        return len == seq.length ? seq : Arrays.copyOf(seq, len);
    }
}
