package dev.tok.queue.memory;

import dev.tok.api.Queue;
import dev.tok.api.spi.QueueProvider;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Spi;
import java.time.Duration;
import java.util.Set;

/**
 * The {@link QueueProvider} named {@code memory}: tok's default queue, bounded and kept in
 * memory; an offline queue in at-most-once mode, each user's message log with per-device cursors
 * in at-least-once mode. Found through {@link java.util.ServiceLoader}; applications select it by name and
 * never refer to this class.
 *
 * <p>Settings (all optional):
 * <ul>
 *   <li>{@code max-messages-per-user} (default {@value #DEFAULT_MAX_MESSAGES_PER_USER}): how many
 *       unexpired messages are kept for one user (waiting, or in at-least-once mode not yet
 *       acknowledged by every known device of the user): the user's retention bound;</li>
 *   <li>{@code max-total-bytes} (default {@code 256MiB}): the memory all waiting messages may
 *       take, counted as payload length plus 64 bytes per
 *       message;</li>
 *   <li>{@code sweep-interval} (default {@code 5s}): how often one background thread removes
 *       expired messages of users nobody asks about.</li>
 * </ul>
 *
 * @since 0.1
 */
public final class MemoryQueueProvider implements QueueProvider {

    /** The name applications select this queue by. */
    public static final String NAME = "memory";

    /** Setting: the bound on waiting messages per user. */
    public static final String MAX_MESSAGES_PER_USER = "max-messages-per-user";

    /** Setting: the bound on the bytes of all waiting messages. */
    public static final String MAX_TOTAL_BYTES = "max-total-bytes";

    /** Setting: how often expired messages are swept. */
    public static final String SWEEP_INTERVAL = "sweep-interval";

    /** Default of {@code max-messages-per-user}. */
    public static final int DEFAULT_MAX_MESSAGES_PER_USER = 10_000;

    /** Default of {@code max-total-bytes}: 256 MiB. */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 256L * 1024 * 1024;

    /** Default of {@code sweep-interval}. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);

    private static final Set<String> SETTINGS = Set.of(MAX_MESSAGES_PER_USER, MAX_TOTAL_BYTES, SWEEP_INTERVAL);

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public MemoryQueueProvider() {
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
        return SETTINGS;
    }

    /**
     * Opens an empty queue and starts its sweeper thread.
     *
     * @throws dev.tok.api.ConfigurationException for an unknown key or a value that is malformed,
     *                                            zero or negative
     */
    @Override
    public Queue create(Settings settings) {
        settings.requireKnown(SETTINGS);
        int maxPerUser = settings.integer(MAX_MESSAGES_PER_USER, DEFAULT_MAX_MESSAGES_PER_USER);
        if (maxPerUser < 1) {
            throw settings.malformed(MAX_MESSAGES_PER_USER, settings.string(MAX_MESSAGES_PER_USER, ""),
                    "a positive number of messages such as " + DEFAULT_MAX_MESSAGES_PER_USER);
        }
        long maxTotalBytes = settings.bytes(MAX_TOTAL_BYTES, DEFAULT_MAX_TOTAL_BYTES);
        if (maxTotalBytes < 1) {
            throw settings.malformed(MAX_TOTAL_BYTES, settings.string(MAX_TOTAL_BYTES, ""),
                    "a positive size such as 64MiB or 1GiB");
        }
        Duration sweepInterval = settings.duration(SWEEP_INTERVAL, DEFAULT_SWEEP_INTERVAL);
        if (sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw settings.malformed(SWEEP_INTERVAL, settings.string(SWEEP_INTERVAL, ""),
                    "a positive duration such as 5s or 500ms");
        }
        return new MemoryQueue(maxPerUser, maxTotalBytes, sweepInterval);
    }
}
