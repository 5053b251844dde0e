package dev.tok.queue.redis;

import dev.tok.api.Queue;
import dev.tok.api.spi.Settings;
import dev.tok.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A redis-server for the tests of this module that do not stop it: started once per test JVM on
 * first use (no persistence), stopped when the JVM exits. Tests that stop or restart Redis start
 * their own {@link RedisServer}. Each queue opened here gets its own key prefix, so tests share
 * the server but no keys.
 */
final class TestRedis {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisServer shared;

    private TestRedis() {
    }

    static synchronized RedisServer shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("tok-redis-");
                RedisServer server = RedisServer.start(dir, RedisServer.Persistence.NONE);
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "stop-test-redis"));
                shared = server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** @return a key prefix no other queue of this JVM uses */
    static String uniquePrefix() {
        return "t" + PREFIXES.incrementAndGet() + ":";
    }

    /**
     * Opens a queue on {@code server} the way the hub does (ServiceLoader by name, settings
     * validated), with {@code uri} set to the server's.
     */
    static Queue open(RedisServer server, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("uri", server.uri());
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return open(m);
    }

    static Queue open(Map<String, String> settings) {
        RedisQueueProvider provider = new RedisQueueProvider();
        Settings s = Settings.of("queue 'redis'", settings);
        s.requireKnown(provider.settingNames());
        return provider.create(s);
    }

    /** A plain Lettuce client and connection (String keys and values) to look at what the queue stored. */
    static final class Inspector implements AutoCloseable {
        private final RedisClient client;
        private final StatefulRedisConnection<String, String> connection;

        Inspector(RedisServer server) {
            client = RedisClient.create(server.uri());
            connection = client.connect();
        }

        RedisCommands<String, String> sync() {
            return connection.sync();
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
        }
    }
}
