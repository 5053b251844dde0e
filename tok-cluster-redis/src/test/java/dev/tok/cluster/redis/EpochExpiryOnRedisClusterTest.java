package dev.tok.cluster.redis;

/** {@link EpochExpiryTest} on a three-master Redis Cluster ({@code cluster=true}, the nodes as seed uris). */
class EpochExpiryOnRedisClusterTest extends EpochExpiryTest {

    @Override
    Nodes.Backend backend() {
        return Nodes.redisCluster();
    }
}
