/**
 * Text generation: {@link dev.vecgrad.train.sample.Generator} continues a prompt with a key/value
 * cache, {@link dev.vecgrad.train.sample.TokenPicker} chooses each token (greedy, temperature,
 * top-k), and {@link dev.vecgrad.train.sample.StopStrings} ends the text at a stop string while
 * streaming what cannot be part of one.
 */
package dev.vecgrad.train.sample;
