package dev.tok.cluster.redis;

import dev.tok.testkit.ClusterCompatibilityKit;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code redis} cluster passes tok-testkit's {@link ClusterCompatibilityKit}: two to four real
 * hubs (tok-core) with the {@code tcp} transport on one real redis-server started for this class,
 * sharing the {@code redis} queue (tok-queue-redis) on it. The kit's node and user ids are new in
 * every test, so one Redis serves them all; the opt-in case with the engine down stops and restarts
 * it (empty).
 */
class RedisClusterCompatibilityTest extends ClusterCompatibilityKit {

    @TempDir
    static Path dir;

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(dir, RedisServer.Persistence.NONE);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.stop();
        }
    }

    @Override
    protected Provider clusterSettings(String nodeId) {
        return new Provider("redis", Map.of("uri", redis.uri(), "node-id", nodeId));
    }

    @Override
    protected Provider sharedQueue() {
        return new Provider("redis", Map.of("uri", redis.uri()));
    }

    @Override
    protected void stopEngine() {
        redis.stop();
    }

    @Override
    protected void restartEngine() {
        redis.restart(); // empty: no persistence
    }
}
