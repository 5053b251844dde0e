package dev.tok.cluster.redis;

/** {@link LeaseExpiryTest} on a three-master Redis Cluster ({@code cluster=true}, the nodes as seed uris). */
class LeaseExpiryOnRedisClusterTest extends LeaseExpiryTest {

    @Override
    Nodes.Backend backend() {
        return Nodes.redisCluster();
    }
}
