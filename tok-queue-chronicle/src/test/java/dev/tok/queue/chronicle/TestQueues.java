package dev.tok.queue.chronicle;

import dev.tok.api.Queue;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** Opens chronicle queues the way the hub does: through ServiceLoader and Settings. */
final class TestQueues {

    private TestQueues() {
    }

    static QueueProvider provider() {
        for (QueueProvider p : ServiceLoader.load(QueueProvider.class)) {
            if (p.name().equals("chronicle")) {
                return p;
            }
        }
        throw new AssertionError("no QueueProvider named chronicle on the test class path");
    }

    static Queue open(Path dir, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("directory", dir.toString());
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return provider().create(Settings.of("queue 'chronicle'", m));
    }

    static ChronicleOfflineQueue openImpl(Path dir, String... keyValues) {
        return (ChronicleOfflineQueue) open(dir, keyValues);
    }
}
