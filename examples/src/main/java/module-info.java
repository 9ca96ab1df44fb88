/**
 * The vecgrad command line and small demos of the Java API.
 *
 * <p>An application, not a library: it exports nothing. The shaded {@code vecgrad.jar} runs it on
 * the class path; this descriptor lets the compiler check that the app uses only what the
 * library modules export (plus the kernels, which autograd exports to it for the benchmarks).
 */
module dev.vecgrad.examples {
    requires dev.vecgrad.train;
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires org.knowm.xchart;
    requires jdk.incubator.vector;   // the bench command prints the kernels' vector species
    requires java.desktop;
    requires jdk.management;

    // picocli fills the commands' @Option/@Parameters fields reflectively.
    opens dev.vecgrad.examples.cli to info.picocli;
}
