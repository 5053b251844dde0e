package dev.tok.cluster.redis;

/** {@link RoutingTest} on a three-master Redis Cluster ({@code cluster=true}, the nodes as seed uris). */
class RoutingOnRedisClusterTest extends RoutingTest {

    @Override
    Nodes.Backend backend() {
        return Nodes.redisCluster();
    }
}
