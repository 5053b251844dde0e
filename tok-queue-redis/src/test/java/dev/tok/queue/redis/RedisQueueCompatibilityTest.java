package dev.tok.queue.redis;

import dev.tok.api.Queue;
import dev.tok.testkit.DurableQueueCompatibilityKit;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The redis queue passes the durable queue compatibility kit (and with it the queue kit). A
 * "restart" is the hub's: the queue is closed and a new one opened on the same Redis with the same
 * key prefix (one per kit directory). The queue has no bound across users (Redis' maxmemory is
 * that bound), so the kit's max-total-bytes cases are opted out.
 */
class RedisQueueCompatibilityTest extends DurableQueueCompatibilityKit {

    @Override
    protected Queue openQueue(Path directory, Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("uri", TestRedis.shared().uri());
        s.put("key-prefix", prefixFor(directory));
        return TestRedis.open(s);
    }

    @Override
    protected boolean supportsMaxTotalBytes() {
        return false;
    }

    /** The same prefix for the same kit directory: reopening finds the queue's keys again. */
    static String prefixFor(Path directory) {
        return "kit-" + Integer.toHexString(directory.toAbsolutePath().toString().hashCode()) + ":";
    }
}
