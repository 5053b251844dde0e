package dev.tok.queue.redis;

import dev.tok.api.Queue;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import java.util.Set;

/**
 * The {@code redis} queue: each user's messages, device cursors and id counter kept in Redis 7
 * (standalone; keys laid out for Redis Cluster) through Lettuce, every operation one atomic Lua
 * script. Messages survive the hub's restart and are shared by every hub on the same Redis. See
 * the module README for the settings, the data layout and the failure behaviour.
 *
 * <p>Found through {@link java.util.ServiceLoader}; applications select it by name and never use
 * this class directly.
 *
 * @since 0.1
 */
public final class RedisQueueProvider implements QueueProvider {

    /** The name applications select this queue by. */
    public static final String NAME = "redis";

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public RedisQueueProvider() {
        // nothing to do: Lettuce is only touched when a queue is created
    }

    @Override
    public String spiVersion() {
        return Spi.VERSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return true: every node of a cluster on the same Redis sees the same users' queues */
    @Override
    public boolean sharedByNodes() {
        return true;
    }

    @Override
    public Set<String> settingNames() {
        return RedisQueueSettings.NAMES;
    }

    /**
     * Connects to Redis and loads the queue's script.
     *
     * @throws dev.tok.api.ConfigurationException for an unknown key or a malformed value
     * @throws dev.tok.api.TokException           when Redis cannot be reached within
     *                                            {@code connect-timeout} (the message names the
     *                                            uri, without password, and the cause)
     */
    @Override
    public Queue create(Settings settings) {
        settings.requireKnown(RedisQueueSettings.NAMES);
        return RedisQueue.open(RedisQueueSettings.from(settings));
    }

    @Override
    public String toString() {
        return "RedisQueueProvider[" + NAME + "]";
    }
}
