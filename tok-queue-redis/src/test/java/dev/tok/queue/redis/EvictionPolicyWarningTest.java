package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tok.api.Queue;
import dev.tok.testkit.RedisServer;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A Redis that evicts keys when full would silently drop messages and cursors: the queue says so at open. */
class EvictionPolicyWarningTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("opening the queue on a Redis with an evicting maxmemory-policy logs a warning naming it; noeviction logs none")
    void warnsAboutEviction() {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisQueue.class.getName());
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (RedisServer redis = RedisServer.start(dir, RedisServer.Persistence.NONE, "--maxmemory-policy", "allkeys-lru")) {
            try (Queue q = TestRedis.open(redis)) {
                assertThat(events.list).anySatisfy(e -> {
                    assertThat(e.getLevel().toString()).isEqualTo("WARN");
                    assertThat(e.getFormattedMessage()).contains("allkeys-lru").contains(redis.uri()).contains("noeviction");
                });
            }
            events.list.clear();
            assertThat(redis.command("CONFIG SET maxmemory-policy noeviction")).isEqualTo("+OK");
            try (Queue q = TestRedis.open(redis)) {
                assertThat(events.list).noneMatch(e -> e.getFormattedMessage().contains("maxmemory-policy"));
            }
        } finally {
            logger.detachAppender(events);
        }
    }
}
