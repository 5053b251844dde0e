package dev.tok.queue.chronicle;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Queue;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import java.util.Set;

/**
 * The {@code chronicle} queue: a durable offline queue kept in a Chronicle Queue directory.
 *
 * <p>Messages survive a killed process (and, with {@code durability=sync}, an operating-system
 * crash), keep their per-user order and expiry, and are removed once acknowledged. Disk space is
 * reclaimed by deleting cycle files whose messages all expired or were acknowledged. See the
 * module README for the settings and the JVM flags Chronicle needs.
 *
 * <p>Found through {@link java.util.ServiceLoader}; applications select it by name and never use
 * this class directly.
 *
 * @since 0.1
 */
public final class ChronicleQueueProvider implements QueueProvider {

    /** The name applications select this queue by. */
    public static final String NAME = "chronicle";

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public ChronicleQueueProvider() {
        // nothing to do: Chronicle is only loaded when a queue is created
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
        return QueueSettings.NAMES;
    }

    /**
     * Opens (or creates) the queue directory and rebuilds the index of waiting messages.
     *
     * @throws ConfigurationException for a malformed setting, a missing JVM flag, or a directory
     *                                that cannot be used (not writable, or open in another process)
     */
    @Override
    public Queue create(Settings settings) {
        settings.requireKnown(QueueSettings.NAMES);
        QueueSettings parsed = QueueSettings.from(settings);
        // Must run before any Chronicle class is loaded: privacy and noise switches, flag probe.
        ChronicleEnvironment.prepare();
        return ChronicleOfflineQueue.open(parsed);
    }

    @Override
    public String toString() {
        return "ChronicleQueueProvider[" + NAME + "]";
    }
}
