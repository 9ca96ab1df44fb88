/**
 * Optimizers with PyTorch's arithmetic ({@link dev.vecgrad.train.optim.AdamW},
 * {@link dev.vecgrad.train.optim.SGD}), parameter groups with their weight decay, learning-rate
 * schedules and global-norm gradient clipping. An optimizer's state is a map of named arrays, so a
 * checkpoint stores it and a resumed run continues bit for bit.
 */
package dev.vecgrad.train.optim;
