/**
 * The local web dashboard over run directories: a Javalin server with a JSON API and a page
 * that draws the curves with uPlot.
 *
 * <p>Javalin 6, Jetty 11, Jackson, SLF4J and Kotlin's standard library (which Javalin requires)
 * are all named modules; the uPlot WebJar is an automatic module with no packages, read through
 * the class loader (its files sit under {@code META-INF/}, which no module encapsulates).
 */
module dev.vecgrad.dashboard {
    requires dev.vecgrad.train;
    requires io.javalin;
    requires com.fasterxml.jackson.databind;
    // The HTTP configuration (URI compliance, the connector's port) is Jetty's own API.
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.http;

    exports dev.vecgrad.dashboard;

    // The page (index.html, app.js, app.css). Javalin (through Jetty) looks its directory up with
    // the class loader as "dev/vecgrad/dashboard/web", a resource of package dev.vecgrad.dashboard,
    // and its files are of package dev.vecgrad.dashboard.web. A class loader finds a resource of a
    // named module's package only when the package is open to everyone (AppModulePathTest fails
    // to start the dashboard otherwise).
    opens dev.vecgrad.dashboard;
    opens dev.vecgrad.dashboard.web;
}
