package dev.vecgrad.train.run;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.AdditionTask;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The built-in task as a training task: batches of random training problems, validation loss
 * on held-out problems, and held-out exact-match accuracy by greedy decoding.
 */
public final class AdditionTrainingTask implements TrainingTask {
    private final AdditionTask task;
    private final long seed;

    /**
     * Addition of {@code digits}-digit numbers with a held-out set.
     *
     * @param digits digits per operand, 1..6
     * @param testSize held-out problems
     * @param seed chooses the held-out set
     * @throws IllegalArgumentException naming the value out of range
     */
    public AdditionTrainingTask(int digits, int testSize, long seed) {
        this.task = new AdditionTask(digits, testSize, seed);
        this.seed = seed;
    }

    /**
     * The built-in task's standard held-out set: 10 % of all problems, at most 1,000, seed 1234.
     *
     * @param digits digits per operand, 1..6
     * @return the task
     * @throws IllegalArgumentException if {@code digits} is out of range
     */
    public static AdditionTrainingTask standard(int digits) {
        if (digits < 1 || digits > 6) throw new IllegalArgumentException("addition: digits must be 1..6, got " + digits);
        return new AdditionTrainingTask(digits, (int) Math.min(1000, Math.pow(10, 2 * digits) / 10), 1234);
    }

    /** {@return the underlying problem generator} */
    public AdditionTask problems() {
        return task;
    }

    @Override
    public String describe() {
        return String.format("addition of %d-digit numbers: %,d held-out problems, answers written in reverse",
                task.digits(), task.heldOut().size());
    }

    @Override
    public CharTokenizer tokenizer() {
        return task.tokenizer();
    }

    @Override
    public int requiredBlockSize() {
        return task.blockSize();
    }

    @Override
    public Batch trainBatch(int batchSize, int blockSize, RandomGenerator rng) {
        return task.sample(batchSize, rng);
    }

    /**
     * Held-out problems, drawn at random: their loss is the validation loss.
     *
     * @param batchSize the number of problems
     * @param blockSize ignored: a problem has the task's own length
     * @param rng draws the problems
     * @return {@code [batchSize, blockSize()]} of the task
     */
    @Override
    public Batch valBatch(int batchSize, int blockSize, RandomGenerator rng) {
        List<int[]> held = task.heldOut();
        int t = task.blockSize();
        int[] idx = new int[batchSize * t], tgt = new int[batchSize * t];
        int answerStart = 2 * task.digits() + 2;
        for (int b = 0; b < batchSize; b++) {
            int[] p = held.get(rng.nextInt(held.size()));
            int[] seq = task.tokenizer().encode(task.prompt(p[0], p[1]) + task.answer(p[0], p[1]));
            for (int i = 0; i < t; i++) {
                idx[b * t + i] = seq[i];
                tgt[b * t + i] = i + 1 >= answerStart ? seq[i + 1] : -1;
            }
        }
        return new Batch(idx, tgt, batchSize, t);
    }

    @Override
    public Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "addition");
        m.put("digits", task.digits());
        m.put("held_out", task.heldOut().size());
        m.put("held_out_seed", seed);
        return m;
    }

    /**
     * Exact-match accuracy over every held-out problem, decoding greedily in batches.
     *
     * @param model the model
     * @return the share of problems whose whole answer is right
     */
    @Override
    public double accuracy(GPT model) {
        List<int[]> held = task.heldOut();
        int correct = 0;
        int chunk = 500;
        try (Grad g = Grad.disabled()) {
            for (int from = 0; from < held.size(); from += chunk) {
                List<int[]> part = held.subList(from, Math.min(held.size(), from + chunk));
                String[] answers = greedyAnswers(model, part);
                for (int i = 0; i < part.size(); i++) {
                    int[] p = part.get(i);
                    if (AdditionTask.parseAnswer(answers[i]) == (long) p[0] + p[1]) correct++;
                }
            }
        }
        return correct / (double) held.size();
    }

    /**
     * Greedy completions of problems' prompts, all decoded together, in evaluation mode and
     * without a graph; the model's mode is as it was afterwards.
     *
     * @param model the model
     * @param problems {@code {a, b}} pairs
     * @return the reversed sums the model writes, one per problem
     */
    public String[] greedyAnswers(GPT model, List<int[]> problems) {
        int n = problems.size(), promptLen = 2 * task.digits() + 2, total = promptLen + task.answerLength() - 1;
        int v = task.tokenizer().vocabSize();
        int[][] seqs = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] p = problems.get(i);
            seqs[i] = java.util.Arrays.copyOf(task.tokenizer().encode(task.prompt(p[0], p[1])), total + 1);
        }
        // Evaluation mode only for the call, as Generator and the inspectors do: called from a
        // training loop, it must not leave the loop's dropout switched off.
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            for (int len = promptLen; len <= total; len++) {
                int[] idx = new int[n * len];
                for (int i = 0; i < n; i++) System.arraycopy(seqs[i], 0, idx, i * len, len);
                Tensor logits = model.forward(idx, n, len);
                float[] l = logits.narrow(1, len - 1, 1).contiguous().toArray();
                for (int i = 0; i < n; i++) seqs[i][len] = dev.vecgrad.train.sample.TokenPicker.argmax(l, i * v, v);
            }
        } finally {
            if (training) model.train();
        }
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = task.tokenizer().decode(java.util.Arrays.copyOfRange(seqs[i], promptLen, total + 1));
        }
        return out;
    }
}
