/**
 * Where training batches come from: text files read strictly as UTF-8
 * ({@link dev.vecgrad.train.data.TextFiles}), token ids stored in one or two bytes
 * ({@link dev.vecgrad.train.data.TokenArray}), random windows of a train/validation split
 * ({@link dev.vecgrad.train.data.TextDataset}), and two generated tasks with known answers:
 * addition ({@link dev.vecgrad.train.data.AdditionTask}) and induction
 * ({@link dev.vecgrad.train.data.InductionTask}).
 */
package dev.vecgrad.train.data;
