package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.spi.ClusterConnection;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The presence events a hub's cache of who-is-where relies on, and routing to given targets in call order. */
class PresenceEventsTest {

    private final Nodes nodes = new Nodes(backend());

    /** @return the Redis these tests run on: the shared standalone server here; a Redis Cluster in the subclass */
    Nodes.Backend backend() {
        return Nodes.standalone();
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    @Test
    @DisplayName("a registration, a takeover and an unregistration on node b are announced to a, not to b itself")
    void announced() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        b.connect("alice", "phone", "b1");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.presence.contains("alice"));
        a.presence.clear();
        b.connections.computeIfAbsent("alice", u -> new java.util.concurrent.ConcurrentHashMap<>()).put("b2", "laptop");
        join(b.cluster.registerReplacing("alice", "laptop", "b2", "*"));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.presence.contains("alice"));
        a.presence.clear();
        b.disconnect("alice", "b2");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.presence.contains("alice"));
        assertThat(b.presence).doesNotContain("alice");
    }

    @Test
    @DisplayName("a node whose lease lapsed makes the survivors forget what they cached (onPresenceUnknown)")
    void nodeLeft() {
        Nodes.FakeHub a = nodes.start("a", "lease", "600ms", "heartbeat", "100ms");
        Nodes.FakeHub b = nodes.start("b", "lease", "600ms", "heartbeat", "100ms");
        b.connect("bob", "phone", "b1");
        await().atMost(Duration.ofSeconds(5)).until(() -> join(a.cluster.nodes()).contains("b"));
        b.cluster.abort();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.presence.contains("?"));
    }

    @Test
    @DisplayName("sends routed to given targets one after the other reach the node in call order; a target of this node is left out")
    void routedInOrder() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        b.connect("carol", "phone", "b1");
        List<ClusterConnection> targets = join(a.cluster.connections("carol"));
        List<ClusterConnection> withOwn = new ArrayList<>(targets);
        withOwn.add(new ClusterConnection("a", "a9", "carol", "watch", 1));
        List<java.util.concurrent.CompletableFuture<List<RemoteWrite>>> stages = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            stages.add(a.cluster.route(ClusterSend.toUser("carol", ("m" + i).getBytes(StandardCharsets.UTF_8)), withOwn)
                    .toCompletableFuture());
        }
        for (var s : stages) {
            assertThat(join(s)).extracting(RemoteWrite::connectionId).containsExactly("b1");
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            expected.add("b1:m" + i);
        }
        assertThat(b.written).containsExactlyElementsOf(expected);
        assertThat(a.written).isEmpty();
    }
}
