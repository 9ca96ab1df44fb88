package dev.vecgrad.train.run;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of a training run: the model's shape, the optimizer and its schedule, the
 * evaluation cadence, and the loop itself (batch, accumulation, length, seed). Stored in
 * {@code state.json}, so a resumed run continues with exactly the same recipe.
 *
 * <p>Each setting has one flat name ({@link #fields()}): the builder's setter, the key in
 * {@code state.json} and the {@link InvalidConfigException#field() field} an error names.
 * Change a few settings of a preset with {@link #toBuilder()}:
 * {@code TrainConfig.tiny().toBuilder().maxIters(50).lr(1e-3f).build()}.
 *
 * @param model     the GPT's shape
 * @param optimizer AdamW, the learning-rate schedule and gradient clipping
 * @param eval      evaluation (and checkpoint) cadence
 * @param batchSize sequences per micro-batch
 * @param gradAccum micro-batches accumulated before each optimizer step
 * @param maxIters  optimizer steps in the run
 * @param seed      seeds initialisation, batches and dropout
 */
public record TrainConfig(ModelSettings model, OptimizerSettings optimizer, EvalSettings eval, int batchSize, int gradAccum,
                          int maxIters, long seed) {

    /** @throws InvalidConfigException naming the first field out of range */
    public TrainConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(eval, "eval");
        InvalidConfigException.positive("batchSize", batchSize);
        InvalidConfigException.positive("gradAccum", gradAccum);
        InvalidConfigException.positive("maxIters", maxIters);
    }

    /** Tokens processed by one optimizer step. */
    public long tokensPerStep() {
        return (long) batchSize * gradAccum * model.blockSize();
    }

    /** This configuration with another run length (the schedule is unchanged). */
    public TrainConfig withMaxIters(int n) {
        return new TrainConfig(model, optimizer, eval, batchSize, gradAccum, n, seed);
    }

    /** This configuration with other model settings. */
    public TrainConfig withModel(ModelSettings m) {
        return new TrainConfig(m, optimizer, eval, batchSize, gradAccum, maxIters, seed);
    }

    /**
     * Every setting under its flat name, in a fixed order: {@code nLayer, nHead, nEmbd,
     * blockSize, bias, dropout, batchSize, gradAccum, maxIters, lr, minLr, warmupIters,
     * lrDecayIters, weightDecay, beta1, beta2, gradClip, evalInterval, evalIters, seed}; values
     * are Integer, Float, Boolean or Long. This is the {@code config} object of {@code state.json}.
     */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nLayer", model.nLayer());
        m.put("nHead", model.nHead());
        m.put("nEmbd", model.nEmbd());
        m.put("blockSize", model.blockSize());
        m.put("bias", model.bias());
        m.put("dropout", model.dropout());
        m.put("batchSize", batchSize);
        m.put("gradAccum", gradAccum);
        m.put("maxIters", maxIters);
        m.put("lr", optimizer.lr());
        m.put("minLr", optimizer.minLr());
        m.put("warmupIters", optimizer.warmupIters());
        m.put("lrDecayIters", optimizer.lrDecayIters());
        m.put("weightDecay", optimizer.weightDecay());
        m.put("beta1", optimizer.beta1());
        m.put("beta2", optimizer.beta2());
        m.put("gradClip", optimizer.gradClip());
        m.put("evalInterval", eval.interval());
        m.put("evalIters", eval.iters());
        m.put("seed", seed);
        return m;
    }

    /** A builder holding this configuration's settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Assembles a {@link TrainConfig} setting by setting, under the flat names of {@link
     * #fields()}. {@link #build()} checks that every setting is set and in range.
     */
    public static final class Builder {
        private Integer nLayer, nHead, nEmbd, blockSize, batchSize, gradAccum, maxIters, warmupIters, lrDecayIters,
                evalInterval, evalIters;
        private Boolean bias;
        private Float dropout, lr, minLr, weightDecay, beta1, beta2, gradClip;
        private Long seed;

        /** A builder with nothing set. */
        public Builder() {}

        private Builder(TrainConfig c) {
            model(c.model());
            optimizer(c.optimizer());
            eval(c.eval());
            batchSize = c.batchSize();
            gradAccum = c.gradAccum();
            maxIters = c.maxIters();
            seed = c.seed();
        }

        /** Sets all model settings. */
        public Builder model(ModelSettings m) {
            nLayer = m.nLayer();
            nHead = m.nHead();
            nEmbd = m.nEmbd();
            blockSize = m.blockSize();
            bias = m.bias();
            dropout = m.dropout();
            return this;
        }

        /** Sets all optimizer settings. */
        public Builder optimizer(OptimizerSettings o) {
            lr = o.lr();
            minLr = o.minLr();
            warmupIters = o.warmupIters();
            lrDecayIters = o.lrDecayIters();
            weightDecay = o.weightDecay();
            beta1 = o.beta1();
            beta2 = o.beta2();
            gradClip = o.gradClip();
            return this;
        }

        /** Sets both evaluation settings. */
        public Builder eval(EvalSettings e) {
            evalInterval = e.interval();
            evalIters = e.iters();
            return this;
        }

        /** @see ModelSettings#nLayer() */
        public Builder nLayer(int v) { nLayer = v; return this; }
        /** @see ModelSettings#nHead() */
        public Builder nHead(int v) { nHead = v; return this; }
        /** @see ModelSettings#nEmbd() */
        public Builder nEmbd(int v) { nEmbd = v; return this; }
        /** @see ModelSettings#blockSize() */
        public Builder blockSize(int v) { blockSize = v; return this; }
        /** @see ModelSettings#bias() */
        public Builder bias(boolean v) { bias = v; return this; }
        /** @see ModelSettings#dropout() */
        public Builder dropout(float v) { dropout = v; return this; }
        /** @see TrainConfig#batchSize() */
        public Builder batchSize(int v) { batchSize = v; return this; }
        /** @see TrainConfig#gradAccum() */
        public Builder gradAccum(int v) { gradAccum = v; return this; }
        /** @see TrainConfig#maxIters() */
        public Builder maxIters(int v) { maxIters = v; return this; }
        /** @see OptimizerSettings#lr() */
        public Builder lr(float v) { lr = v; return this; }
        /** @see OptimizerSettings#minLr() */
        public Builder minLr(float v) { minLr = v; return this; }
        /** @see OptimizerSettings#warmupIters() */
        public Builder warmupIters(int v) { warmupIters = v; return this; }
        /** @see OptimizerSettings#lrDecayIters() */
        public Builder lrDecayIters(int v) { lrDecayIters = v; return this; }
        /** @see OptimizerSettings#weightDecay() */
        public Builder weightDecay(float v) { weightDecay = v; return this; }
        /** @see OptimizerSettings#beta1() */
        public Builder beta1(float v) { beta1 = v; return this; }
        /** @see OptimizerSettings#beta2() */
        public Builder beta2(float v) { beta2 = v; return this; }
        /** @see OptimizerSettings#gradClip() */
        public Builder gradClip(float v) { gradClip = v; return this; }
        /** @see EvalSettings#interval() */
        public Builder evalInterval(int v) { evalInterval = v; return this; }
        /** @see EvalSettings#iters() */
        public Builder evalIters(int v) { evalIters = v; return this; }
        /** @see TrainConfig#seed() */
        public Builder seed(long v) { seed = v; return this; }

        /**
         * The configuration.
         *
         * @throws InvalidConfigException naming the first setting that is not set or out of range
         */
        public TrainConfig build() {
            return new TrainConfig(
                    new ModelSettings(set("nLayer", nLayer), set("nHead", nHead), set("nEmbd", nEmbd),
                            set("blockSize", blockSize), set("bias", bias), set("dropout", dropout)),
                    new OptimizerSettings(set("lr", lr), set("minLr", minLr), set("warmupIters", warmupIters),
                            set("lrDecayIters", lrDecayIters), set("weightDecay", weightDecay), set("beta1", beta1),
                            set("beta2", beta2), set("gradClip", gradClip)),
                    new EvalSettings(set("evalInterval", evalInterval), set("evalIters", evalIters)),
                    set("batchSize", batchSize), set("gradAccum", gradAccum), set("maxIters", maxIters), set("seed", seed));
        }

        private static <T> T set(String field, T v) {
            if (v == null) throw new InvalidConfigException(field, "is not set");
            return v;
        }
    }

    /**
     * nanoGPT's CPU configuration for tinyshakespeare, characters (4 layers, 4 heads, 128 wide,
     * block 64, batch 12, 2000 steps) with the peak learning rate raised from 1e-3 to 3e-3: with
     * nanoGPT's 1e-3 both vecgrad and PyTorch end at val loss ~1.90, with 3e-3 both at ~1.77
     * (bench/RESULTS.md).
     */
    public static TrainConfig shakespeareChar() {
        return new TrainConfig(new ModelSettings(4, 4, 128, 64, true, 0f),
                new OptimizerSettings(3e-3f, 1e-4f, 100, 2000, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(250, 200), 12, 1, 2000, 1337);
    }

    /** nanoGPT's "baby GPT": 6 layers, 6 heads, 384 wide, block 256, batch 64, dropout 0.2. */
    public static TrainConfig babyGpt() {
        return new TrainConfig(new ModelSettings(6, 6, 384, 256, true, 0.2f),
                new OptimizerSettings(1e-3f, 1e-4f, 100, 5000, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(250, 200), 64, 1, 5000, 1337);
    }

    /** A small model for tests and quick demos on text. */
    public static TrainConfig tiny() {
        return new TrainConfig(new ModelSettings(2, 2, 32, 32, true, 0f),
                new OptimizerSettings(3e-3f, 3e-4f, 20, 200, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(50, 10), 8, 1, 200, 1337);
    }

    /** The built-in addition task's recipe for {@code digits}-digit numbers (block = 3 * digits + 2). */
    public static TrainConfig addition(int digits) {
        return new TrainConfig(new ModelSettings(2, 4, 64, 3 * digits + 2, true, 0f),
                new OptimizerSettings(3e-3f, 3e-4f, 100, 2500, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(250, 4), 64, 1, 2500, 1337);
    }
}
