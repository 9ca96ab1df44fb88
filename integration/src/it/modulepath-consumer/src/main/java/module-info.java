/** A consumer of vecgrad on the module path: one requires, no --add-modules. */
module org.example.consumer {
    requires dev.vecgrad.train;   // brings dev.vecgrad.nn and dev.vecgrad.autograd with it

    exports org.example.consumer;
}
