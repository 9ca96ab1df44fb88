package dev.vecgrad.train.run;

/**
 * Every hyperparameter of a training run: the model's shape and the optimisation recipe.
 * Stored in {@code state.json}, so a resumed run continues with exactly the same recipe.
 *
 * @param nLayer       transformer blocks
 * @param nHead        attention heads per block
 * @param nEmbd        embedding width (divisible by nHead)
 * @param blockSize    context length in tokens
 * @param bias         whether Linear and LayerNorm layers have biases
 * @param dropout      dropout probability in training
 * @param batchSize    sequences per optimizer step (per micro-step with accumulation)
 * @param gradAccum    micro-batches accumulated before each optimizer step
 * @param maxIters     optimizer steps in the run
 * @param lr           peak learning rate
 * @param minLr        learning rate at the end of the cosine decay
 * @param warmupIters  linear warmup steps
 * @param lrDecayIters step at which the cosine decay reaches minLr
 * @param weightDecay  AdamW decoupled weight decay on 2-D weights
 * @param beta1        AdamW beta1
 * @param beta2        AdamW beta2
 * @param gradClip     global gradient-norm clip (0 disables)
 * @param evalInterval steps between evaluations (and checkpoints)
 * @param evalIters    batches per split in an evaluation
 * @param seed         seeds initialisation, batches and dropout
 */
public record TrainConfig(int nLayer, int nHead, int nEmbd, int blockSize, boolean bias, float dropout,
                          int batchSize, int gradAccum, int maxIters, float lr, float minLr, int warmupIters,
                          int lrDecayIters, float weightDecay, float beta1, float beta2, float gradClip,
                          int evalInterval, int evalIters, long seed) {

    public TrainConfig {
        positive("--n-layer", nLayer);
        positive("--n-head", nHead);
        positive("--n-embd", nEmbd);
        positive("--block-size", blockSize);
        positive("--batch-size", batchSize);
        positive("--grad-accum", gradAccum);
        positive("--max-iters", maxIters);
        positive("--eval-interval", evalInterval);
        positive("--eval-iters", evalIters);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("--n-embd " + nEmbd + " is not divisible by --n-head " + nHead);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        if (!(lr > 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("--lr must be positive, got " + lr);
        if (!(minLr >= 0) || minLr > lr) throw new IllegalArgumentException("--min-lr must be in [0, lr], got " + minLr);
        if (warmupIters < 0) throw new IllegalArgumentException("--warmup-iters must be >= 0, got " + warmupIters);
        if (lrDecayIters < warmupIters) {
            throw new IllegalArgumentException("--lr-decay-iters (" + lrDecayIters + ") must be >= --warmup-iters (" + warmupIters + ")");
        }
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("--beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("--beta2 must be in [0, 1), got " + beta2);
        if (!(gradClip >= 0)) throw new IllegalArgumentException("--grad-clip must be >= 0, got " + gradClip);
    }

    private static void positive(String flag, int v) {
        if (v <= 0) throw new IllegalArgumentException(flag + " must be positive, got " + v);
    }

    /** Tokens processed by one optimizer step. */
    public long tokensPerStep() {
        return (long) batchSize * gradAccum * blockSize;
    }

    /**
     * nanoGPT's CPU configuration for tinyshakespeare, characters (4 layers, 4 heads, 128 wide,
     * block 64, batch 12, 2000 steps) with the peak learning rate raised from 1e-3 to 3e-3: with
     * nanoGPT's 1e-3 both vecgrad and PyTorch end at val loss ~1.90, with 3e-3 both at ~1.77
     * (bench/RESULTS.md).
     */
    public static TrainConfig shakespeareChar() {
        return new TrainConfig(4, 4, 128, 64, true, 0f, 12, 1, 2000, 3e-3f, 1e-4f, 100, 2000, 0.1f, 0.9f, 0.99f,
                1f, 250, 200, 1337);
    }

    /** nanoGPT's "baby GPT": 6 layers, 6 heads, 384 wide, block 256, batch 64. */
    public static TrainConfig babyGpt() {
        return new TrainConfig(6, 6, 384, 256, true, 0.2f, 64, 1, 5000, 1e-3f, 1e-4f, 100, 5000, 0.1f, 0.9f, 0.99f,
                1f, 250, 200, 1337);
    }

    /** A small model for tests and quick demos on text. */
    public static TrainConfig tiny() {
        return new TrainConfig(2, 2, 32, 32, true, 0f, 8, 1, 200, 3e-3f, 3e-4f, 20, 200, 0.1f, 0.9f, 0.99f,
                1f, 50, 10, 1337);
    }

    /**
     * The induction task's recipe: a 2-layer model (attention needs two layers to compose a
     * previous-token head with an induction head), 4 heads, 64 wide, block 32.
     */
    public static TrainConfig induction() {
        return new TrainConfig(2, 4, 64, 32, true, 0f, 32, 1, 1500, 1e-3f, 1e-4f, 100, 1500, 0.1f, 0.9f, 0.99f,
                1f, 100, 4, 1337);
    }

    /** The built-in addition task's recipe for {@code digits}-digit numbers (block = 3 * digits + 2). */
    public static TrainConfig addition(int digits) {
        int block = 3 * digits + 2;
        return new TrainConfig(2, 4, 64, block, true, 0f, 64, 1, 2500, 3e-3f, 3e-4f, 100, 2500, 0.1f, 0.9f, 0.99f,
                1f, 250, 4, 1337);
    }
}
