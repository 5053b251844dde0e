package dev.tok.cluster.redis;

/** {@link PresenceTest} on a three-master Redis Cluster ({@code cluster=true}, the nodes as seed uris). */
class PresenceOnRedisClusterTest extends PresenceTest {

    @Override
    Nodes.Backend backend() {
        return Nodes.redisCluster();
    }
}
