package dev.tok.metrics.micrometer;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubObserver;
import dev.tok.api.SendOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hub's meters for Micrometer. It is both the hub's {@link HubObserver}, which counts what the
 * hub reports, and a {@link MeterBinder}, which publishes the meters to a registry:
 *
 * <!-- sample: MicrometerReadmeSamples.java#usage -->
 * <pre>{@code
 * TokMetrics metrics = TokMetrics.create();   // 1. the meters: they need no hub
 * metrics.bindTo(registry);                   // 2. publish them to any MeterRegistry
 * HubConfig config = HubConfig.builder()
 *         .authenticator(authenticator)
 *         .actor(actor)
 *         .observer(metrics)                  // 3. the hub reports to them
 *         .build();
 * TokServer server = TokServer.builder(config)
 *         .transport("tcp", Map.of("port", "0"))
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>It needs nothing from the hub: every meter, the gauges included, is fed by the observer
 * callbacks, so it can be made and bound before the hub exists (the observer must be in the
 * hub's configuration, and the hub does not exist until that configuration is built). Bind it
 * before the server starts: counters and timers count only from the moment a registry is bound
 * (the gauges are right whenever it is bound). It may be bound to several registries. Use one
 * instance per hub (for two hubs in one process, give each its own and a distinguishing tag).
 *
 * <p>Meters (see the module's README for the table): gauges {@code tok.users.online} and
 * {@code tok.connections} (tag {@code transport}); counters {@code tok.connections.opened}
 * ({@code transport}), {@code tok.connections.closed} ({@code transport}, {@code reason}),
 * {@code tok.frames} ({@code direction} = {@code in}|{@code out}, {@code transport}),
 * {@code tok.sends} ({@code outcome}), {@code tok.queue.enqueued}, {@code tok.queue.dequeued};
 * a distribution summary {@code tok.frame.size} in bytes ({@code direction}, {@code transport});
 * a timer {@code tok.send.duration} ({@code outcome}). Tag values are lowercase-dash names of
 * transports, {@link SendOutcome}s and {@link CloseReason}s: the cardinality is bounded, and no
 * meter ever carries a uid or a device id.
 *
 * <p>Thread-safe; its callbacks allocate nothing once a transport's meters exist (they are made
 * at the first connection of each transport).
 *
 * @since 0.1
 */
public final class TokMetrics implements HubObserver, MeterBinder {
    private static final SendOutcome[] OUTCOMES = SendOutcome.values();
    private static final CloseReason[] REASONS = CloseReason.values();

    /** Forwards to every registry bound; meters are made on it once and live as long as this. */
    private final CompositeMeterRegistry registries = new CompositeMeterRegistry();
    private final Tags tags;
    private final AtomicLong usersOnline = new AtomicLong();
    private final Counter enqueued;
    private final Counter dequeued;
    private final Counter[] sends = new Counter[OUTCOMES.length];
    private final Timer[] sendDurations = new Timer[OUTCOMES.length];
    private final ConcurrentHashMap<String, TransportMeters> transports = new ConcurrentHashMap<>();

    private TokMetrics(Iterable<Tag> tags) {
        this.tags = Tags.of(tags);
        Gauge.builder("tok.users.online", usersOnline, AtomicLong::get).tags(this.tags).strongReference(true)
                .description("Users with at least one open connection").register(registries);
        enqueued = Counter.builder("tok.queue.enqueued").tags(this.tags)
                .description("Messages put in the offline queue").register(registries);
        dequeued = Counter.builder("tok.queue.dequeued").tags(this.tags)
                .description("Queued messages delivered and acknowledged").register(registries);
        for (SendOutcome o : OUTCOMES) {
            Tags t = this.tags.and("outcome", tagValue(o));
            sends[o.ordinal()] = Counter.builder("tok.sends").tags(t)
                    .description("Hub.send and reply calls by outcome").register(registries);
            sendDurations[o.ordinal()] = Timer.builder("tok.send.duration").tags(t)
                    .description("Time from Hub.send to the completion of its stage, by outcome").register(registries);
        }
    }

    /** @return meters with no extra tags */
    public static TokMetrics create() {
        return new TokMetrics(Tags.empty());
    }

    /**
     * @param tags tags added to every meter, for example a hub name when a process runs several
     *             hubs; never a per-user value
     * @return meters with those tags
     */
    public static TokMetrics create(Iterable<Tag> tags) {
        return new TokMetrics(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Publishes the meters to a registry. May be called before or after the hub starts, and for
     * several registries; counters and timers count in a registry from the moment it is bound.
     *
     * @param registry the registry; not null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * @param value an enum constant
     * @return its name in lowercase-dash form, as tag values are: {@code FRAME_TOO_LARGE} reads {@code frame-too-large}
     */
    static String tagValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private TransportMeters transport(String name) {
        TransportMeters m = transports.get(name);
        return m != null ? m : transports.computeIfAbsent(name, TransportMeters::new);
    }

    // ---- HubObserver --------------------------------------------------------------------

    /** Counts the connection; the device is not used. On the registering thread. */
    @Override
    public void connectionOpened(Device device, String transport) {
        TransportMeters m = transport(transport);
        m.connections.incrementAndGet();
        m.opened.increment();
    }

    /** Counts the close by transport and reason; the device is not used. On the closing thread. */
    @Override
    public void connectionClosed(Device device, String transport, CloseReason reason) {
        TransportMeters m = transport(transport);
        m.connections.decrementAndGet();
        m.closed(reason).increment();
    }

    @Override
    public void userOnline() {
        usersOnline.incrementAndGet();
    }

    @Override
    public void userOffline() {
        usersOnline.decrementAndGet();
    }

    @Override
    public void frameReceived(String transport, int bytes) {
        TransportMeters m = transport(transport);
        m.framesIn.increment();
        m.sizeIn.record(bytes);
    }

    @Override
    public void frameWritten(String transport, int bytes) {
        TransportMeters m = transport(transport);
        m.framesOut.increment();
        m.sizeOut.record(bytes);
    }

    @Override
    public void sendCompleted(SendOutcome outcome, long durationNanos) {
        int i = outcome.ordinal();
        sends[i].increment();
        sendDurations[i].record(durationNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void enqueued() {
        enqueued.increment();
    }

    @Override
    public void dequeued(int count) {
        dequeued.increment(count);
    }

    @Override
    public String toString() {
        return "TokMetrics" + tags;
    }

    /** The meters of one transport, made at its first event. */
    private final class TransportMeters {
        final String transport;
        final Tags transportTags;
        final AtomicLong connections = new AtomicLong();
        final Counter opened;
        final Counter framesIn;
        final Counter framesOut;
        final DistributionSummary sizeIn;
        final DistributionSummary sizeOut;
        /** By reason, made at the first close for it (racy: the registry returns the same counter). */
        private final Counter[] closed = new Counter[REASONS.length];

        TransportMeters(String transport) {
            this.transport = transport;
            this.transportTags = tags.and("transport", transport);
            Gauge.builder("tok.connections", connections, AtomicLong::get).tags(transportTags).strongReference(true)
                    .description("Open connections").register(registries);
            opened = Counter.builder("tok.connections.opened").tags(transportTags)
                    .description("Connections registered with the hub").register(registries);
            framesIn = frames("in");
            framesOut = frames("out");
            sizeIn = size("in");
            sizeOut = size("out");
        }

        private Counter frames(String direction) {
            return Counter.builder("tok.frames").tags(transportTags).tag("direction", direction)
                    .description("Frames received (in) from and written (out) to connections").register(registries);
        }

        private DistributionSummary size(String direction) {
            return DistributionSummary.builder("tok.frame.size").tags(transportTags).tag("direction", direction)
                    .baseUnit("bytes").description("Payload sizes of frames received (in) and written (out)")
                    .register(registries);
        }

        Counter closed(CloseReason reason) {
            Counter c = closed[reason.ordinal()];
            if (c == null) {
                c = Counter.builder("tok.connections.closed").tags(transportTags).tag("reason", tagValue(reason))
                        .description("Connections closed, by reason").register(registries);
                closed[reason.ordinal()] = c;
            }
            return c;
        }
    }
}
