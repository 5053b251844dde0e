package dev.tok.cluster.redis;

/** {@link PresenceEventsTest} on a three-master Redis Cluster ({@code cluster=true}, the nodes as seed uris). */
class PresenceEventsOnRedisClusterTest extends PresenceEventsTest {

    @Override
    Nodes.Backend backend() {
        return Nodes.redisCluster();
    }
}
