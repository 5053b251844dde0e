package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.spi.ClusterConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Presence registered on one node is what every node sees; a graceful stop removes it at once. */
class PresenceTest {

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
    @DisplayName("a connection registered on node a is online on node b, with its node and device, until a unregisters it")
    void visibleAcrossNodes() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        assertThat(join(b.cluster.nodes())).containsExactlyInAnyOrder("a", "b");
        assertThat(join(b.cluster.isOnline("alice"))).isFalse();

        a.connect("alice", "phone", "c1");
        b.connect("alice", "laptop", "c2");
        a.connect("bob", "phone", "c3");

        assertThat(join(b.cluster.isOnline("alice"))).isTrue();
        assertThat(join(b.cluster.connections("alice"))).extracting(ClusterConnection::nodeId, ClusterConnection::connectionId,
                ClusterConnection::deviceId).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("a", "c1", "phone"), org.assertj.core.groups.Tuple.tuple("b", "c2", "laptop"));
        assertThat(join(a.cluster.online())).containsExactlyInAnyOrder("alice", "bob");

        a.disconnect("alice", "c1");
        b.disconnect("alice", "c2");
        assertThat(join(b.cluster.isOnline("alice"))).isFalse();
        assertThat(join(b.cluster.online())).containsExactly("bob");
    }

    @Test
    @DisplayName("device ids and connection ids with '|' and '%' survive the round trip")
    void escaping() {
        Nodes.FakeHub a = nodes.start("a");
        a.connect("u|1", "dev|%7C|x", "conn|2");
        assertThat(join(a.cluster.connections("u|1"))).singleElement().satisfies(c -> {
            assertThat(c.deviceId()).isEqualTo("dev|%7C|x");
            assertThat(c.connectionId()).isEqualTo("conn|2");
        });
    }

    @Test
    @DisplayName("uids that are empty or hold '{', '}' or '%' keep both their keys in one slot (the whole uid is the hash tag)")
    void awkwardUids() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        java.util.List<String> uids = java.util.List.of("", "}x", "a{b}c", "{", "%", "%7B");
        for (String uid : uids) {
            a.connect(uid, "phone", "c-" + uid);
            assertThat(join(b.cluster.registerReplacing(uid, "laptop", "d-" + uid, "*")).replaced()).as(uid).isEmpty();
            assertThat(join(b.cluster.connections(uid))).as(uid).extracting(ClusterConnection::uid).containsOnly(uid).hasSize(2);
        }
        assertThat(join(b.cluster.online())).containsExactlyInAnyOrderElementsOf(uids);
        for (String uid : uids) {
            a.disconnect(uid, "c-" + uid);
            b.disconnect(uid, "d-" + uid);
            assertThat(join(a.cluster.isOnline(uid))).as(uid).isFalse();
        }
        assertThat(RedisClusterNode.hashTag("")).isEqualTo("%");
        assertThat(RedisClusterNode.hashTag("a{b}%")).isEqualTo("a%7Bb%7D%25");
    }

    @Test
    @DisplayName("a graceful stop of a node removes its presence at once, not after the lease")
    void gracefulStop() {
        Nodes.FakeHub a = nodes.start("a", "lease", "1h", "heartbeat", "10m");
        Nodes.FakeHub b = nodes.start("b", "lease", "1h", "heartbeat", "10m");
        a.connect("alice", "phone", "c1");
        assertThat(join(b.cluster.isOnline("alice"))).isTrue();

        a.cluster.close();

        assertThat(join(b.cluster.isOnline("alice"))).isFalse();
        assertThat(join(b.cluster.online())).isEmpty();
        assertThat(join(b.cluster.nodes())).containsExactly("b");
        assertThat(nodes.command("EXISTS " + nodes.prefix() + "node:{a}")).isEqualTo(":0");
    }

    @Test
    @DisplayName("an entry left by an earlier incarnation of a node does not count; the node started again removes them, a user set that is a superset included")
    void earlierIncarnation() {
        Nodes.FakeHub a = nodes.start("a", "lease", "1h", "heartbeat", "10m");
        Nodes.FakeHub b = nodes.start("b", "lease", "1h", "heartbeat", "10m");
        a.connect("alice", "phone", "a1");
        String[] value = nodes.command("HGET " + nodes.prefix() + "{alice}:conns a|a1").split("\\|", -1);
        assertThat(value).hasSize(4);   // epoch, scope, incarnation, device
        // what a crashed earlier instance of node a could have left behind
        nodes.command("HSET " + nodes.prefix() + "{alice}:conns a|ghost " + value[0] + "||0123456789abcdef|" + value[3]);
        nodes.command("SADD " + nodes.prefix() + "node:{a}:users carol");
        assertThat(join(b.cluster.connections("alice"))).extracting(ClusterConnection::connectionId).containsExactly("a1");

        a.cluster.abort();                                        // kill -9: nothing cleaned up
        nodes.command("DEL " + nodes.prefix() + "node:{a}");      // and its lease lapsed
        nodes.start("a", "lease", "1h", "heartbeat", "10m");      // started again before any sweep

        assertThat(nodes.command("HLEN " + nodes.prefix() + "{alice}:conns")).isEqualTo(":0");
        assertThat(join(b.cluster.isOnline("alice"))).isFalse();
        assertThat(join(b.cluster.online())).isEmpty();
    }

    @Test
    @DisplayName("two live nodes cannot share a node id")
    void duplicateNodeId() {
        Nodes.FakeHub first = nodes.start("same");
        Nodes.FakeHub other = nodes.start("other");
        first.connect("alice", "phone", "s1");
        RedisClusterNode twin = nodes.open("same");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> join(twin.start(new Nodes.FakeHub(twin))))
                .hasRootCauseInstanceOf(dev.tok.api.TokException.class)
                .rootCause().hasMessageContaining("node id 'same' is held by a live node");

        twin.close();   // leaves the live node's lease and presence alone
        assertThat(nodes.command("EXISTS " + nodes.prefix() + "node:{same}")).isEqualTo(":1");
        assertThat(join(other.cluster.connections("alice"))).extracting(ClusterConnection::connectionId).containsExactly("s1");
        assertThat(join(other.cluster.online())).containsExactly("alice");
    }
}
