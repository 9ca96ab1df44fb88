/**
 * Files a model lives in: safetensors ({@link dev.vecgrad.train.checkpoint.SafeTensors}, read
 * with every size and offset checked), vecgrad's model files with nanoGPT's names
 * ({@link dev.vecgrad.train.checkpoint.ModelCheckpoint}), any module's parameters
 * ({@link dev.vecgrad.train.checkpoint.ModuleCheckpoint}), Hugging Face GPT-2 folders
 * ({@link dev.vecgrad.train.checkpoint.HfGpt2}), and the atomic writes they all use
 * ({@link dev.vecgrad.train.checkpoint.AtomicFiles}). Malformed input fails with a
 * {@link dev.vecgrad.train.checkpoint.CheckpointFormatException} naming the file and the field.
 */
package dev.vecgrad.train.checkpoint;
