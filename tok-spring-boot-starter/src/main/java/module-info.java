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
 * @uses dev.tok.api.spi.ClusterProvider
 */
module dev.tok.spring.boot.starter {
    requires transitive dev.tok.api;
    // Spring types in the public classes' signatures and annotations (SmartLifecycle, Environment,
    // ObjectProvider, ConfigurableListableBeanFactory, @AutoConfiguration and its conditions;
    // HealthIndicator and Health in the optional part): transitive
    requires transitive spring.context;
    requires transitive spring.beans;
    requires transitive spring.core;
    requires transitive spring.boot.autoconfigure;
    // only package-private classes use it (the failure analyzer)
    requires spring.boot;
    requires org.slf4j;

    // optional: the meters (tok-metrics-micrometer with a MeterRegistry) and the health indicator
    // (Spring Boot's health module); the auto-configuration loads them only when they are present
    requires static dev.tok.metrics.micrometer;
    requires static micrometer.core;
    requires static transitive spring.boot.health;

    exports dev.tok.spring.boot.starter;
    // Spring reads the auto-configuration's annotations and calls its non-public bean methods and
    // the failure analyzer's constructor reflectively
    opens dev.tok.spring.boot.starter to spring.core, spring.beans, spring.context;

    // the setting names of the transports, queues and clusters, to map relaxed property names (env vars)
    uses dev.tok.api.spi.TransportProvider;
    uses dev.tok.api.spi.QueueProvider;
    uses dev.tok.api.spi.ClusterProvider;
}
