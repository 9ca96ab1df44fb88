/**
 * Tensors and reverse-mode automatic differentiation.
 *
 * <p>{@link dev.vecgrad.autograd.Tensor} is a float32 n-d array over a shared {@code float[]};
 * differentiable ops record a node whose backward sits beside the forward. The {@code kernel}
 * subpackage holds the pure array kernels (SIMD with scalar twins) and knows nothing of tensors.
 */
package dev.vecgrad.autograd;
