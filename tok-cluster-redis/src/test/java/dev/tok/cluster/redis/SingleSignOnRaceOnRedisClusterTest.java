package dev.tok.cluster.redis;

/** {@link SingleSignOnRaceTest} on a three-master Redis Cluster ({@code cluster=true}, the nodes as seed uris). */
class SingleSignOnRaceOnRedisClusterTest extends SingleSignOnRaceTest {

    @Override
    Nodes.Backend backend() {
        return Nodes.redisCluster();
    }
}
