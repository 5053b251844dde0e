package dev.tok.spring.boot.starter;

import dev.tok.api.AcknowledgeHook;
import dev.tok.api.Actor;
import dev.tok.api.AfterSend;
import dev.tok.api.Authenticator;
import dev.tok.api.BeforeReceive;
import dev.tok.api.BeforeSend;
import dev.tok.api.ByeGenerator;
import dev.tok.api.CloseHook;
import dev.tok.api.ConfigurationException;
import dev.tok.api.ConnectHook;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.HubObserver;
import dev.tok.api.HubTracer;
import dev.tok.api.PingGenerator;
import dev.tok.api.Queue;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokServer;
import dev.tok.api.TransportSettings;
import dev.tok.api.spi.Transport;
import dev.tok.metrics.micrometer.TokMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of a {@link TokServer}: built from the {@code tok.*} properties (the keys of
 * {@link TokServer.Builder#properties(java.util.Properties)}) and the application's beans, started
 * and stopped by {@link TokServerLifecycle}. Registered in
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}; off with
 * {@code tok.enabled=false}. An application's own {@code TokServer} bean replaces the one built
 * here (the properties and hook beans are then not read); it is started, stopped and reported in
 * the same way, so the application must not start it itself.
 *
 * <p>Beans it takes from the application: one {@link Actor} and one {@link Authenticator}
 * (required: the context fails to start without them, saying which bean to declare); at most one
 * each of {@link BeforeReceive}, {@link BeforeSend}, {@link AfterSend}, {@link CloseHook},
 * {@link ConnectHook}, {@link PingGenerator}, {@link ByeGenerator}, {@link SessionPolicy} and
 * {@link Queue} (two of a kind fail, unless one is {@code @Primary}); every {@link HubObserver}; an
 * {@link Executor} named {@code tokActorExecutor} for the actor; every {@link TransportSettings} and
 * {@link Transport}, added to the transports of {@code tok.transports}; and every
 * {@link HubConfigCustomizer} and {@link TokServerCustomizer}.
 *
 * <p>Beans it declares: {@code tokServer} ({@link TokServer}, unstarted until the lifecycle starts
 * it), {@code tokServerLifecycle}, {@code tokHub} (a {@link Hub} usable once the context has
 * started), {@code tokMetrics} ({@link TokMetrics}, when tok-metrics-micrometer is on the class path
 * and a {@code MeterRegistry} bean exists) and {@code tokHealthIndicator} (when Spring Boot's health
 * module is on the class path).
 *
 * @since 0.1
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(TokServer.class)
@ConditionalOnBooleanProperty(name = "tok.enabled", matchIfMissing = true)
public final class TokAutoConfiguration {

    /** The name of the optional {@link Executor} bean the actor and the receive hook run on. */
    public static final String ACTOR_EXECUTOR_BEAN = "tokActorExecutor";

    /** Called by Spring. */
    public TokAutoConfiguration() {
    }

    /**
     * The server, built but not started: {@link TokServerLifecycle} starts it.
     *
     * @param environment the {@code tok.*} properties
     * @param beans       the application's actor, authenticator, hooks, observers, transports
     * @return the unstarted server
     * @throws ConfigurationException when a required bean is missing, a kind of bean is declared
     *         twice, or a property is wrong; the message says what to change
     */
    @Bean
    @ConditionalOnMissingBean
    public TokServer tokServer(Environment environment, ConfigurableListableBeanFactory beans) {
        ClassLoader loader = beans.getBeanClassLoader() != null ? beans.getBeanClassLoader() : getClass().getClassLoader();
        TokProperties properties = TokProperties.read(environment, loader);

        HubConfig.Builder hub = HubConfig.builder()
                .settings(properties.hub())
                .actor(required(beans, Actor.class, "the handler of every inbound frame, for example "
                        + "@Bean Actor actor() { return (connection, payload) -> connection.reply(payload); } (an echo)"))
                .authenticator(required(beans, Authenticator.class, "it turns a connection's credentials (TCP: the "
                        + "first frame; WebSocket: the upgrade request) into a Device, for example @Bean Authenticator "
                        + "authenticator() { return request -> CompletableFuture.completedFuture(Device.of(uidFrom(request), "
                        + "\"\")); }"));
        ifPresent(beans, BeforeReceive.class, hub::beforeReceive);
        ifPresent(beans, BeforeSend.class, hub::beforeSend);
        ifPresent(beans, AfterSend.class, hub::afterSend);
        ifPresent(beans, CloseHook.class, hub::closeHook);
        ifPresent(beans, ConnectHook.class, hub::connectHook);
        ifPresent(beans, PingGenerator.class, hub::pingGenerator);
        ifPresent(beans, ByeGenerator.class, hub::byeGenerator);
        ifPresent(beans, SessionPolicy.class, hub::sessionPolicy);
        ifPresent(beans, AcknowledgeHook.class, hub::acknowledgeHook);
        ifPresent(beans, HubTracer.class, hub::tracer);
        Queue queue = optional(beans, Queue.class);
        if (queue != null) {
            if (properties.queueName().isPresent()) {
                throw new ConfigurationException("both a Queue bean (" + queue.getClass().getName() + ") and the property "
                        + "tok.queue=" + properties.queueName().get() + " choose the offline queue: remove one of them");
            }
            hub.queue(queue);
        }
        if (beans.containsBean(ACTOR_EXECUTOR_BEAN)) {
            hub.actorExecutor(beans.getBean(ACTOR_EXECUTOR_BEAN, Executor.class));
        }
        beans.getBeanProvider(HubObserver.class).orderedStream().forEach(hub::observer);
        beans.getBeanProvider(HubConfigCustomizer.class).orderedStream().forEach(c -> c.customize(hub));

        TokServer.Builder server = TokServer.builder(hub.build()).properties(properties.tok());
        properties.startTimeout().ifPresent(server::startTimeout);
        properties.stopTimeout().ifPresent(server::stopTimeout);
        beans.getBeanProvider(TransportSettings.class).orderedStream().forEach(server::transport);
        beans.getBeanProvider(Transport.class).orderedStream().forEach(server::transport);
        beans.getBeanProvider(TokServerCustomizer.class).orderedStream().forEach(c -> c.customize(server));
        try {
            return server.build();
        } catch (ConfigurationException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("no transport")) {
                throw new ConfigurationException("tok has no transport: set the property tok.transports (for example "
                        + "tok.transports=tcp with tok.transport.tcp.port=9000), or declare a TransportSettings bean "
                        + "(TcpTransport.settings().port(9000)); or turn tok off with tok.enabled=false", e);
            }
            throw e;
        }
    }

    /**
     * Starts the server with the context and closes it in the graceful-shutdown phase.
     *
     * @param tokServer   the server
     * @param environment where the ports are published ({@code local.tok.port.<transport>})
     * @return the lifecycle
     */
    @Bean
    @ConditionalOnMissingBean
    public TokServerLifecycle tokServerLifecycle(TokServer tokServer, Environment environment) {
        return new TokServerLifecycle(tokServer, environment);
    }

    /**
     * The hub, for the application's other components (a REST controller that sends): each call
     * goes to the running server's hub, so it is usable once the context has started. Not closed
     * by the context (the server closes its hub).
     *
     * <p>The server is looked up at the first call, so the beans the server is built from (the
     * actor, a hook) may have this {@code Hub} injected.
     *
     * @param tokServer the server, looked up lazily
     * @return the hub
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public Hub tokHub(ObjectProvider<TokServer> tokServer) {
        return new ServerHub(tokServer::getObject);
    }

    private static <T> T required(ConfigurableListableBeanFactory beans, Class<T> type, String what) {
        T bean = optional(beans, type);
        if (bean == null) {
            throw new ConfigurationException("tok-spring-boot-starter needs a bean of type " + type.getName()
                    + " and the application context has none: declare one (" + what
                    + "), or turn tok off with tok.enabled=false");
        }
        return bean;
    }

    private static <T> void ifPresent(ConfigurableListableBeanFactory beans, Class<T> type, Consumer<T> use) {
        T bean = optional(beans, type);
        if (bean != null) {
            use.accept(bean);
        }
    }

    private static <T> T optional(ConfigurableListableBeanFactory beans, Class<T> type) {
        try {
            return beans.getBeanProvider(type).getIfAvailable();
        } catch (NoUniqueBeanDefinitionException e) {
            throw new ConfigurationException(e.getNumberOfBeansFound() + " beans of type " + type.getName() + " "
                    + e.getBeanNamesFound() + ", and the tok hub takes one: mark the one to use @Primary, or remove "
                    + "the others", e);
        }
    }

    /** The hub's Micrometer meters, when tok-metrics-micrometer and a {@code MeterRegistry} bean are there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ TokMetrics.class, MeterRegistry.class })
    @ConditionalOnBean(MeterRegistry.class)
    static class MetricsConfiguration {

        /**
         * The meters, bound to the application's {@code MeterRegistry} (the {@code @Primary} one
         * when there are several, as Spring Boot's composite is). A {@link HubObserver} bean, so
         * the hub reports to it. Spring Boot's metrics auto-configuration binds every
         * {@code MeterBinder} bean too; binding one registry twice counts once.
         *
         * @param registries the registries
         * @return the meters
         */
        @Bean
        @ConditionalOnMissingBean
        TokMetrics tokMetrics(ObjectProvider<MeterRegistry> registries) {
            MeterRegistry registry;
            try {
                registry = registries.getObject();
            } catch (NoUniqueBeanDefinitionException e) {
                throw new ConfigurationException(e.getNumberOfBeansFound() + " MeterRegistry beans " + e.getBeanNamesFound()
                        + " and none is @Primary, so tok cannot tell which one to publish its meters to: mark one "
                        + "@Primary, or declare a TokMetrics bean bound to the ones you want", e);
            }
            TokMetrics metrics = TokMetrics.create();
            metrics.bindTo(registry);
            return metrics;
        }
    }

    /**
     * The health indicator, when Spring Boot's health module is there. The class condition is
     * checked on this class, before the nested one reads the module's own annotation: without the
     * module, that annotation's condition class cannot be loaded.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {

        /** Honours {@code management.health.tok.enabled} (and {@code management.health.defaults.enabled}). */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnEnabledHealthIndicator("tok")
        static class TokHealthIndicatorConfiguration {

            /**
             * @param lifecycle the server's lifecycle
             * @return the indicator, named {@code tok}
             */
            @Bean
            @ConditionalOnMissingBean(name = "tokHealthIndicator")
            TokHealthIndicator tokHealthIndicator(TokServerLifecycle lifecycle) {
                return new TokHealthIndicator(lifecycle);
            }
        }
    }
}
