package dev.tok.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.TokServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health indicator: present with Spring Boot's health module, and what it reports. */
class TokHealthIndicatorTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
            .withUserConfiguration(ChatBeans.class)
            .withPropertyValues("tok.transports=tcp,netty-ws", "tok.transport.tcp.port=0", "tok.transport.netty-ws.port=0");

    @Test
    @DisplayName("UP with the bound transports and their ports, the hub open and the queue; OUT_OF_SERVICE once stopped")
    @SuppressWarnings("unchecked")
    void reports() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasBean("tokHealthIndicator");
            TokServer server = context.getBean(TokServer.class);
            Health health = context.getBean(TokHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("hub", "open").containsEntry("onlineUsers", 0L)
                    .containsEntry("connections", 0L).containsEntry("queue", "dev.tok.queue.memory.MemoryQueue");
            List<Map<String, Object>> transports = (List<Map<String, Object>>) health.getDetails().get("transports");
            assertThat(transports).extracting(t -> t.get("transport")).containsExactly("tcp", "netty-ws");
            assertThat(transports).extracting(t -> t.get("port")).containsExactly(server.port("tcp"), server.port("netty-ws"));

            context.getBean(TokServerLifecycle.class).stop();
            Health stopped = context.getBean(TokHealthIndicator.class).health();
            assertThat(stopped.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(stopped.getDetails()).containsEntry("hub", "closed");
        });
    }

    @Test
    @DisplayName("DOWN before the server started")
    void beforeStart() {
        runner.run(context -> {
            TokServer unstarted = TokServer.builder(context.getBean(TokServer.class).hub().config())
                    .transport("tcp", Map.of("port", "0")).build();
            Health health = new TokHealthIndicator(new TokServerLifecycle(unstarted, context.getEnvironment())).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("server", "not started");
            unstarted.close();
        });
    }

    @Test
    @DisplayName("no health module on the class path, or management.health.tok.enabled=false: no indicator")
    void conditions() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TokHealthIndicator.class));
        runner.withPropertyValues("management.health.tok.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TokHealthIndicator.class));
    }
}
