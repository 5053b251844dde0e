package dev.tok.cluster.redis;

import dev.tok.testkit.ClusterCompatibilityKit;
import dev.tok.testkit.RedisCluster;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClusterCompatibilityKit} with the {@code redis} cluster and the {@code redis} queue on a
 * three-master Redis Cluster ({@code cluster=true}, the masters as seed uris) started for this
 * class (tok-testkit's {@link RedisCluster}): the hubs behave the same as on one standalone Redis.
 * The opt-in case with the engine down is not run here (it stops one standalone server in
 * {@link RedisClusterCompatibilityTest}).
 */
class RedisClusterCompatibilityOnRedisClusterTest extends ClusterCompatibilityKit {

    @TempDir
    static Path dir;

    private static RedisCluster redis;

    @BeforeAll
    static void startRedisCluster() {
        redis = RedisCluster.start(dir, 3);
    }

    @AfterAll
    static void stopRedisCluster() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected Provider clusterSettings(String nodeId) {
        return new Provider("redis", Map.of("uri", redis.uris(), "cluster", "true", "node-id", nodeId));
    }

    @Override
    protected Provider sharedQueue() {
        return new Provider("redis", Map.of("uri", redis.uris(), "cluster", "true"));
    }
}
