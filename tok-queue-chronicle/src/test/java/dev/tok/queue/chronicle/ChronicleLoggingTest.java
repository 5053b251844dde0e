package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tok.api.Queue;
import java.nio.file.Path;
import net.openhft.chronicle.core.Jvm;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Privacy and noise: no analytics, no banner, Chronicle's chatter at DEBUG, its warnings at WARN. */
class ChronicleLoggingTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("analytics are off and absent, the banner is off, Chronicle reads our system.properties")
    void privacySwitches() {
        try (Queue q = TestQueues.open(dir)) {
            assertThat(q.size("x")).isZero();
        }
        assertThat(System.getProperty("chronicle.analytics.disable")).isEqualTo("true");
        assertThat(System.getProperty("chronicle.announcer.disable")).isEqualTo("true");
        assertThat(System.getProperty("system.properties")).isEqualTo(ChronicleEnvironment.OUR_SYSTEM_PROPERTIES);
        assertThat(getClass().getClassLoader().getResource(ChronicleEnvironment.OUR_SYSTEM_PROPERTIES)).isNotNull();
        assertThatThrownBy(() -> Class.forName("net.openhft.chronicle.analytics.Analytics"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    @DisplayName("Chronicle's perf/startup reports go to DEBUG, its warnings stay WARN")
    void chronicleLogLevels() {
        try (Queue q = TestQueues.open(dir)) {
            assertThat(q.size("x")).isZero();
        }
        Logger logger = (Logger) LoggerFactory.getLogger(ChronicleLoggingTest.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            Jvm.perf().on(ChronicleLoggingTest.class, "perf-probe");
            Jvm.startup().on(ChronicleLoggingTest.class, "startup-probe");
            Jvm.warn().on(ChronicleLoggingTest.class, "warn-probe");
        } finally {
            logger.setLevel(before);
            logger.detachAppender(events);
        }
        assertThat(events.list).extracting(e -> e.getFormattedMessage() + "@" + e.getLevel())
                .containsExactly("perf-probe@DEBUG", "startup-probe@DEBUG", "warn-probe@WARN");
    }
}
