package dev.vecgrad.train.run;

/**
 * When and how much a run evaluates. An evaluation is also when a checkpoint is written.
 *
 * @param interval optimizer steps between evaluations ({@code evalInterval} in state.json)
 * @param iters    batches of each split per evaluation ({@code evalIters} in state.json)
 */
public record EvalSettings(int interval, int iters) {

    /**
     * Checks both settings.
     *
     * @throws InvalidConfigException naming the field out of range
     */
    public EvalSettings {
        InvalidConfigException.positive("evalInterval", interval);
        InvalidConfigException.positive("evalIters", iters);
    }
}
