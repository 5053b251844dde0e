package dev.tok.cluster.redis;

import dev.tok.testkit.ClusterCompatibilityKit;
import java.util.Map;

/**
 * The {@code redis} cluster passes tok-testkit's {@link ClusterCompatibilityKit}: two or three
 * real hubs (tok-core) with the {@code tcp} transport on one real redis-server (shared by this
 * test JVM, see {@link Nodes#shared()}), sharing the {@code redis} queue (tok-queue-redis) on it.
 */
class RedisClusterCompatibilityTest extends ClusterCompatibilityKit {

    @Override
    protected Provider clusterSettings(String nodeId) {
        return new Provider("redis", Map.of("uri", Nodes.shared().uri(), "node-id", nodeId, "key-prefix", "kit:"));
    }

    @Override
    protected Provider sharedQueue() {
        return new Provider("redis", Map.of("uri", Nodes.shared().uri()));
    }
}
