/**
 * Looking inside a trained model: attention maps ({@link dev.vecgrad.train.inspect.AttentionMaps}),
 * a forward pass explained with its real numbers ({@link dev.vecgrad.train.inspect.Explainer}),
 * per-head scores ({@link dev.vecgrad.train.inspect.HeadScores}), the logit lens
 * ({@link dev.vecgrad.train.inspect.LogitLens}), and the PNG charts the command line writes.
 * Everything here reads the model through {@link dev.vecgrad.nn.ActivationCache} and
 * {@link dev.vecgrad.nn.Interventions}, without recording a graph.
 */
package dev.vecgrad.train.inspect;
