/**
 * A training run: its settings ({@link dev.vecgrad.train.run.TrainConfig}), what it trains on
 * ({@link dev.vecgrad.train.run.TrainingTask}), the loop ({@link dev.vecgrad.train.run.Trainer}),
 * and the run directory it writes: checkpoints committed as one transaction
 * ({@link dev.vecgrad.train.run.RunDirectory}), one {@code metrics.jsonl} line per step
 * ({@link dev.vecgrad.train.run.MetricsLog}) and {@code status.json} for watchers
 * ({@link dev.vecgrad.train.run.RunStatus}).
 */
package dev.vecgrad.train.run;
