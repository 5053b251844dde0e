package dev.tok.example;

import static dev.tok.example.Servers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cluster redis}: two example servers in this JVM on one real redis-server (tok-testkit's
 * {@link RedisServer}, a free port) form one chat service, over every transport; and the
 * assemblies TokServer refuses with a cluster.
 */
class ClusterTest {

    @TempDir
    Path dir;

    private RedisServer redis;
    private final List<ChatServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        for (ChatServer s : servers) {
            s.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    private ChatServer node(String... more) {
        List<String> args = new ArrayList<>(List.of("--cluster", "redis", "--redis-uri", redis.uri()));
        args.addAll(List.of(more));
        ChatServer s = Servers.start(Map.of(), args.toArray(new String[0]));
        servers.add(s);
        return s;
    }

    @Test
    @DisplayName("two servers with --cluster redis on one Redis: users on either node (tcp, jetty-ws, netty-ws) see each other online and chat both ways")
    void twoNodesOneChat() {
        redis = RedisServer.start(dir, RedisServer.Persistence.NONE);
        ChatServer one = node("--node-id", "one");
        ChatServer two = node("--node-id", "two");
        assertThat(one.startLines().get(0)).isEqualTo("tok node one");
        assertThat(two.nodeId()).contains("two");
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        try (ChatClient a = Servers.login(one, "tcp", alice); ChatClient b = Servers.login(two, "jetty-ws", bob);
             ChatClient c = Servers.login(two, "netty-ws", carol)) {
            // a login is registered in Redis just after it completed on its node: the other node sees it then
            for (ChatClient x : List.of(a, b, c)) {
                org.awaitility.Awaitility.await("everyone online, asked over " + x.transport())
                        .atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(20))
                        .until(() -> {
                            List<String> users = new ArrayList<>();
                            x.online().forEach(n -> users.add(n.asText()));
                            return users.containsAll(List.of(alice, bob, carol));
                        });
            }
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":\"one->two\",\"cid\":\"1\",\"ttl\":0}");
            assertThat(b.next()).startsWith("{\"type\":\"msg\",\"from\":\"" + alice + "\",\"body\":\"one->two\",\"ts\":");
            assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"1\"}");
            b.send("{\"type\":\"send\",\"to\":\"" + alice + "\",\"body\":\"two->one\",\"cid\":\"2\",\"ttl\":0}");
            assertThat(a.next()).startsWith("{\"type\":\"msg\",\"from\":\"" + bob + "\",\"body\":\"two->one\",\"ts\":");
            assertThat(b.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"2\"}");
            c.send("{\"type\":\"send\",\"to\":\"" + alice + "\",\"body\":\"netty->tcp\",\"ttl\":0}");
            assertThat(a.next()).startsWith("{\"type\":\"msg\",\"from\":\"" + carol + "\",\"body\":\"netty->tcp\",\"ts\":");
        }
    }

    @Test
    @DisplayName("across nodes: a login on node two closes the user's connection on node one after {\"type\":\"bye\",\"reason\":\"sso\"}, and a message queued by one node is delivered at a login on the other")
    void singleSignOnAndQueueAcrossNodes() {
        redis = RedisServer.start(dir, RedisServer.Persistence.NONE);
        ChatServer one = node();
        ChatServer two = node();
        assertThat(one.nodeId().orElseThrow()).matches("node-[0-9a-f]{8}").isNotEqualTo(two.nodeId().orElseThrow());
        assertThat(one.startLines().get(0)).isEqualTo("tok node " + one.nodeId().orElseThrow());
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient first = Servers.login(one, "tcp", alice + "/phone")) {
            // registered in Redis just after the login completed on node one; the newer login must come after that
            org.awaitility.Awaitility.await("alice online on node two").atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> two.hub().isOnline(alice));
            try (ChatClient second = Servers.login(two, "netty-ws", alice + "/laptop")) {
                assertThat(first.next()).isEqualTo("{\"type\":\"bye\",\"reason\":\"sso\"}");
                first.awaitClosed();
                second.expectNothingPending();

                // bob is offline everywhere: node two queues it in Redis, bob logs in on node one
                second.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":\"waiting\",\"cid\":\"q\"}");
                assertThat(second.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"q\"}");
                try (ChatClient b = Servers.connect(one, "jetty-ws", bob)) {
                    assertThat(b.next()).startsWith("{\"type\":\"msg\",\"from\":\"" + alice + "\",\"body\":\"waiting\",\"ts\":");
                    b.expectNothingPending();
                }
            }
        }
    }

    @Test
    @DisplayName("--delivery at-least-once across nodes: msgs sent on node one reach bob on node two with their ids; what bob's device did not acknowledge comes again, same ids, when it connects to node one")
    void atLeastOnceAcrossNodes() {
        redis = RedisServer.start(dir, RedisServer.Persistence.NONE);
        ChatServer one = node("--delivery", "at-least-once");
        ChatServer two = node("--delivery", "at-least-once");
        String alice = user("alice");
        String bob = user("bob");
        List<Long> ids = new ArrayList<>();
        try (AtLeastOnceSession a = AtLeastOnceSession.login(one, "tcp", alice)) {
            try (AtLeastOnceSession b = AtLeastOnceSession.login(two, "netty-ws", bob + "/phone")) {
                org.awaitility.Awaitility.await("bob online on node one").atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> {
                            List<String> users = new ArrayList<>();
                            a.client.online().forEach(n -> users.add(n.asText()));
                            return users.contains(bob);
                        });
                for (int i = 1; i <= 3; i++) {
                    a.send(bob, "m" + i, "c" + i);
                    assertThat(a.client.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c" + i + "\"}");
                }
                for (int i = 1; i <= 3; i++) {
                    com.fasterxml.jackson.databind.JsonNode m = b.nextMsg();
                    assertThat(m.path("body").asText()).isEqualTo("m" + i);
                    assertThat(m.path("from").asText()).isEqualTo(alice);
                    ids.add(m.path("id").asLong());
                }
                assertThat(ids).isSorted().doesNotHaveDuplicates();
                assertThat(b.acknowledge(ids.get(0))).isEmpty();
            } // m2 and m3 not acknowledged
            try (AtLeastOnceSession b = AtLeastOnceSession.login(one, "tcp", bob + "/phone")) {
                assertThat(b.nextMsg().path("id").asLong()).isEqualTo(ids.get(1));
                assertThat(b.nextMsg().path("id").asLong()).isEqualTo(ids.get(2));
                assertThat(b.acknowledge(ids.get(2))).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("with --cluster redis, TokServer refuses --queue memory and --queue chronicle (a node-local queue), with its own message")
    void refusedAssemblies() {
        String uri = "redis://127.0.0.1:1/0"; // refused before anything connects
        assertThatThrownBy(() -> Servers.start(Map.of(), "--cluster", "redis", "--redis-uri", uri, "--queue", "memory"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("cluster 'redis' with queue 'memory', which each node keeps for itself: a message queued "
                        + "for an offline user would wait on the node that queued it");
        assertThatThrownBy(() -> Servers.start(Map.of(), "--cluster", "redis", "--redis-uri", uri, "--queue", "chronicle",
                "--data-dir", dir.resolve("q").toString()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("cluster 'redis' with queue 'chronicle', which each node keeps for itself");
    }
}
