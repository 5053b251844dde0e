package dev.tok.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.Hub;
import dev.tok.api.TokServer;
import dev.tok.metrics.micrometer.TokMetrics;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** TokMetrics is configured only with tok-metrics-micrometer on the class path and a MeterRegistry bean. */
class TokMetricsAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
            .withUserConfiguration(ChatBeans.class)
            .withPropertyValues("tok.transports=tcp", "tok.transport.tcp.port=0");

    @Test
    @DisplayName("no MeterRegistry bean: no TokMetrics, and the hub has no observer")
    void noRegistry() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(TokMetrics.class);
            assertThat(context.getBean(Hub.class).config().observers()).isEmpty();
        });
    }

    @Test
    @DisplayName("a MeterRegistry bean: TokMetrics is bound to it and observes the hub")
    void withRegistry() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TokMetrics.class);
            assertThat(context.getBean(Hub.class).config().observers()).containsExactly(context.getBean(TokMetrics.class));
            assertThat(context.getBean(MeterRegistry.class).find("tok.sends").counters()).hasSize(8);
        });
    }

    @Test
    @DisplayName("tok-metrics-micrometer, or Micrometer itself, not on the class path: no TokMetrics, the context starts")
    void withoutTheModule() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withClassLoader(new FilteredClassLoader("dev.tok.metrics.micrometer"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TokMetrics.class));
        runner.withClassLoader(new FilteredClassLoader("dev.tok.metrics.micrometer", "io.micrometer"))
                .run(context -> assertThat(context).as("no Micrometer at all").hasNotFailed().hasSingleBean(TokServer.class));
    }

    @Test
    @SuppressWarnings("try") // the client only has to be connected
    @DisplayName("with Spring Boot's metrics auto-configuration (which binds MeterBinder beans too) a connection counts once")
    void withBootMetricsCountsOnce() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(TokMetrics.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    int port = context.getBean(TokServer.class).port("tcp");
                    try (ClientConnection alice = new FramedSocketClient().connect(new InetSocketAddress("127.0.0.1", port), "alice")) {
                        await().atMost(Duration.ofSeconds(10)).until(() -> context.getBean(Hub.class).isOnline("alice"));
                        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                                assertThat(registry.get("tok.connections.opened").tag("transport", "tcp").counter().count())
                                        .isEqualTo(1.0));
                    }
                });
    }
}
