package dev.tok.queue.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Queue;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration mistakes fail at open with a ConfigurationException naming the setting and the fix. */
class SettingsTest {

    @TempDir
    Path dir;

    private static Queue create(Map<String, String> values) {
        QueueProvider p = TestQueues.provider();
        Settings s = Settings.of("queue 'chronicle'", values);
        s.requireKnown(p.settingNames());
        return p.create(s);
    }

    @Test
    @DisplayName("the provider is found by name and declares its settings")
    void providerIsFound() {
        QueueProvider p = TestQueues.provider();
        assertThat(p.name()).isEqualTo("chronicle");
        assertThat(p.settingNames()).containsExactlyInAnyOrder("directory", "durability", "max-ttl", "roll-cycle",
                "max-messages-per-user", "max-total-bytes", "max-disk-bytes", "min-free-disk", "sweep-interval",
                "snapshot-every");
    }

    @Test
    @DisplayName("directory is required")
    void directoryRequired() {
        assertThatThrownBy(() -> create(Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'directory'").hasMessageContaining("required");
    }

    @Test
    @DisplayName("unknown keys and malformed values name the key and the expected form")
    void malformedValues() {
        String d = dir.toString();
        assertThatThrownBy(() -> create(Map.of("directory", d, "durabilty", "sync")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("durabilty").hasMessageContaining("known");
        assertThatThrownBy(() -> create(Map.of("directory", d, "durability", "fsync")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("durability").hasMessageContaining("page-cache");
        assertThatThrownBy(() -> create(Map.of("directory", d, "roll-cycle", "yearly")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("roll-cycle").hasMessageContaining("fast-hourly");
        assertThatThrownBy(() -> create(Map.of("directory", d, "max-ttl", "100ms")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("max-ttl");
        assertThatThrownBy(() -> create(Map.of("directory", d, "max-messages-per-user", "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("max-messages-per-user");
        assertThatThrownBy(() -> create(Map.of("directory", d, "max-total-bytes", "lots")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("max-total-bytes");
        assertThatThrownBy(() -> create(Map.of("directory", d, "sweep-interval", "1ms")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("sweep-interval");
    }

    @Test
    @DisplayName("a directory that is a file, or unwritable, is refused")
    void unusableDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThatThrownBy(() -> TestQueues.open(file)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("directory").hasMessageContaining(file.toString());
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        assertThat(readOnly.toFile().setWritable(false)).isTrue();
        try {
            if (!Files.isWritable(readOnly)) { // root can write anywhere
                assertThatThrownBy(() -> TestQueues.open(readOnly)).isInstanceOf(ConfigurationException.class)
                        .hasMessageContaining("cannot write");
            }
        } finally {
            readOnly.toFile().setWritable(true);
        }
    }

    @Test
    @DisplayName("a directory already open is refused instead of being shared by two indexes")
    void directoryInUse() {
        try (Queue q = TestQueues.open(dir)) {
            assertThatThrownBy(() -> TestQueues.open(dir)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("already open");
            assertThat(q.size("x")).isZero();
        }
        try (Queue q = TestQueues.open(dir)) {
            assertThat(q.size("x")).isZero();
        }
    }

    @Test
    @DisplayName("durability=sync works and keeps messages across reopen")
    void syncDurability() {
        java.time.Instant expiry = java.time.Instant.now().plusSeconds(600);
        try (Queue q = TestQueues.open(dir, "durability", "sync")) {
            for (int i = 0; i < 50; i++) {
                q.enqueue("lena", new byte[] {(byte) i}, expiry);
            }
        }
        try (Queue q = TestQueues.open(dir, "durability", "sync")) {
            assertThat(q.size("lena")).isEqualTo(50);
        }
    }

    @Test
    @DisplayName("reopening with another roll-cycle keeps the directory's own; bookkeeping follows it")
    void rollCycleOfADirectoryIsKept() {
        java.time.Instant expiry = java.time.Instant.now().plusSeconds(600);
        try (Queue q = TestQueues.open(dir, "roll-cycle", "test-secondly")) {
            q.enqueue("mia", new byte[] {1}, expiry);
            q.enqueue("mia", new byte[] {2}, expiry);
        }
        Path first = CycleFiles.list(dir).get(0);
        try (ChronicleOfflineQueue q = TestQueues.openImpl(dir, "roll-cycle", "five-minutely", "sweep-interval", "1h")) {
            CycleFiles.awaitNextSecond();
            q.enqueue("mia", new byte[] {3}, expiry);
            java.util.List<Path> files = CycleFiles.list(dir);
            Path second = files.get(files.size() - 1); // the newest: the first two messages may straddle a second
            q.acknowledge("mia", q.peek("mia", 1).get(0).id());
            CycleFiles.awaitNextSecond();
            q.sweepNow();
            assertThat(q.peek("mia", 5)).extracting(m -> m.payload()[0]).containsExactly((byte) 2, (byte) 3);
            q.acknowledge("mia", q.peek("mia", 1).get(0).id());
            q.sweepNow();
            assertThat(CycleFiles.list(dir)).as("the first one-second cycle file went, the second stays")
                    .doesNotContain(first).contains(second);
            assertThat(q.peek("mia", 5)).extracting(m -> m.payload()[0]).containsExactly((byte) 3);
        }
    }
}
