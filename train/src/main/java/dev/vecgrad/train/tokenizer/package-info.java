/**
 * Text to token ids and back ({@link dev.vecgrad.train.tokenizer.Tokenizer}): characters
 * ({@link dev.vecgrad.train.tokenizer.CharTokenizer}) and byte-level BPE
 * ({@link dev.vecgrad.train.tokenizer.BpeTokenizer}, trained by
 * {@link dev.vecgrad.train.tokenizer.BpeTrainer}), read from and written to Hugging Face's
 * {@code tokenizer.json}, GPT-2's {@code vocab.json} + {@code merges.txt} and tiktoken's rank
 * files. GPT-2's encodings match tiktoken's token for token (tested against jtokkit).
 */
package dev.vecgrad.train.tokenizer;
