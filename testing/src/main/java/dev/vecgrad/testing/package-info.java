/**
 * Property-test support for code built on vecgrad: jqwik generators for tensor shapes of rank
 * 0 to 4 (size-1 dimensions included, where broadcasting goes wrong), broadcast pairs, vector-tail
 * lengths and tensors with values an op's domain wants ({@link dev.vecgrad.testing.TensorArbitraries}),
 * and {@link dev.vecgrad.testing.GradAssertions}, a gradient check that fails naming the worst
 * element. vecgrad's own suite uses the same generators; add the artifact in test scope.
 */
package dev.vecgrad.testing;
