package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node dies without a word (its heartbeat stops and its connections close, as after kill -9):
 * its users count as offline everywhere within the lease plus a heartbeat, and a survivor removes
 * its presence from Redis.
 */
class LeaseExpiryTest {

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
    @DisplayName("after node b dies, its users go offline on node a within the lease, and a sweeps b's keys")
    void deadNodeLapses() {
        String[] fast = {"lease", "1500ms", "heartbeat", "300ms", "route-timeout", "3s"};
        Nodes.FakeHub a = nodes.start("a", fast);
        Nodes.FakeHub b = nodes.start("b", fast);
        b.connect("alice", "phone", "b1");
        a.connect("bob", "phone", "a1");
        assertThat(join(a.cluster.isOnline("alice"))).isTrue();

        long t0 = System.nanoTime();
        b.cluster.abort();

        // until the lease lapses, a routed send finds nobody listening and says so at once, not after
        // the route timeout (on a Redis Cluster too: the sharded publish's count is the shard's)
        long r0 = System.nanoTime();
        assertThat(join(a.cluster.route(ClusterSend.toUser("alice", new byte[] {1}))))
                .extracting(RemoteWrite::status).containsOnly(RemoteWrite.Status.NO_ANSWER);
        assertThat((System.nanoTime() - r0) / 1_000_000).as("ms to NO_ANSWER, route-timeout 3s").isLessThan(1500);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> !join(a.cluster.isOnline("alice")));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("offline within lease + heartbeat (+ slack)").isLessThan(1500 + 300 + 1500);
        assertThat(join(a.cluster.nodes())).containsExactly("a");
        assertThat(join(a.cluster.online())).containsExactly("bob");

        await().atMost(Duration.ofSeconds(5)).until(() ->
                nodes.command("HLEN " + nodes.prefix() + "{alice}:conns").equals(":0")
                        && nodes.command("EXISTS " + nodes.prefix() + "node:{b}:users").equals(":0")
                        && nodes.command("HEXISTS " + nodes.prefix() + "nodes b").equals(":0"));
        assertThat(nodes.command("HLEN " + nodes.prefix() + "{bob}:conns")).isEqualTo(":1");
    }

    @Test
    @DisplayName("a node back after its lease lapsed registers its connections again, except one a newer login replaced meanwhile: that one gets a takeover")
    void backAfterLapse() {
        String[] fast = {"lease", "1500ms", "heartbeat", "300ms"};
        Nodes.FakeHub a = nodes.start("a", fast);
        Nodes.FakeHub b = nodes.start("b", fast);
        a.connections.computeIfAbsent("alice", u -> new java.util.concurrent.ConcurrentHashMap<>()).put("a1", "phone");
        join(a.cluster.registerReplacing("alice", "phone", "a1", "*"));
        a.connect("bob", "phone", "a2");

        // a is cut off (no heartbeat) and its lease lapses; b sweeps it
        a.cluster.pauseHeartbeat(true);
        nodes.command("DEL " + nodes.prefix() + "node:{a}");
        await().atMost(Duration.ofSeconds(5)).until(() -> !join(b.cluster.isOnline("bob")));
        // meanwhile alice logs in on b
        b.connections.computeIfAbsent("alice", u -> new java.util.concurrent.ConcurrentHashMap<>()).put("b1", "laptop");
        dev.tok.api.spi.Cluster.Registration login = join(b.cluster.registerReplacing("alice", "laptop", "b1", "*"));
        assertThat(login.replaced()).isEmpty();

        a.cluster.pauseHeartbeat(false);

        await().atMost(Duration.ofSeconds(5)).until(() -> join(b.cluster.isOnline("bob")));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.takeovers.contains("alice/a1@" + login.epoch() + " by b"));
        assertThat(join(b.cluster.connections("alice"))).extracting(dev.tok.api.spi.ClusterConnection::connectionId)
                .containsExactly("b1");
        assertThat(join(b.cluster.nodes())).containsExactlyInAnyOrder("a", "b");
    }
}
