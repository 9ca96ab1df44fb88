/**
 * The vecgrad command line and small demos of the Java API.
 *
 * <p>An application, not a library: it exports nothing. The launcher runs the shaded
 * {@code vecgrad.jar} on the class path (module descriptors are left out of it); this descriptor
 * lets the same classes run on the module path too, and has the compiler check that the app uses
 * only what the library modules export, plus the kernels, which autograd exports to it for the
 * {@code bench} command.
 */
module dev.vecgrad.examples {
    requires dev.vecgrad.train;
    requires dev.vecgrad.dashboard;
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires jdk.incubator.vector;   // the bench command prints the kernels' vector species
    requires java.desktop;           // PNG charts and attention maps (ImageIO)
    requires java.management;        // the memory report reads the JVM's memory pools

    // picocli fills the commands' @Option/@Parameters fields and calls their methods reflectively.
    opens dev.vecgrad.examples.cli to info.picocli;
}
