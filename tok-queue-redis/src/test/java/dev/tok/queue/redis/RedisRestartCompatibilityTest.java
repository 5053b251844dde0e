package dev.tok.queue.redis;

import dev.tok.api.Queue;
import dev.tok.testkit.DurableQueueCompatibilityKit;
import dev.tok.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The durable queue kit again, with a harder restart: on every reopen, redis-server itself is
 * stopped and started again on the same port and directory, with an append-only file; the new
 * queue reads what Redis loaded from it (and finds its script gone from Redis' cache).
 */
class RedisRestartCompatibilityTest extends DurableQueueCompatibilityKit {

    private static RedisServer redis;
    private final Set<Path> opened = new HashSet<>();

    @BeforeAll
    static void startRedis() throws IOException {
        redis = RedisServer.start(Files.createTempDirectory("tok-redis-aof-"), RedisServer.Persistence.APPEND_ONLY);
    }

    @AfterAll
    static void stopRedis() {
        redis.stop();
    }

    @Override
    protected Queue openQueue(Path directory, Map<String, String> settings) {
        if (!opened.add(directory)) {
            redis.restart();
        }
        Map<String, String> s = new HashMap<>(settings);
        s.put("uri", redis.uri());
        s.put("key-prefix", RedisQueueCompatibilityTest.prefixFor(directory));
        return TestRedis.open(s);
    }

    @Override
    protected boolean supportsMaxTotalBytes() {
        return false;
    }

}
