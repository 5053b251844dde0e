package dev.tok.cluster.redis;

import static dev.tok.cluster.redis.Nodes.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import dev.tok.api.spi.RemoteWrite.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Sends and kicks routed to the nodes holding the user's connections, with each connection's outcome. */
class RoutingTest {

    private final Nodes nodes = new Nodes(backend());

    /** @return the Redis these tests run on: the shared standalone server here; a Redis Cluster in the subclass */
    Nodes.Backend backend() {
        return Nodes.standalone();
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a send routed from node a reaches the connections on b and c and reports each one; a's own are left to a")
    void routesToHoldingNodes() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        Nodes.FakeHub c = nodes.start("c");
        a.connect("alice", "watch", "a1");
        b.connect("alice", "phone", "b1");
        c.connect("alice", "laptop", "c1");
        c.connect("alice", "tablet", "c2");
        c.broken.add("c2");

        assertThat(join(a.cluster.route(ClusterSend.toUser("alice", utf8("hi")))))
                .extracting(RemoteWrite::nodeId, RemoteWrite::connectionId, RemoteWrite::status)
                .containsExactlyInAnyOrder(tuple("b", "b1", Status.WRITTEN), tuple("c", "c1", Status.WRITTEN), tuple("c", "c2", Status.FAILED));
        assertThat(b.written).containsExactly("b1:hi");
        assertThat(c.written).containsExactly("c1:hi");
        assertThat(a.written).isEmpty();
    }

    @Test
    @DisplayName("a send to one device reaches that device's connections only")
    void toDevice() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        b.connect("alice", "phone", "b1");
        b.connect("alice", "laptop", "b2");

        assertThat(join(a.cluster.route(ClusterSend.toDevice("alice", "laptop", utf8("x")))))
                .extracting(RemoteWrite::connectionId, RemoteWrite::status).containsExactly(tuple("b2", Status.WRITTEN));
        assertThat(b.written).containsExactly("b2:x");
    }

    @Test
    @DisplayName("nobody on another node: the route is empty and costs no request")
    void nobodyElsewhere() {
        Nodes.FakeHub a = nodes.start("a");
        nodes.start("b");
        a.connect("alice", "phone", "a1");
        assertThat(join(a.cluster.route(ClusterSend.toUser("alice", utf8("x"))))).isEmpty();
        assertThat(join(a.cluster.route(ClusterSend.toUser("nobody", utf8("x"))))).isEmpty();
    }

    @Test
    @DisplayName("a node that does not answer within route-timeout gives NO_ANSWER for each of its connections, after about the timeout")
    void timeout() {
        Nodes.FakeHub a = nodes.start("a", "route-timeout", "300ms");
        Nodes.FakeHub b = nodes.start("b");
        b.connect("alice", "phone", "b1");
        b.connect("alice", "laptop", "b2");
        b.answering = false;

        long t0 = System.nanoTime();
        assertThat(join(a.cluster.route(ClusterSend.toUser("alice", utf8("x")))))
                .extracting(RemoteWrite::connectionId, RemoteWrite::status)
                .containsExactlyInAnyOrder(tuple("b1", Status.NO_ANSWER), tuple("b2", Status.NO_ANSWER));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(250L, 3000L);
        assertThat(join(a.cluster.kick("alice"))).isZero();
    }

    @Test
    @DisplayName("kick closes the user's connections on every other node and returns their count")
    void kick() {
        Nodes.FakeHub a = nodes.start("a");
        Nodes.FakeHub b = nodes.start("b");
        Nodes.FakeHub c = nodes.start("c");
        b.connect("alice", "phone", "b1");
        c.connect("alice", "laptop", "c1");
        c.connect("alice", "tablet", "c2");
        c.connect("bob", "tablet", "c3");

        assertThat(join(a.cluster.kick("alice"))).isEqualTo(3);
        assertThat(b.connections.get("alice")).isNull();
        assertThat(c.connections.get("alice")).isNull();
        assertThat(c.connections.get("bob")).containsKey("c3");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !join(a.cluster.isOnline("alice")));
    }
}
