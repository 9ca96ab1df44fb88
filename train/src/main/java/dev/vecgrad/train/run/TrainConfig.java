package dev.vecgrad.train.run;

import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * Checks the loop's settings (the grouped ones check themselves).
     *
     * @throws InvalidConfigException naming the first field out of range
     * @throws NullPointerException when a group of settings is null
     */
    public TrainConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(eval, "eval");
        InvalidConfigException.positive("batchSize", batchSize);
        InvalidConfigException.positive("gradAccum", gradAccum);
        InvalidConfigException.positive("maxIters", maxIters);
    }

    /**
     * {@return the tokens processed by one optimizer step: batch size times accumulation times block size}
     */
    public long tokensPerStep() {
        return (long) batchSize * gradAccum * model.blockSize();
    }

    /**
     * This configuration with another run length (the schedule is unchanged).
     *
     * @param n the new number of optimizer steps
     * @return a new configuration
     */
    public TrainConfig withMaxIters(int n) {
        return new TrainConfig(model, optimizer, eval, batchSize, gradAccum, n, seed);
    }

    /**
     * This configuration with other model settings.
     *
     * @param m the model settings
     * @return a new configuration
     */
    public TrainConfig withModel(ModelSettings m) {
        return new TrainConfig(m, optimizer, eval, batchSize, gradAccum, maxIters, seed);
    }

    /**
     * Every setting under its flat name, in a fixed order: {@code nLayer, nHead, nEmbd,
     * blockSize, bias, dropout, batchSize, gradAccum, maxIters, lr, minLr, warmupIters,
     * lrDecayIters, weightDecay, beta1, beta2, gradClip, evalInterval, evalIters, seed}.
     *
     * @return the settings; values are Integer, Float, Boolean or Long. This is the {@code config} object of {@code state.json}.
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

    /** {@return a builder holding this configuration's settings, to change some of them} */
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

        /**
         * Sets all model settings.
         *
         * @param m the model settings
         * @return this builder
         */
        public Builder model(ModelSettings m) {
            nLayer = m.nLayer();
            nHead = m.nHead();
            nEmbd = m.nEmbd();
            blockSize = m.blockSize();
            bias = m.bias();
            dropout = m.dropout();
            return this;
        }

        /**
         * Sets all optimizer settings.
         *
         * @param o the optimizer settings
         * @return this builder
         */
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

        /**
         * Sets both evaluation settings.
         *
         * @param e the evaluation settings
         * @return this builder
         */
        public Builder eval(EvalSettings e) {
            evalInterval = e.interval();
            evalIters = e.iters();
            return this;
        }

        /**
         * Sets {@code nLayer}: the number of transformer blocks.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see ModelSettings#nLayer()
         */
        public Builder nLayer(int v) { nLayer = v; return this; }
        /**
         * Sets {@code nHead}: the attention heads per block (must divide nEmbd).
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see ModelSettings#nHead()
         */
        public Builder nHead(int v) { nHead = v; return this; }
        /**
         * Sets {@code nEmbd}: the embedding width.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see ModelSettings#nEmbd()
         */
        public Builder nEmbd(int v) { nEmbd = v; return this; }
        /**
         * Sets {@code blockSize}: the context length in tokens.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see ModelSettings#blockSize()
         */
        public Builder blockSize(int v) { blockSize = v; return this; }
        /**
         * Sets {@code bias}: whether Linear and LayerNorm layers have biases.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see ModelSettings#bias()
         */
        public Builder bias(boolean v) { bias = v; return this; }
        /**
         * Sets {@code dropout}: the dropout probability in training, in [0, 1).
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see ModelSettings#dropout()
         */
        public Builder dropout(float v) { dropout = v; return this; }
        /**
         * Sets {@code batchSize}: the sequences per micro-batch.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see TrainConfig#batchSize()
         */
        public Builder batchSize(int v) { batchSize = v; return this; }
        /**
         * Sets {@code gradAccum}: the micro-batches whose gradients add up to one optimizer step.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see TrainConfig#gradAccum()
         */
        public Builder gradAccum(int v) { gradAccum = v; return this; }
        /**
         * Sets {@code maxIters}: the run's length in optimizer steps.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see TrainConfig#maxIters()
         */
        public Builder maxIters(int v) { maxIters = v; return this; }
        /**
         * Sets {@code lr}: the peak learning rate.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#lr()
         */
        public Builder lr(float v) { lr = v; return this; }
        /**
         * Sets {@code minLr}: the learning rate at the end of the cosine decay.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#minLr()
         */
        public Builder minLr(float v) { minLr = v; return this; }
        /**
         * Sets {@code warmupIters}: the linear warmup steps.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#warmupIters()
         */
        public Builder warmupIters(int v) { warmupIters = v; return this; }
        /**
         * Sets {@code lrDecayIters}: the step at which the decay reaches minLr.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#lrDecayIters()
         */
        public Builder lrDecayIters(int v) { lrDecayIters = v; return this; }
        /**
         * Sets {@code weightDecay}: AdamW's decoupled weight decay for 2-D weights.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#weightDecay()
         */
        public Builder weightDecay(float v) { weightDecay = v; return this; }
        /**
         * Sets {@code beta1}: AdamW's first-moment decay.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#beta1()
         */
        public Builder beta1(float v) { beta1 = v; return this; }
        /**
         * Sets {@code beta2}: AdamW's second-moment decay.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#beta2()
         */
        public Builder beta2(float v) { beta2 = v; return this; }
        /**
         * Sets {@code gradClip}: the global gradient-norm clip (0 disables it).
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see OptimizerSettings#gradClip()
         */
        public Builder gradClip(float v) { gradClip = v; return this; }
        /**
         * Sets {@code evalInterval}: the optimizer steps between evaluations.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see EvalSettings#interval()
         */
        public Builder evalInterval(int v) { evalInterval = v; return this; }
        /**
         * Sets {@code evalIters}: the batches of each split per evaluation.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see EvalSettings#iters()
         */
        public Builder evalIters(int v) { evalIters = v; return this; }
        /**
         * Sets {@code seed}: the seed of the initial weights, the batches and dropout.
         *
         * @param v the value; checked by {@link #build()}
         * @return this builder
         * @see TrainConfig#seed()
         */
        public Builder seed(long v) { seed = v; return this; }

        /**
         * The configuration.
         *
         * @return the configuration
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

    /** Each preset by name, in the order help texts list them (addition takes its digits). */
    private static final Map<String, java.util.function.IntFunction<TrainConfig>> BY_NAME = presetTable();

    private static Map<String, java.util.function.IntFunction<TrainConfig>> presetTable() {
        Map<String, java.util.function.IntFunction<TrainConfig>> m = new LinkedHashMap<>();
        m.put("addition", TrainConfig::addition);
        m.put("induction", d -> induction());
        m.put("tiny", d -> tiny());
        m.put("shakespeare-char", d -> shakespeareChar());
        m.put("baby-gpt", d -> babyGpt());
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The presets' names, in the order help texts list them. */
    public static final List<String> PRESETS = List.copyOf(BY_NAME.keySet());

    /**
     * A preset by name: the one place that maps {@link #PRESETS} to their configurations, so that
     * every command accepts the same names.
     *
     * @param name one of {@link #PRESETS}
     * @param additionDigits digits per operand for {@code addition} (1..6); the others ignore it
     * @return the configuration
     * @throws IllegalArgumentException naming {@code name} and the presets there are
     */
    public static TrainConfig preset(String name, int additionDigits) {
        var make = BY_NAME.get(name);
        if (make == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "' (expected " + String.join(", ", PRESETS) + ")");
        }
        return make.apply(additionDigits);
    }

    /**
     * nanoGPT's CPU configuration for tinyshakespeare, characters (4 layers, 4 heads, 128 wide,
     * block 64, 12 sequences a step, 2000 steps) with the peak learning rate raised from 1e-3 to
     * 3e-3: with nanoGPT's 1e-3 both vecgrad and PyTorch end at val loss ~1.90, with 3e-3 both at
     * ~1.77 (bench/RESULTS.md).
     *
     * <p>The 12 sequences are two accumulated micro-batches of 6: the same kind of step (the mean
     * gradient over 12 sequences; not the same run as 12 x 1, whose 12 sequences came from one
     * draw and summed in one order), but on two or more compute threads the
     * two micro-batches run at once, one per thread ({@link Trainer#trainStep()}), which at this
     * size is faster than splitting each op over the threads. The evaluation draws 400 batches
     * of 6, the tokens of nanoGPT's 200 batches of 12.
     *
     * @return the configuration
     */
    public static TrainConfig shakespeareChar() {
        return new TrainConfig(new ModelSettings(4, 4, 128, 64, true, 0f),
                new OptimizerSettings(3e-3f, 1e-4f, 100, 2000, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(250, 400), 6, 2, 2000, 1337);
    }

    /** {@return nanoGPT's "baby GPT": 6 layers, 6 heads, 384 wide, block 256, batch 64, dropout 0.2} */
    public static TrainConfig babyGpt() {
        return new TrainConfig(new ModelSettings(6, 6, 384, 256, true, 0.2f),
                new OptimizerSettings(1e-3f, 1e-4f, 100, 5000, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(250, 200), 64, 1, 5000, 1337);
    }

    /** {@return a small model for tests and quick demos on text} */
    public static TrainConfig tiny() {
        return new TrainConfig(new ModelSettings(2, 2, 32, 32, true, 0f),
                new OptimizerSettings(3e-3f, 3e-4f, 20, 200, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(50, 10), 8, 1, 200, 1337);
    }

    /**
     * The induction task's recipe: a 2-layer model (attention needs two layers to compose a
     * previous-token head with an induction head), 2 heads, 64 wide, block 32, 1500 steps.
     *
     * @return the configuration
     */
    public static TrainConfig induction() {
        return new TrainConfig(new ModelSettings(2, 2, 64, 32, true, 0f),
                new OptimizerSettings(1e-3f, 1e-4f, 100, 1500, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(100, 4), 32, 1, 1500, 1337);
    }

    /**
     * The built-in addition task's recipe.
     *
     * @param digits digits per operand, 1..6
     * @return the configuration (block = 3 * digits + 2)
     */
    public static TrainConfig addition(int digits) {
        return new TrainConfig(new ModelSettings(2, 4, 64, 3 * digits + 2, true, 0f),
                new OptimizerSettings(3e-3f, 3e-4f, 100, 2500, 0.1f, 0.9f, 0.99f, 1f),
                new EvalSettings(250, 4), 64, 1, 2500, 1337);
    }
}
