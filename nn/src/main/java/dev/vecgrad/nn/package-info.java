/**
 * Neural-network building blocks on top of {@code dev.vecgrad.autograd}: {@link dev.vecgrad.nn.Module}
 * and {@link dev.vecgrad.nn.Parameter}, the layers a GPT needs, and {@link dev.vecgrad.nn.GPT} itself
 * with nanoGPT's parameter names so checkpoints interoperate with PyTorch.
 *
 * <p>Modules register their parameters and children explicitly (no reflection), so the order of
 * {@link dev.vecgrad.nn.Module#namedParameters()} is the order of registration, as in PyTorch.
 */
package dev.vecgrad.nn;
