/**
 * The {@code redis} cluster: several hubs acting as one on Redis 7 through Lettuce (node leases,
 * cluster-wide presence, single sign-on fencing, routing of sends and kicks over pub/sub). Exports
 * nothing; applications select it by name ({@code redis}) and configure it with settings.
 *
 * <p>As in {@code dev.tok.queue.redis}: Lettuce is the automatic module {@code lettuce.core}, which
 * requires nothing, so the Netty modules it uses and {@code org.slf4j} are required here to be
 * resolved on the module path. This module's own log lines go through {@link java.lang.System.Logger}.
 *
 * @provides dev.tok.api.spi.ClusterProvider the {@code redis} cluster
 */
module dev.tok.cluster.redis {
    requires dev.tok.api;
    requires lettuce.core;     // Automatic-Module-Name of io.lettuce:lettuce-core
    // for lettuce.core, which declares nothing (see above):
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.handler;
    requires io.netty.codec;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires org.slf4j;        // Lettuce 7 logs through SLF4J directly

    provides dev.tok.api.spi.ClusterProvider with dev.tok.cluster.redis.RedisClusterProvider;
}
