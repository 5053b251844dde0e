/**
 * Spring Boot auto-configuration for tok: a {@code TokServer} assembled from the {@code tok.*}
 * properties and the application's beans, started and stopped with the application context.
 *
 * <p>A named module: Spring Framework and Spring Boot jars carry stable {@code Automatic-Module-Name}s
 * in their manifests ({@code spring.core}, {@code spring.boot.autoconfigure}, ...), so requiring
 * them is safe to publish. Spring Boot applications usually run on the class path, where this
 * descriptor is ignored and {@code META-INF/spring/...AutoConfiguration.imports} is what counts.
 *
 * @uses dev.tok.api.spi.TransportProvider
 * @uses dev.tok.api.spi.QueueProvider
 */
module dev.tok.spring.boot.starter {
    requires transitive dev.tok.api;
    // The customizer interfaces are tok types only; Spring types appear in the public classes
    // Spring itself instantiates (auto-configuration, lifecycle, health indicator), so the
    // application reads Spring: transitive.
    requires transitive spring.boot.autoconfigure;
    requires transitive spring.boot;
    requires transitive spring.context;
    requires spring.beans;
    requires spring.core;
    requires org.slf4j;

    // optional: the meters (tok-metrics-micrometer with a MeterRegistry) and the health indicator
    // (Spring Boot's health module); the auto-configuration loads them only when they are present
    requires static dev.tok.metrics.micrometer;
    requires static micrometer.core;
    requires static spring.boot.health;

    exports dev.tok.spring.boot.starter;
    // Spring reads the auto-configuration's annotations and calls its non-public bean methods and
    // the failure analyzer's constructor reflectively
    opens dev.tok.spring.boot.starter to spring.core, spring.beans, spring.context;

    // the setting names of the transports and queues, to map relaxed property names (env vars)
    uses dev.tok.api.spi.TransportProvider;
    uses dev.tok.api.spi.QueueProvider;
}
