package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.TokException;
import dev.tok.api.spi.ClusterSend;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis stops mid-test (its process stopped) and comes back empty (started again on the same
 * port, no persistence): meanwhile every cluster operation fails fast with a TokException naming
 * Redis; afterwards each node notices its lapsed lease and registers its connections again.
 */
class RedisDownTest {

    @TempDir
    Path dir;

    private RedisServer redis;
    private Nodes nodes;

    @BeforeEach
    void start() {
        redis = RedisServer.start(dir, RedisServer.Persistence.NONE);
        nodes = new Nodes(redis);
    }

    @AfterEach
    void stop() {
        nodes.close();
        redis.stop();
    }

    @Test
    @DisplayName("while Redis is down, operations fail with a TokException within command-timeout; after a restart presence is registered again")
    void downAndBack() {
        String[] settings = {"command-timeout", "500ms", "lease", "2s", "heartbeat", "300ms", "route-timeout", "500ms"};
        Nodes.FakeHub a = nodes.start("a", settings);
        Nodes.FakeHub b = nodes.start("b", settings);
        a.connect("alice", "phone", "a1");
        b.connect("bob", "laptop", "b1");
        assertThat(join(b.cluster.online())).containsExactlyInAnyOrder("alice", "bob");

        redis.stop();

        failsFast(() -> b.cluster.isOnline("alice"));
        failsFast(() -> b.cluster.online());
        failsFast(() -> b.cluster.register("carol", "phone", "b2"));
        failsFast(() -> a.cluster.route(ClusterSend.toUser("bob", new byte[] {1})));
        failsFast(() -> a.cluster.kick("bob"));
        // the hub's own state is untouched: a still holds alice's connection
        assertThat(a.connections.get("alice")).containsKey("a1");

        redis.restart();   // empty: no persistence

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> join(b.cluster.online()).containsAll(java.util.List.of("alice", "bob")));
        assertThat(join(a.cluster.nodes())).containsExactlyInAnyOrder("a", "b");
        assertThat(join(a.cluster.connections("bob"))).singleElement()
                .satisfies(c -> assertThat(c.connectionId()).isEqualTo("b1"));
        // b2 failed to register: it was not kept for re-registration
        assertThat(join(a.cluster.connections("carol"))).isEmpty();
        assertThat(join(a.cluster.route(ClusterSend.toUser("bob", "back".getBytes(java.nio.charset.StandardCharsets.UTF_8)))))
                .singleElement().satisfies(w -> assertThat(w.status()).isEqualTo(dev.tok.api.spi.RemoteWrite.Status.WRITTEN));
    }

    @Test
    @DisplayName("an unregistration that failed while Redis was down is done once Redis is back (before the lease lapsed)")
    void failedUnregistrationDoneLater() throws java.io.IOException {
        RedisServer durable = RedisServer.start(java.nio.file.Files.createDirectories(dir.resolve("aof")),
                RedisServer.Persistence.APPEND_ONLY);
        Nodes onDurable = new Nodes(durable);
        try {
            String[] settings = {"command-timeout", "500ms", "lease", "15s", "heartbeat", "300ms"};
            Nodes.FakeHub a = onDurable.start("a", settings);
            Nodes.FakeHub b = onDurable.start("b", settings);
            a.connect("alice", "phone", "a1");
            a.connect("alice", "laptop", "a2");
            assertThat(join(b.cluster.isOnline("alice"))).isTrue();

            durable.stop();   // graceful: the append-only file has everything, the lease included
            assertThatThrownBy(() -> join(a.cluster.unregister("alice", "a1")))   // AssertionError(ExecutionException(TokException))
                    .satisfies(t -> assertThat(t.getCause().getCause()).isInstanceOf(TokException.class));
            assertThatThrownBy(() -> join(a.cluster.unregister("alice", "a2")))   // AssertionError(ExecutionException(TokException))
                    .satisfies(t -> assertThat(t.getCause().getCause()).isInstanceOf(TokException.class));
            durable.restart();   // with the entries and the lease: no lapse, no registration again

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> !join(b.cluster.isOnline("alice")));
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> onDurable.command("EXISTS " + onDurable.prefix() + "node:{a}:users").equals(":0"));
            assertThat(join(b.cluster.online())).isEmpty();
        } finally {
            onDurable.close();
            durable.stop();
        }
    }

    private void failsFast(Supplier<CompletionStage<?>> operation) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> {
            try {
                operation.get().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        }).isInstanceOf(TokException.class).hasMessageContaining(redis.uri().replace("/0", ""));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("failed within command-timeout (500ms) plus slack").isLessThan(1500);
    }
}
