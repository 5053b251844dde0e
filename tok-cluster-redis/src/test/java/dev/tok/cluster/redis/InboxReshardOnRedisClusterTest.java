package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import dev.tok.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Resharding on a Redis Cluster: the slot of a node's inbox channel (and of the node's keys, which
 * share its hash tag) moves to another master. Redis ends the node's sharded subscription there;
 * the node subscribes again on the new owner, and routing to it works again.
 */
class InboxReshardOnRedisClusterTest {

    private final Nodes nodes = new Nodes(Nodes.redisCluster());

    @AfterEach
    void close() {
        nodes.close();
    }

    @Test
    @DisplayName("after the slot of node b's inbox moved to another master, b listens there and a's routed sends reach b again")
    void slotMoves() {
        String id = "reshard-" + nodes.prefix().replace(":", "");
        Nodes.FakeHub a = nodes.start("a", "route-timeout", "500ms");
        // a long lease, so that b stays live however long the migration keeps its heartbeat waiting; a
        // short heartbeat, at which b tries to subscribe again if its first try failed
        Nodes.FakeHub b = nodes.start(id, "route-timeout", "500ms", "heartbeat", "300ms", "lease", "10s");
        b.connect("alice", "phone", "b1");
        assertThat(join(a.cluster.route(ClusterSend.toUser("alice", new byte[] {1}))))
                .extracting(RemoteWrite::status).containsExactly(RemoteWrite.Status.WRITTEN);

        List<RedisServer> servers = Nodes.sharedRedisCluster().nodes();
        String lease = nodes.prefix() + "node:{" + id + "}";
        String users = lease + ":users";
        long slot = Long.parseLong(servers.get(0).command("CLUSTER KEYSLOT " + lease).substring(1));
        RedisServer source = servers.stream().filter(s -> !s.command("EXISTS " + lease).startsWith("-MOVED")).findFirst().orElseThrow();
        RedisServer target = servers.stream().filter(s -> s != source).findFirst().orElseThrow();
        assertThat(source.command("CLUSTER COUNTKEYSINSLOT " + slot)).as("only b's keys in the slot").isEqualTo(":2");
        String sourceId = source.command("CLUSTER MYID");
        String targetId = target.command("CLUSTER MYID");

        // the steps of redis-cli --cluster reshard, for this one slot
        assertThat(target.command("CLUSTER SETSLOT " + slot + " IMPORTING " + sourceId)).isEqualTo("+OK");
        assertThat(source.command("CLUSTER SETSLOT " + slot + " MIGRATING " + targetId)).isEqualTo("+OK");
        assertThat(source.command("MIGRATE 127.0.0.1 " + target.port() + " \"\" 0 5000 KEYS " + lease + " " + users)).isEqualTo("+OK");
        for (RedisServer s : servers) {
            assertThat(s.command("CLUSTER SETSLOT " + slot + " NODE " + targetId)).isEqualTo("+OK");
        }

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                join(a.cluster.route(ClusterSend.toUser("alice", new byte[] {2}))).stream()
                        .allMatch(w -> w.status() == RemoteWrite.Status.WRITTEN));
        assertThat(join(a.cluster.isOnline("alice"))).isTrue();
        assertThat(b.written).contains("b1:\u0002");
    }
}
