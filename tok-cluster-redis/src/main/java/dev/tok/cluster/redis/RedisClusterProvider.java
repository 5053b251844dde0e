package dev.tok.cluster.redis;

import dev.tok.api.spi.Cluster;
import dev.tok.api.spi.ClusterProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import java.util.Set;

/**
 * The {@code redis} cluster: node leases, cluster-wide presence, single sign-on fencing and the
 * routing of sends and kicks between hubs, on Redis 7 through Lettuce. See the module README for
 * the settings, the data layout and the failure behaviour.
 *
 * <p>Found through {@link java.util.ServiceLoader}; applications select it by name and never use
 * this class directly.
 *
 * @since 0.1
 */
public final class RedisClusterProvider implements ClusterProvider {

    /** The name applications select this cluster by. */
    public static final String NAME = "redis";

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public RedisClusterProvider() {
        // nothing to do: Lettuce is only touched when a cluster node is created
    }

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> settingNames() {
        return RedisClusterSettings.NAMES;
    }

    /**
     * Connects to Redis (a command connection and a pub/sub connection) and checks that it runs
     * Redis 7 or newer. The node joins at {@link Cluster#start}.
     *
     * @throws dev.tok.api.ConfigurationException for an unknown key or a malformed value
     * @throws dev.tok.api.TokException           when Redis cannot be reached within {@code connect-timeout}
     */
    @Override
    public Cluster create(Settings settings) {
        settings.requireKnown(RedisClusterSettings.NAMES);
        return RedisClusterNode.open(RedisClusterSettings.from(settings));
    }

    @Override
    public String toString() {
        return "RedisClusterProvider[" + NAME + "]";
    }
}
