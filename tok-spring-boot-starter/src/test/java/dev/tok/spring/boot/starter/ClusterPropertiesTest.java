package dev.tok.spring.boot.starter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Hub;
import dev.tok.api.TokException;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.RedisServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@code tok.cluster} and {@code tok.cluster.*} reach {@code TokServer.Builder.properties}: from
 * application properties and from environment variables ({@code TOK_CLUSTER_NODE_ID}), checked
 * by tok; and two application contexts on one real redis-server act as one hub.
 */
class ClusterPropertiesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokAutoConfiguration.class))
            .withUserConfiguration(ChatBeans.class)
            .withPropertyValues("tok.transports=tcp", "tok.transport.tcp.port=0", "tok.transport.tcp.host=127.0.0.1");

    @TempDir
    Path dir;

    @Test
    @DisplayName("tok.cluster and its settings reach tok: a node-local queue is refused with TokServer's message, a misspelled key with tok's")
    void propertiesReachTok() {
        runner.withPropertyValues("tok.cluster=redis", "tok.cluster.uri=redis://127.0.0.1:1/0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("cluster 'redis' with queue 'memory', which each node keeps for itself");
        });
        runner.withPropertyValues("tok.cluster=redis", "tok.cluster.uri=redis://127.0.0.1:1/0", "tok.queue=redis",
                "tok.queue.uri=redis://127.0.0.1:1/0", "tok.cluster.lease-time=3s").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(rootCause(context.getStartupFailure())).isInstanceOf(ConfigurationException.class)
                            .hasMessageContaining("lease-time").hasMessageContaining("cluster 'redis'");
                });
        runner.withPropertyValues("tok.cluster.uri=redis://127.0.0.1:1/0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("without tok.cluster naming the cluster");
        });
    }

    @Test
    @DisplayName("environment variables: TOK_CLUSTER, TOK_CLUSTER_NODE_ID, TOK_CLUSTER_ALLOW_NODE_LOCAL_QUEUE are tok.cluster, tok.cluster.node-id, tok.cluster.allow-node-local-queue")
    void environmentVariables() {
        runner.withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("TOK_CLUSTER", "redis", "TOK_CLUSTER_URI", "redis://127.0.0.1:1/0", "TOK_CLUSTER_NODE_ID", "env-node",
                                "TOK_CLUSTER_ROUTE_TIMEOUT", "1s", "TOK_CLUSTER_CONNECT_TIMEOUT", "1s",
                                "TOK_CLUSTER_ALLOW_NODE_LOCAL_QUEUE", "true"))))
                .run(context -> {
                    // every key was known (else: "unknown setting"), the memory queue allowed: the start
                    // got as far as connecting to the cluster's Redis, which is not there
                    assertThat(context).hasFailed();
                    Throwable tok = context.getStartupFailure();
                    while (tok != null && !(tok instanceof TokException)) {
                        tok = tok.getCause();
                    }
                    assertThat(tok).as("tok's failure in %s", context.getStartupFailure()).isNotNull()
                            .isNotInstanceOf(ConfigurationException.class).hasMessageContaining("redis://127.0.0.1:1/0");
                });
    }

    @Test
    @DisplayName("two application contexts with tok.cluster=redis and tok.queue=redis on one Redis act as one hub")
    void twoContextsOneHub() {
        try (RedisServer redis = RedisServer.start(dir, RedisServer.Persistence.NONE)) {
            ApplicationContextRunner nodes = runner.withPropertyValues("tok.cluster=redis", "tok.cluster.uri=" + redis.uri(),
                    "tok.queue=redis", "tok.queue.uri=" + redis.uri());
            nodes.withPropertyValues("tok.cluster.node-id=spring-a").run(a -> {
                assertThat(a).hasNotFailed();
                nodes.withPropertyValues("tok.cluster.nodeId=spring-b").run(b -> {
                    assertThat(b).hasNotFailed();
                    Hub hubA = a.getBean(Hub.class);
                    Hub hubB = b.getBean(Hub.class);
                    assertThat(hubA.config().cluster()).hasValueSatisfying(c -> assertThat(c.nodeId()).isEqualTo("spring-a"));
                    assertThat(hubB.config().cluster()).hasValueSatisfying(c -> assertThat(c.nodeId()).isEqualTo("spring-b"));
                    ClientConnection alice = new FramedSocketClient().connect(address(a), "alice");
                    ClientConnection bob = new FramedSocketClient().connect(address(b), "bob");
                    try {
                        await().atMost(WAIT).until(() -> hubB.isOnline("alice") && hubA.isOnline("bob"));
                        bob.send("alice:hello across".getBytes(UTF_8));
                        assertThat(text(alice.receive(WAIT).orElseThrow())).isEqualTo("bob: hello across");
                        assertThat(text(bob.receive(WAIT).orElseThrow())).isEqualTo("ok");
                        hubB.send("alice", "from b's Hub bean".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join();
                        assertThat(text(alice.receive(WAIT).orElseThrow())).isEqualTo("from b's Hub bean");
                    } finally {
                        alice.close();
                        bob.close();
                    }
                });
            });
        }
    }

    private static InetSocketAddress address(ConfigurableApplicationContext context) {
        return new InetSocketAddress("127.0.0.1", context.getEnvironment().getRequiredProperty("local.tok.port.tcp", Integer.class));
    }

    private static String text(byte[] b) {
        return new String(b, UTF_8);
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
