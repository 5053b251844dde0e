package dev.tok.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.Actor;
import dev.tok.api.ConfigurationException;
import dev.tok.api.ConnectHook;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.HubObserver;
import dev.tok.api.PartialSendPolicy;
import dev.tok.api.PingGenerator;
import dev.tok.api.Queue;
import dev.tok.api.SessionPolicy;
import dev.tok.api.TokServer;
import dev.tok.transport.netty.ws.NettyWsTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The auto-configuration's conditions, the beans it picks up and its messages, on real tok (tcp on port 0). */
class TokAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
            .withPropertyValues("tok.transports=tcp", "tok.transport.tcp.port=0");

    @Test
    @DisplayName("with an Actor and an Authenticator bean it starts a TokServer and exposes it, its lifecycle and the Hub")
    void startsTheServer() {
        runner.withUserConfiguration(ChatBeans.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TokServer.class).hasSingleBean(TokServerLifecycle.class)
                    .hasSingleBean(Hub.class);
            TokServer server = context.getBean(TokServer.class);
            assertThat(context.getBean(TokServerLifecycle.class).isRunning()).isTrue();
            assertThat(server.port("tcp")).isPositive();
            assertThat(context.getEnvironment().getProperty("local.tok.port.tcp", Integer.class)).isEqualTo(server.port("tcp"));
            assertThat(context.getBean(Hub.class).online()).isEmpty();
            assertThat(context.getBean(Hub.class).config().actor()).isSameAs(context.getBean(Actor.class));
        });
    }

    @Test
    @DisplayName("without an Actor bean the context fails to start, saying which bean to declare")
    void missingActor() {
        runner.withUserConfiguration(OnlyAuthenticator.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("needs a bean of type dev.tok.api.Actor")
                    .hasMessageContaining("declare one")
                    .hasMessageContaining("@Bean Actor actor()")
                    .hasMessageContaining("tok.enabled=false");
        });
    }

    @Test
    @DisplayName("without an Authenticator bean the context fails to start, saying which bean to declare")
    void missingAuthenticator() {
        runner.withBean(Actor.class, () -> (c, p) -> c.reply(p)).run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("needs a bean of type dev.tok.api.Authenticator");
        });
    }

    @Test
    @DisplayName("two beans of a kind the hub takes one of fail, naming both, unless one is @Primary")
    void twoOfAKind() {
        runner.withUserConfiguration(ChatBeans.class, TwoPingGenerators.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("2 beans of type dev.tok.api.PingGenerator")
                    .hasMessageContaining("pingA").hasMessageContaining("pingB").hasMessageContaining("@Primary");
        });
        runner.withUserConfiguration(ChatBeans.class, TwoPingGeneratorsOnePrimary.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Hub.class).config().pingGenerator()).containsSame(context.getBean("pingB", PingGenerator.class));
        });
    }

    @Test
    @DisplayName("hooks, session policy, observers, the actor executor, TransportSettings and customizers are picked up")
    void picksUpTheBeans() {
        runner.withUserConfiguration(ChatBeans.class, Hooks.class)
                .withPropertyValues("tok.hub.partial-send-policy=cache-when-all-failed").run(context -> {
            assertThat(context).hasNotFailed();
            HubConfig config = context.getBean(Hub.class).config();
            assertThat(config.connectHook()).containsSame(context.getBean(ConnectHook.class));
            assertThat(config.closeHook()).isPresent();
            assertThat(config.pingGenerator()).containsSame(context.getBean(PingGenerator.class));
            assertThat(config.sessionPolicy()).isSameAs(context.getBean(SessionPolicy.class));
            assertThat(config.observers()).containsExactly(context.getBean("observerB", HubObserver.class),
                    context.getBean("observerA", HubObserver.class));
            assertThat(config.actorExecutor()).containsSame(context.getBean(TokAutoConfiguration.ACTOR_EXECUTOR_BEAN, Executor.class));
            assertThat(config.partialSendPolicy()).as("the HubConfigCustomizer comes after tok.hub.*")
                    .isEqualTo(PartialSendPolicy.NEVER_CACHE);
            TokServer server = context.getBean(TokServer.class);
            assertThat(server.listeners()).extracting(TokServer.Listener::transport).containsExactly("tcp", "netty-ws");
        });
    }

    @Test
    @DisplayName("a Queue bean becomes the hub's queue; together with tok.queue it is refused")
    void queueBean() {
        runner.withUserConfiguration(ChatBeans.class, QueueBean.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Hub.class).config().queue()).containsSame(context.getBean(Queue.class));
        });
        runner.withUserConfiguration(ChatBeans.class, QueueBean.class).withPropertyValues("tok.queue=memory").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("both a Queue bean")
                    .hasMessageContaining("tok.queue=memory").hasMessageContaining("remove one");
        });
    }

    @Test
    @DisplayName("the tok.* properties reach tok: hub settings, the queue and its settings, several transports")
    void properties() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
                .withUserConfiguration(ChatBeans.class)
                .withPropertyValues("tok.transport.tcp.port=0", "tok.hub.ping-interval=7s", "tok.hub.max-pending-frames=9", "tok.queue=memory",
                        "tok.queue.max-messages-per-user=3", "tok.transports[0]=tcp", "tok.transports[1]=jetty-ws",
                        "tok.transport.jetty-ws.port=0", "tok.stop-timeout=3s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    HubConfig config = context.getBean(Hub.class).config();
                    assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(config.maxPendingFrames()).isEqualTo(9);
                    assertThat(context.getBean(TokServer.class).listeners()).extracting(TokServer.Listener::transport)
                            .containsExactly("tcp", "jetty-ws");
                });
    }

    @Test
    @DisplayName("YAML: a list of transports, nested maps, tok.queue next to its dotted settings")
    void yaml() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
                .withUserConfiguration(ChatBeans.class)
                .withInitializer(ctx -> {
                    try {
                        new org.springframework.boot.env.YamlPropertySourceLoader()
                                .load("tok-test.yml", new org.springframework.core.io.ClassPathResource("tok-test.yml"))
                                .forEach(ctx.getEnvironment().getPropertySources()::addLast);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(TokServer.class).listeners()).extracting(TokServer.Listener::transport)
                            .containsExactly("tcp", "netty-ws");
                    Hub hub = context.getBean(Hub.class);
                    assertThat(hub.config().pingInterval()).isEqualTo(Duration.ofSeconds(9));
                    for (int i = 0; i < 3; i++) {
                        hub.send("offline", new byte[] {1}, Duration.ofMinutes(1)).toCompletableFuture().join();
                    }
                    assertThatThrownBy(() -> hub.send("offline", new byte[] {1}, Duration.ofMinutes(1)).toCompletableFuture().join())
                            .as("max-messages-per-user 3 reached the memory queue")
                            .hasRootCauseInstanceOf(dev.tok.api.QueueFullException.class);
                });
    }

    @Test
    @DisplayName("relaxed names: camelCase keys and environment variables (TOK_HUB_PING_INTERVAL, TOK_TRANSPORT_NETTY_WS_PATH)")
    void relaxedNames() {
        runner.withUserConfiguration(ChatBeans.class)
                .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("TOK_HUB_PING_INTERVAL", "11s", "TOK_TRANSPORTS", "tcp,netty-ws",
                                "TOK_TRANSPORT_NETTY_WS_PORT", "0", "TOK_TRANSPORT_NETTY_WS_PATH", "/chat"))))
                .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addLast(new MapPropertySource("yaml",
                        Map.of("tok.hub.maxPendingFrames", "5"))))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    HubConfig config = context.getBean(Hub.class).config();
                    assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(11));
                    assertThat(config.maxPendingFrames()).isEqualTo(5);
                    assertThat(context.getBean(TokServer.class).listeners()).extracting(TokServer.Listener::transport)
                            .containsExactly("tcp", "netty-ws");
                });
    }

    @Test
    @DisplayName("a mistake in a tok.* property fails with tok's message; no transport says which property to set")
    void propertyMistakes() {
        runner.withUserConfiguration(ChatBeans.class).withPropertyValues("tok.hub.ping-intervall=5s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("ping-intervall").hasMessageContaining("ping-interval");
        });
        runner.withUserConfiguration(ChatBeans.class).withPropertyValues("tok.transport.tpc.port=1").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("tok.transport.tpc.port")
                    .hasMessageContaining("tok.transports");
        });
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
                .withUserConfiguration(ChatBeans.class).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("tok has no transport")
                            .hasMessageContaining("tok.transports=tcp").hasMessageContaining("tok.transport.tcp.port");
                });
    }

    @Test
    @DisplayName("a key outside tok's sections fails from the application's properties, is ignored from the environment")
    void keysOutsideTheSections() {
        runner.withUserConfiguration(ChatBeans.class).withPropertyValues("tok.hubs.sso=false").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("unknown property 'tok.hubs.sso'").hasMessageContaining("tok.hub");
        });
        runner.withUserConfiguration(ChatBeans.class)
                .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("TOK_VERSION", "1.2"))))
                .run(context -> assertThat(context).hasNotFailed());
        runner.withUserConfiguration(ChatBeans.class)
                .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("TOK_HUB_PING_INTERVALL", "5s"))))
                .run(context -> {
                    assertThat(context).as("inside a section a misspelling fails, wherever it comes from").hasFailed();
                    assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("ping.intervall");
                });
    }

    @Test
    @DisplayName("a port in use fails the context's start with tok's message")
    void portInUse() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            runner.withUserConfiguration(ChatBeans.class).withPropertyValues("tok.transport.tcp.port=" + taken.getLocalPort())
                    .run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(context.getStartupFailure()).hasStackTraceContaining(String.valueOf(taken.getLocalPort()));
                    });
        }
    }

    @Test
    @DisplayName("tok.enabled=false turns the auto-configuration off; an application TokServer bean replaces the built one")
    void conditions() {
        runner.withUserConfiguration(ChatBeans.class).withPropertyValues("tok.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(TokServer.class).doesNotHaveBean(TokServerLifecycle.class)
                    .doesNotHaveBean(Hub.class);
        });
        runner.withUserConfiguration(ChatBeans.class, OwnServer.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TokServer.class).hasBean("myServer");
            assertThat(context.getBean(TokServer.class).listeners()).as("started by the starter's lifecycle").hasSize(1);
        });
    }

    @Test
    @DisplayName("a bean the server is built from (here a ConnectHook) may have the Hub bean injected: no cycle")
    void hookWithTheHub() {
        runner.withUserConfiguration(ChatBeans.class, HookWithHub.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Hub.class).config().connectHook()).containsSame(context.getBean(ConnectHook.class));
        });
    }

    @Test
    @DisplayName("the Hub bean says when it is used before the server started")
    void hubBeforeStart() {
        TokServer server = TokServer.builder(HubConfig.builder().actor((c, p) -> { })
                .authenticator(r -> java.util.concurrent.CompletableFuture.completedFuture(dev.tok.api.Device.of("a", "")))
                .build()).transport("tcp", Map.of("port", "0")).build();
        assertThatThrownBy(() -> new ServerHub(() -> server).online()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("once the tok server has started").hasMessageContaining("ApplicationReadyEvent");
        server.close();
    }

    @Test
    @DisplayName("the failure analyzer reports tok's message and where the properties are documented")
    void failureAnalyzer() {
        ConfigurationException e = new ConfigurationException("unknown setting 'x' for hub");
        FailureAnalysis analysis = new TokFailureAnalyzer().analyze(new IllegalStateException("wrapper", e));
        assertThat(analysis.getDescription()).contains("unknown setting 'x' for hub");
        assertThat(analysis.getAction()).contains("tok.transport.<name>.*");
    }

    static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && !(c instanceof ConfigurationException)) {
            c = c.getCause();
        }
        return c;
    }

    @Configuration(proxyBeanMethods = false)
    static class OnlyAuthenticator {
        @Bean
        dev.tok.api.Authenticator authenticator() {
            return new ChatBeans().authenticator();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoPingGenerators {
        @Bean
        PingGenerator pingA() {
            return () -> new byte[] {1};
        }

        @Bean
        PingGenerator pingB() {
            return () -> new byte[] {2};
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoPingGeneratorsOnePrimary {
        @Bean
        PingGenerator pingA() {
            return () -> new byte[] {1};
        }

        @Bean
        @Primary
        PingGenerator pingB() {
            return () -> new byte[] {2};
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Hooks {
        @Bean
        ConnectHook connectHook() {
            return connection -> { };
        }

        @Bean
        PingGenerator pingGenerator() {
            return () -> new byte[0];
        }

        @Bean
        SessionPolicy sessionPolicy() {
            return SessionPolicy.shareAll(3);
        }

        @Bean
        @org.springframework.core.annotation.Order(2)
        HubObserver observerA() {
            return new HubObserver() { };
        }

        @Bean
        @org.springframework.core.annotation.Order(1)
        HubObserver observerB() {
            return new HubObserver() { };
        }

        @Bean(TokAutoConfiguration.ACTOR_EXECUTOR_BEAN)
        Executor tokActorExecutor() {
            return Runnable::run;
        }

        @Bean
        HubConfigCustomizer neverCache() {
            return b -> b.partialSendPolicy(PartialSendPolicy.NEVER_CACHE);
        }

        @Bean
        dev.tok.api.TransportSettings nettyWs() {
            return NettyWsTransport.settings().port(0);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HookWithHub {
        @Bean
        ConnectHook connectHook(Hub hub) {
            return connection -> hub.isOnline(connection.device().uid());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class QueueBean {
        @Bean
        Queue queue() {
            return dev.tok.api.spi.QueueProvider.class.cast(java.util.ServiceLoader.load(dev.tok.api.spi.QueueProvider.class)
                    .stream().map(java.util.ServiceLoader.Provider::get).filter(p -> p.name().equals("memory")).findFirst()
                    .orElseThrow()).create(dev.tok.api.spi.Settings.of("queue 'memory'", Map.of()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnServer {
        @Bean
        TokServer myServer(dev.tok.api.Authenticator authenticator, Actor actor) {
            return TokServer.builder(HubConfig.builder().actor(actor).authenticator(authenticator).build())
                    .transport("tcp", Map.of("port", "0")).build();
        }
    }
}
