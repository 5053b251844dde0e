package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.testkit.DurableQueueCompatibilityKit;
import dev.tok.testkit.RedisCluster;
import dev.tok.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The durable queue kit on a three-master Redis Cluster ({@code cluster=true}, the nodes as seed
 * uris): each user's keys share a slot, so every script runs on the node that owns it, and the
 * users spread over the nodes.
 */
class RedisClusterCompatibilityTest extends DurableQueueCompatibilityKit {

    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = RedisCluster.start(Files.createTempDirectory("tok-redis-cluster-"), 3);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    protected Queue openQueue(Path directory, Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("uri", cluster.uris());
        s.put("cluster", "true");
        s.put("key-prefix", RedisQueueCompatibilityTest.prefixFor(directory));
        return TestRedis.open(s);
    }

    @Override
    protected boolean supportsMaxTotalBytes() {
        return false;
    }

    @Test
    @DisplayName("users spread over every node; cursors and ids work on each")
    void usersSpreadOverTheNodes() {
        Queue q = newQueue();
        for (int u = 0; u < 30; u++) {
            Device d = Device.of("user-" + u, "phone");
            q.cursor(d);
            long id = q.enqueue(d.uid(), new byte[] {(byte) u}, Instant.now().plusSeconds(3600));
            assertThat(q.read(d.uid(), q.cursor(d), 10)).singleElement().satisfies(m -> assertThat(m.id()).isEqualTo(id));
            q.acknowledge(d, id);
            assertThat(q.size(d.uid())).isZero();
        }
        for (RedisServer node : cluster.nodes()) {
            assertThat(Long.parseLong(node.command("DBSIZE").substring(1))).as("keys on node %s", node.port()).isPositive();
        }
    }
}
