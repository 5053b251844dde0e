package dev.tok.example;

import static dev.tok.example.Servers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import dev.tok.api.TokException;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --queue redis --redis-uri <uri> --delivery at-least-once} on a real redis-server started
 * for the test (tok-testkit's {@link RedisServer}, a free port), the server in-process, clients
 * over TCP; the queue's {@code command-timeout} is 1 s.
 */
class RedisQueueTest {

    @TempDir
    Path dir;

    private RedisServer redis;
    private ChatServer server;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start(dir, RedisServer.Persistence.NONE);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        redis.stop();
    }

    private ChatServer start(String... more) {
        List<String> args = new ArrayList<>(List.of("--queue", "redis", "--redis-uri", redis.uri()));
        args.addAll(List.of(more));
        return Servers.start(Map.of("command-timeout", "1s"), args.toArray(new String[0]));
    }

    private ChatServer start() {
        return start("--delivery", "at-least-once");
    }

    @Test
    @DisplayName("messages wait in Redis; what the device did not acknowledge comes again after a reconnect, and after a restart of the server, same ids, before newer messages")
    void redeliveryFromRedis() {
        String alice = user("alice");
        String bob = user("bob");
        server = start();
        List<Long> ids = new ArrayList<>();
        try (AtLeastOnceSession a = AtLeastOnceSession.login(server, "tcp", alice)) {
            for (int i = 1; i <= 3; i++) {
                a.send(bob, "m" + i, "c" + i);
                assertThat(a.client.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c" + i + "\"}"); // queued for offline bob
            }
            assertThat(redis.command("XLEN tok:{" + bob + "}:log")).as("bob's log in Redis").isEqualTo(":3");
            try (AtLeastOnceSession b = AtLeastOnceSession.login(server, "tcp", bob + "/phone")) {
                for (int i = 1; i <= 3; i++) {
                    JsonNode m = b.nextMsg();
                    assertThat(m.path("body").asText()).isEqualTo("m" + i);
                    ids.add(m.path("id").asLong());
                }
                assertThat(ids).isSorted().doesNotHaveDuplicates();
                assertThat(b.acknowledge(ids.get(0))).isEmpty();
            } // m2 and m3 not acknowledged
            a.send(bob, "m4", "c4");
            assertThat(a.client.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c4\"}");
            try (AtLeastOnceSession b = AtLeastOnceSession.login(server, "tcp", bob + "/phone")) {
                JsonNode m2 = b.nextMsg();
                JsonNode m3 = b.nextMsg();
                JsonNode m4 = b.nextMsg();
                assertThat(List.of(m2.path("body").asText(), m3.path("body").asText(), m4.path("body").asText()))
                        .containsExactly("m2", "m3", "m4");
                assertThat(List.of(m2.path("id").asLong(), m3.path("id").asLong())).isEqualTo(ids.subList(1, 3));
                assertThat(m4.path("id").asLong()).isGreaterThan(ids.get(2));
                ids.add(m4.path("id").asLong());
                assertThat(b.acknowledge(ids.get(1))).isEmpty(); // m3 and m4 not acknowledged
            }
        }

        server.close(); // a new server on the same Redis: the log and the cursors are there
        server = start();
        try (AtLeastOnceSession b = AtLeastOnceSession.login(server, "tcp", bob + "/phone")) {
            assertThat(b.nextMsg().path("id").asLong()).isEqualTo(ids.get(2));
            assertThat(b.nextMsg().path("id").asLong()).isEqualTo(ids.get(3));
            assertThat(b.acknowledge(ids.get(3))).isEmpty();
        }
        try (AtLeastOnceSession b = AtLeastOnceSession.login(server, "tcp", bob + "/phone")) {
            assertThat(b.untilOnline()).as("everything acknowledged: nothing comes again").isEmpty();
        }
        Awaitility.await("acknowledged by the only device: removed from Redis").atMost(Duration.ofSeconds(10))
                .until(() -> redis.command("XLEN tok:{" + bob + "}:log").equals(":0"));
    }

    @Test
    @DisplayName("while Redis is down, a send to an offline user is answered 'queue failed' within command-timeout and a send to an online user still arrives; once Redis is back, sends are queued again")
    void redisDown() {
        // at-most-once: a send to an online user needs no queue (at-least-once appends every send to the log)
        server = start("--delivery", "at-most-once");
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = Servers.login(server, "tcp", alice); ChatClient b = Servers.login(server, "tcp", bob)) {
            redis.stop();
            long t0 = System.nanoTime();
            a.send("{\"type\":\"send\",\"to\":\"nobody\",\"body\":\"x\",\"cid\":\"c1\",\"ttl\":600}");
            assertThat(a.next()).isEqualTo("{\"type\":\"error\",\"cid\":\"c1\",\"error\":\"queue failed\"}");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
            a.send("{\"type\":\"send\",\"to\":\"" + bob + "\",\"body\":\"hi\",\"cid\":\"c2\",\"ttl\":600}");
            assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"c2\"}");
            assertThat(b.nextJson().path("body").asText()).isEqualTo("hi");

            redis.restart();
            Awaitility.await("the queue reconnected").atMost(Duration.ofSeconds(30)).until(() -> {
                a.send("{\"type\":\"send\",\"to\":\"nobody\",\"body\":\"x\",\"cid\":\"c3\",\"ttl\":600}");
                return a.next().equals("{\"type\":\"ack\",\"cid\":\"c3\"}");
            });
        }
    }

    @Test
    @DisplayName("a Redis that cannot be reached at start: the start fails naming the uri, without its password")
    void unreachableAtStart() {
        redis.stop();
        String uri = "redis://:s3cret@127.0.0.1:" + redis.port() + "/0";
        assertThatThrownBy(() -> Servers.start(Map.of("connect-timeout", "2s"), "--queue", "redis", "--redis-uri", uri))
                .isInstanceOf(TokException.class)
                .hasMessageContaining("redis://127.0.0.1:" + redis.port() + "/0")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    }
}
