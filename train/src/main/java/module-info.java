/**
 * Optimizers, data, checkpoints, the training loop and sampling.
 *
 * <p>Requires {@code dev.vecgrad.nn} (and through it autograd) transitively. A new public package
 * of this module must be exported here, or code on the module path cannot see it (see
 * docs/DESIGN.md).
 */
module dev.vecgrad.train {
    requires transitive dev.vecgrad.nn;
    // Transitive: Jackson's JsonNode is in this module's API (tokenizer.json parsing, the run
    // directory's state and run info), so a module reading those must read Jackson too.
    requires transitive com.fasterxml.jackson.databind;
    // JvmCounters reads GC time and per-thread allocation for the metrics.
    requires jdk.management;
    // AttentionMaps draws on AWT images (Java2D); LossChart's images come from XChart.
    requires java.desktop;
    // XChart (an automatic module) draws the loss curves; none of its types is in train's API.
    requires org.knowm.xchart;

    exports dev.vecgrad.train.checkpoint;
    exports dev.vecgrad.train.data;
    exports dev.vecgrad.train.inspect;
    exports dev.vecgrad.train.optim;
    exports dev.vecgrad.train.run;
    exports dev.vecgrad.train.sample;
    exports dev.vecgrad.train.tokenizer;

    // The run directory's state file is written with Jackson from records of this package.
    opens dev.vecgrad.train.run to com.fasterxml.jackson.databind;
}
