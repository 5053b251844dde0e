package dev.tok.api;

import dev.tok.api.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Immutable configuration of a {@link Hub}. Build it with {@link #builder()}; {@link
 * Builder#build()} rejects inconsistent settings with a message that names the fix.
 *
 * <table>
 * <caption>Settings and defaults</caption>
 * <tr><th>setting</th><th>key in {@link Builder#settings(Map)}</th><th>default</th></tr>
 * <tr><td>{@link #sso()}</td><td>{@code sso}</td><td>true</td></tr>
 * <tr><td>{@link #pingInterval()}</td><td>{@code ping-interval}</td><td>30s (active only with a {@link PingGenerator})</td></tr>
 * <tr><td>{@link #authTimeout()}</td><td>{@code auth-timeout}</td><td>5s</td></tr>
 * <tr><td>{@link #writeTimeout()}</td><td>{@code write-timeout}</td><td>1m</td></tr>
 * <tr><td>{@link #readTimeout()}</td><td>{@code read-timeout}</td><td>90s while server pings are off
 * ({@link #DEFAULT_READ_TIMEOUT}); 0 (off) with server pings</td></tr>
 * <tr><td>{@link #partialSendPolicy()}</td><td>{@code partial-send-policy}</td><td>{@code CACHE_ON_ANY_FAILURE}</td></tr>
 * <tr><td>{@link #maxConnectionsPerUser()}</td><td>{@code max-connections-per-user}</td><td>16 (with sso off)</td></tr>
 * <tr><td>{@link #maxPendingFrames()}</td><td>{@code max-pending-frames}</td><td>256</td></tr>
 * <tr><td>{@link #maxPendingSendsPerUser()}</td><td>{@code max-pending-sends-per-user}</td><td>10000</td></tr>
 * <tr><td>{@link #delivery()}</td><td>{@code delivery}</td><td>{@code at-most-once}</td></tr>
 * <tr><td>{@link #maxInflightMessages()}</td><td>{@code max-inflight-messages}</td><td>256 (at-least-once)</td></tr>
 * <tr><td>{@link #maxInflightBytes()}</td><td>{@code max-inflight-bytes}</td><td>1 MiB (at-least-once)</td></tr>
 * <tr><td>{@link #zeroTtlRetention()}</td><td>{@code zero-ttl-retention}</td><td>1m (at-least-once)</td></tr>
 * <tr><td>{@link #clientIdWindow()}</td><td>{@code client-id-window}</td><td>5m</td></tr>
 * <tr><td>{@link #maxClientIdsPerDevice()}</td><td>{@code max-client-ids-per-device}</td><td>1024</td></tr>
 * <tr><td>{@link #userRateLimitFramesPerSecond()}</td><td>{@code user-rate-limit-frames-per-second}</td><td>0 (off)</td></tr>
 * <tr><td>{@link #userRateLimitFramesBurst()}</td><td>{@code user-rate-limit-frames-burst}</td><td>1000</td></tr>
 * <tr><td>{@link #userRateLimitBytesPerSecond()}</td><td>{@code user-rate-limit-bytes-per-second}</td><td>0 (off)</td></tr>
 * <tr><td>{@link #userRateLimitBytesBurst()}</td><td>{@code user-rate-limit-bytes-burst}</td><td>8MiB</td></tr>
 * <tr><td>{@link #nonBlockingActor()}</td><td>{@code non-blocking-actor}</td><td>false</td></tr>
 * <tr><td>{@link #actorStallThreshold()}</td><td>{@code actor-stall-threshold}</td><td>100ms (with a non-blocking actor)</td></tr>
 * </table>
 *
 * <p><b>Session policy.</b> What a login does to the user's other connections is a
 * {@link SessionPolicy}: {@link Builder#sessionPolicy(SessionPolicy)} sets one; without it,
 * {@link #sso()} chooses {@link SessionPolicy#singleSignOn()} (true, the default) or
 * {@link SessionPolicy#shareAll(int)} with {@link #maxConnectionsPerUser()} (false). An explicit
 * policy wins over both shorthands, whatever the order of the builder calls.
 *
 * <p>The smallest configuration, {@code HubConfig.builder().actor(actor).build()}, builds: it has
 * no server pings, so it gets the default read timeout of 90 seconds, and a connection that sends
 * nothing for 90 seconds is closed. Clients must send something within it (an application-level
 * heartbeat; on WebSocket a pong or ping counts too), or configure server pings, or another read
 * timeout. Like Go tok, the builder refuses both off: an explicit {@code readTimeout(Duration.ZERO)}
 * without server pings is an error.
 *
 * <p>Every builder method rejects {@code null} with a {@link NullPointerException} naming the
 * parameter; absent values are returned as {@link Optional#empty()}, never {@code null}.
 *
 * @since 0.1
 */
public final class HubConfig {

    /**
     * The read timeout used when the application sets none and server pings are off: 90 seconds,
     * three times the default ping interval of 30 seconds.
     */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(90);

    /** Keys accepted by {@link Builder#settings(Map)}. */
    public static final Set<String> SETTING_NAMES = Set.of("sso", "ping-interval", "auth-timeout", "write-timeout",
            "read-timeout", "partial-send-policy", "max-connections-per-user", "max-pending-frames",
            "max-pending-sends-per-user", "delivery", "max-inflight-messages", "max-inflight-bytes", "zero-ttl-retention",
            "client-id-window", "max-client-ids-per-device",
            "user-rate-limit-frames-per-second", "user-rate-limit-frames-burst", "user-rate-limit-bytes-per-second",
            "user-rate-limit-bytes-burst", "non-blocking-actor", "actor-stall-threshold");

    /** Default of {@link #actorStallThreshold()}: 100 milliseconds. */
    public static final Duration DEFAULT_ACTOR_STALL_THRESHOLD = Duration.ofMillis(100);

    /** Default of {@link #maxInflightMessages()}. */
    public static final int DEFAULT_MAX_INFLIGHT_MESSAGES = 256;
    /** Default of {@link #maxInflightBytes()}: 1 MiB. */
    public static final long DEFAULT_MAX_INFLIGHT_BYTES = 1024 * 1024;

    private final Actor actor;
    private final Authenticator authenticator;
    private final BeforeReceive beforeReceive;
    private final BeforeSend beforeSend;
    private final AfterSend afterSend;
    private final CloseHook closeHook;
    private final ConnectHook connectHook;
    private final PingGenerator pingGenerator;
    private final ByeGenerator byeGenerator;
    private final boolean sso;
    /** The policy set with {@link Builder#sessionPolicy}; null when the shorthands decide. */
    private final SessionPolicy sessionPolicySet;
    private final SessionPolicy sessionPolicy;
    private final Duration pingInterval;
    private final Duration authTimeout;
    private final Duration writeTimeout;
    private final Duration readTimeout;
    /** The read timeout as the application set it; null when it set none (the default applies). */
    private final Duration readTimeoutSet;
    private final PartialSendPolicy partialSendPolicy;
    private final int maxConnectionsPerUser;
    private final int maxPendingFrames;
    private final int maxPendingSendsPerUser;
    private final int userRateLimitFramesPerSecond;
    private final int userRateLimitFramesBurst;
    private final long userRateLimitBytesPerSecond;
    private final long userRateLimitBytesBurst;
    private final Queue queue;
    private final dev.tok.api.spi.Cluster cluster;
    private final boolean noQueue;
    private final Executor actorExecutor;
    private final boolean nonBlockingActor;
    private final Duration actorStallThreshold;
    private final List<HubObserver> observers;
    private final HubTracer tracer;
    private final DeliveryMode delivery;
    private final int maxInflightMessages;
    private final long maxInflightBytes;
    private final Duration zeroTtlRetention;
    private final AcknowledgeHook acknowledgeHook;
    private final Duration clientIdWindow;
    private final int maxClientIdsPerDevice;

    private HubConfig(Builder b) {
        this.actor = b.actor;
        this.authenticator = b.authenticator;
        this.beforeReceive = b.beforeReceive;
        this.beforeSend = b.beforeSend;
        this.afterSend = b.afterSend;
        this.closeHook = b.closeHook;
        this.connectHook = b.connectHook;
        this.pingGenerator = b.pingGenerator;
        this.byeGenerator = b.byeGenerator;
        this.sso = b.sso;
        this.sessionPolicySet = b.sessionPolicy;
        this.sessionPolicy = b.sessionPolicy != null ? b.sessionPolicy
                : b.sso ? SessionPolicy.singleSignOn() : SessionPolicy.shareAll(b.maxConnectionsPerUser);
        this.pingInterval = b.pingInterval;
        this.authTimeout = b.authTimeout;
        this.writeTimeout = b.writeTimeout;
        this.readTimeoutSet = b.readTimeout;
        this.readTimeout = b.effectiveReadTimeout();
        this.partialSendPolicy = b.partialSendPolicy;
        this.maxConnectionsPerUser = b.maxConnectionsPerUser;
        this.maxPendingFrames = b.maxPendingFrames;
        this.maxPendingSendsPerUser = b.maxPendingSendsPerUser;
        this.userRateLimitFramesPerSecond = b.userRateLimitFramesPerSecond;
        this.userRateLimitFramesBurst = b.userRateLimitFramesBurst;
        this.userRateLimitBytesPerSecond = b.userRateLimitBytesPerSecond;
        this.userRateLimitBytesBurst = b.userRateLimitBytesBurst;
        this.queue = b.queue;
        this.cluster = b.cluster;
        this.noQueue = b.noQueue;
        this.actorExecutor = b.actorExecutor;
        this.nonBlockingActor = b.nonBlockingActor;
        this.actorStallThreshold = b.actorStallThreshold;
        this.observers = List.copyOf(b.observers);
        this.tracer = b.tracer;
        this.delivery = b.delivery;
        this.maxInflightMessages = b.maxInflightMessages;
        this.maxInflightBytes = b.maxInflightBytes;
        this.zeroTtlRetention = b.zeroTtlRetention;
        this.acknowledgeHook = b.acknowledgeHook;
        this.clientIdWindow = b.clientIdWindow;
        this.maxClientIdsPerDevice = b.maxClientIdsPerDevice;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the handler of inbound frames */
    public Actor actor() {
        return actor;
    }

    /** @return the authenticator; required by {@link TokServer}, optional for a bare hub */
    public Optional<Authenticator> authenticator() {
        return Optional.ofNullable(authenticator);
    }

    /** @return the inbound hook */
    public Optional<BeforeReceive> beforeReceive() {
        return Optional.ofNullable(beforeReceive);
    }

    /** @return the outbound hook */
    public Optional<BeforeSend> beforeSend() {
        return Optional.ofNullable(beforeSend);
    }

    /** @return the after-write hook */
    public Optional<AfterSend> afterSend() {
        return Optional.ofNullable(afterSend);
    }

    /** @return the close hook */
    public Optional<CloseHook> closeHook() {
        return Optional.ofNullable(closeHook);
    }

    /**
     * @return the connect hook
     * @since 0.1
     */
    public Optional<ConnectHook> connectHook() {
        return Optional.ofNullable(connectHook);
    }

    /** @return the ping payload generator; without one there are no server pings */
    public Optional<PingGenerator> pingGenerator() {
        return Optional.ofNullable(pingGenerator);
    }

    /** @return the bye payload generator for single sign-on */
    public Optional<ByeGenerator> byeGenerator() {
        return Optional.ofNullable(byeGenerator);
    }

    /**
     * @return the sso shorthand as set: true if a new connection of a user closes the user's older
     *         connections; what the hub applies is {@link #sessionPolicy()}, which differs when a
     *         policy was set explicitly
     */
    public boolean sso() {
        return sso;
    }

    /**
     * @return the policy the hub applies at every login: the one set with
     *         {@link Builder#sessionPolicy(SessionPolicy)}, else {@link SessionPolicy#singleSignOn()}
     *         with {@link #sso()} true, else {@link SessionPolicy#shareAll(int)} with
     *         {@link #maxConnectionsPerUser()}
     * @since 0.1
     */
    public SessionPolicy sessionPolicy() {
        return sessionPolicy;
    }

    /** @return the interval of server pings; zero when off */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** @return true when server pings are sent: a generator and a positive interval */
    public boolean pingEnabled() {
        return pingGenerator != null && !pingInterval.isZero();
    }

    /** @return how long a connection may take to authenticate */
    public Duration authTimeout() {
        return authTimeout;
    }

    /** @return how long a connection's outbound data may stay unwritten before it is closed */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * @return how long a connection may send nothing (no frame, no WebSocket control frame)
     *         before the hub closes it; zero when off. Unless set, {@link #DEFAULT_READ_TIMEOUT}
     *         while server pings are off, else zero
     */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** @return what to do when writes to an online user fail */
    public PartialSendPolicy partialSendPolicy() {
        return partialSendPolicy;
    }

    /**
     * @return the most connections one user may hold when sso is off and no
     *         {@link #sessionPolicy()} was set explicitly
     */
    public int maxConnectionsPerUser() {
        return maxConnectionsPerUser;
    }

    /** @return inbound frames that may wait for the actor per connection before its reading pauses */
    public int maxPendingFrames() {
        return maxPendingFrames;
    }

    /**
     * @return how many sends to one user may wait in the hub (behind a queue drain, or written
     *         but not yet completed by the transport) before further sends to that user fail at
     *         once with {@link PendingLimitException}
     */
    public int maxPendingSendsPerUser() {
        return maxPendingSendsPerUser;
    }

    /**
     * @return inbound frames per second one user may send across all of the user's connections
     *         (over it, the connection whose frame exceeded it is closed with
     *         {@link CloseReason#RATE_LIMITED}); 0 when off, the default
     * @since 0.1
     */
    public int userRateLimitFramesPerSecond() {
        return userRateLimitFramesPerSecond;
    }

    /**
     * @return frames one user may send at once before {@link #userRateLimitFramesPerSecond()} applies
     * @since 0.1
     */
    public int userRateLimitFramesBurst() {
        return userRateLimitFramesBurst;
    }

    /**
     * @return inbound payload bytes per second one user may send across all of the user's
     *         connections; 0 when off, the default
     * @since 0.1
     */
    public long userRateLimitBytesPerSecond() {
        return userRateLimitBytesPerSecond;
    }

    /**
     * @return payload bytes one user may send at once before {@link #userRateLimitBytesPerSecond()} applies
     * @since 0.1
     */
    public long userRateLimitBytesBurst() {
        return userRateLimitBytesBurst;
    }

    /** @return the queue set with {@link Builder#queue(Queue)}; empty means the default or none */
    public Optional<Queue> queue() {
        return Optional.ofNullable(queue);
    }

    /**
     * @return the cluster node set with {@link Builder#cluster}; empty: the hub runs alone
     * @since 0.1
     */
    public Optional<dev.tok.api.spi.Cluster> cluster() {
        return Optional.ofNullable(cluster);
    }

    /** @return true when offline caching is off ({@link Builder#noQueue()}) */
    public boolean noQueue() {
        return noQueue;
    }

    /**
     * @return the executor running the actor and receive hook; empty means the hub's own pool.
     *         With {@link #nonBlockingActor()} it is where the actor moves when it stalls.
     */
    public Optional<Executor> actorExecutor() {
        return Optional.ofNullable(actorExecutor);
    }

    /**
     * @return true when the application declared that its actor and receive hook never block
     *         ({@link Builder#nonBlockingActor(boolean)}): the hub runs them on the transport's
     *         I/O thread that read the frame
     * @since 0.1
     */
    public boolean nonBlockingActor() {
        return nonBlockingActor;
    }

    /**
     * @return with {@link #nonBlockingActor()}: how long one run of the actor on an I/O thread may
     *         take before the hub takes it for blocking, warns and moves the actor to the actor
     *         executor for the rest of its life
     * @since 0.1
     */
    public Duration actorStallThreshold() {
        return actorStallThreshold;
    }

    /**
     * @return the observers, in the order they were added; empty when none
     * @since 0.1
     */
    public List<HubObserver> observers() {
        return observers;
    }

    /**
     * @return the tracer set with {@link Builder#tracer}, if any
     * @since 0.1
     */
    public Optional<HubTracer> tracer() {
        return Optional.ofNullable(tracer);
    }

    /** @return the delivery mode; {@link DeliveryMode#AT_MOST_ONCE} unless set */
    public DeliveryMode delivery() {
        return delivery;
    }

    /**
     * @return in at-least-once mode, how many messages may be written to one connection and not
     *         yet acknowledged by its device; beyond, the hub stops writing to that connection and
     *         the messages wait in the log
     */
    public int maxInflightMessages() {
        return maxInflightMessages;
    }

    /**
     * @return in at-least-once mode, how many payload bytes may be written to one connection and
     *         not yet acknowledged (a single larger message is still written when nothing else is
     *         in flight)
     */
    public long maxInflightBytes() {
        return maxInflightBytes;
    }

    /**
     * @return in at-least-once mode, how long a message sent with a zero ttl is kept in the log:
     *         it is accepted only while the user has a connection, and is then kept this long
     *         for the devices that have not acknowledged it (so that a connection dropping right
     *         after the write does not lose it)
     */
    public Duration zeroTtlRetention() {
        return zeroTtlRetention;
    }

    /** @return the hook told of acknowledgements in at-least-once mode, if any */
    public Optional<AcknowledgeHook> acknowledgeHook() {
        return Optional.ofNullable(acknowledgeHook);
    }

    /** @return how long {@link ConnectionContext#sendOnce} remembers a device's client ids */
    public Duration clientIdWindow() {
        return clientIdWindow;
    }

    /** @return how many client ids {@link ConnectionContext#sendOnce} remembers per device */
    public int maxClientIdsPerDevice() {
        return maxClientIdsPerDevice;
    }

    /** Builds a {@link HubConfig}. Not thread-safe. */
    public static final class Builder {
        private Actor actor;
        private Authenticator authenticator;
        private BeforeReceive beforeReceive;
        private BeforeSend beforeSend;
        private AfterSend afterSend;
        private CloseHook closeHook;
        private ConnectHook connectHook;
        private PingGenerator pingGenerator;
        private ByeGenerator byeGenerator;
        private boolean sso = true;
        private SessionPolicy sessionPolicy;
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration authTimeout = Duration.ofSeconds(5);
        private Duration writeTimeout = Duration.ofMinutes(1);
        /** null: not set, the default applies (see {@link #effectiveReadTimeout()}). */
        private Duration readTimeout;
        private PartialSendPolicy partialSendPolicy = PartialSendPolicy.CACHE_ON_ANY_FAILURE;
        private int maxConnectionsPerUser = 16;
        private int maxPendingFrames = 256;
        private int maxPendingSendsPerUser = 10_000;
        private int userRateLimitFramesPerSecond;
        private int userRateLimitFramesBurst = 1_000;
        private long userRateLimitBytesPerSecond;
        private long userRateLimitBytesBurst = 8L * 1024 * 1024;
        private Queue queue;
        private dev.tok.api.spi.Cluster cluster;
        private boolean noQueue;
        private Executor actorExecutor;
        private boolean nonBlockingActor;
        private Duration actorStallThreshold = DEFAULT_ACTOR_STALL_THRESHOLD;
        private final List<HubObserver> observers = new ArrayList<>();
        private HubTracer tracer;
        private DeliveryMode delivery = DeliveryMode.AT_MOST_ONCE;
        private int maxInflightMessages = DEFAULT_MAX_INFLIGHT_MESSAGES;
        private long maxInflightBytes = DEFAULT_MAX_INFLIGHT_BYTES;
        private Duration zeroTtlRetention = Duration.ofMinutes(1);
        private AcknowledgeHook acknowledgeHook;
        private Duration clientIdWindow = Duration.ofMinutes(5);
        private int maxClientIdsPerDevice = 1024;

        private Builder() {
        }

        private Builder(HubConfig c) {
            actor = c.actor;
            authenticator = c.authenticator;
            beforeReceive = c.beforeReceive;
            beforeSend = c.beforeSend;
            afterSend = c.afterSend;
            closeHook = c.closeHook;
            connectHook = c.connectHook;
            pingGenerator = c.pingGenerator;
            byeGenerator = c.byeGenerator;
            sso = c.sso;
            sessionPolicy = c.sessionPolicySet;
            pingInterval = c.pingInterval;
            authTimeout = c.authTimeout;
            writeTimeout = c.writeTimeout;
            readTimeout = c.readTimeoutSet;
            partialSendPolicy = c.partialSendPolicy;
            maxConnectionsPerUser = c.maxConnectionsPerUser;
            maxPendingFrames = c.maxPendingFrames;
            maxPendingSendsPerUser = c.maxPendingSendsPerUser;
            userRateLimitFramesPerSecond = c.userRateLimitFramesPerSecond;
            userRateLimitFramesBurst = c.userRateLimitFramesBurst;
            userRateLimitBytesPerSecond = c.userRateLimitBytesPerSecond;
            userRateLimitBytesBurst = c.userRateLimitBytesBurst;
            queue = c.queue;
            cluster = c.cluster;
            noQueue = c.noQueue;
            actorExecutor = c.actorExecutor;
            nonBlockingActor = c.nonBlockingActor;
            actorStallThreshold = c.actorStallThreshold;
            observers.addAll(c.observers);
            tracer = c.tracer;
            delivery = c.delivery;
            maxInflightMessages = c.maxInflightMessages;
            maxInflightBytes = c.maxInflightBytes;
            zeroTtlRetention = c.zeroTtlRetention;
            acknowledgeHook = c.acknowledgeHook;
            clientIdWindow = c.clientIdWindow;
            maxClientIdsPerDevice = c.maxClientIdsPerDevice;
        }

        /**
         * Sets the handler of inbound frames. Required: {@link #build()} fails without one.
         *
         * @param actor the handler; not null
         * @return this builder
         */
        public Builder actor(Actor actor) {
            this.actor = Objects.requireNonNull(actor, "actor");
            return this;
        }

        /**
         * Sets the authenticator every transport asks to turn a connection's credentials (first
         * frame or upgrade request) into a {@link Device}. Required by {@link TokServer}; a hub made
         * with {@link Hub#create} accepts no connections and does not need one. No default.
         *
         * @param authenticator the authenticator; not null
         * @return this builder
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Sets a hook that transforms or rejects every inbound frame before the {@link Actor}
         * sees it (decrypt, decompress). Runs on the actor's executor. Default: none, frames reach
         * the actor as read.
         *
         * @param hook the hook; not null
         * @return this builder
         */
        public Builder beforeReceive(BeforeReceive hook) {
            this.beforeReceive = Objects.requireNonNull(hook, "beforeReceive");
            return this;
        }

        /**
         * Sets a hook that transforms every outbound frame (sends, queued messages, pings, bye
         * payloads) before it is written, once per connection (encrypt, compress). See
         * {@link BeforeSend} for the threads it runs on. Default: none, payloads are written as
         * given.
         *
         * @param hook the hook; not null
         * @return this builder
         */
        public Builder beforeSend(BeforeSend hook) {
            this.beforeSend = Objects.requireNonNull(hook, "beforeSend");
            return this;
        }

        /**
         * Sets a hook told of every frame written successfully, with the payload as given to
         * {@link Hub#send} (not the transformed bytes). Default: none.
         *
         * @param hook the hook; not null
         * @return this builder
         */
        public Builder afterSend(AfterSend hook) {
            this.afterSend = Objects.requireNonNull(hook, "afterSend");
            return this;
        }

        /**
         * Sets a hook called once for every registered connection that ends, with the reason.
         * Default: none.
         *
         * @param hook the hook; not null
         * @return this builder
         */
        public Builder closeHook(CloseHook hook) {
            this.closeHook = Objects.requireNonNull(hook, "closeHook");
            return this;
        }

        /**
         * Sets a hook called once for every registered connection, before the actor sees its
         * frames; see {@link ConnectHook} for when and on which thread. Default: none.
         *
         * @param hook the hook; not null
         * @return this builder
         * @since 0.1
         */
        public Builder connectHook(ConnectHook hook) {
            this.connectHook = Objects.requireNonNull(hook, "connectHook");
            return this;
        }

        /**
         * Sets what a login does to the user's other connections, and whether it is refused.
         * Takes precedence over {@link #sso(boolean)} and {@link #maxConnectionsPerUser(int)},
         * which only choose between the built-in policies when none is set. Default: none, the
         * shorthands decide ({@link SessionPolicy#singleSignOn()}).
         *
         * @param policy the policy; not null
         * @return this builder
         * @since 0.1
         */
        public Builder sessionPolicy(SessionPolicy policy) {
            this.sessionPolicy = Objects.requireNonNull(policy, "sessionPolicy");
            return this;
        }

        /**
         * Sets the payload generator of server pings and so turns server pings on: every
         * {@link #pingInterval(Duration)} the hub writes its payload (through {@link BeforeSend})
         * to every connection. With pings on, the read timeout defaults to off. Default: none,
         * no server pings.
         *
         * @param generator the generator; not null
         * @return this builder
         */
        public Builder pingGenerator(PingGenerator generator) {
            this.pingGenerator = Objects.requireNonNull(generator, "pingGenerator");
            return this;
        }

        /**
         * Sets the generator of the payload written to a connection just before single sign-on
         * closes it for a newer one. Default: none, nothing is written before the close.
         *
         * @param generator the generator; not null
         * @return this builder
         */
        public Builder byeGenerator(ByeGenerator generator) {
            this.byeGenerator = Objects.requireNonNull(generator, "byeGenerator");
            return this;
        }

        /**
         * Sets single sign-on: when true, a user's new connection closes the user's older ones
         * (after their bye payload); when false, a user may hold up to
         * {@link #maxConnectionsPerUser(int)} connections. Default true. A shorthand for
         * {@link SessionPolicy#singleSignOn()} and {@link SessionPolicy#shareAll(int)}; an
         * explicit {@link #sessionPolicy(SessionPolicy)} takes precedence.
         *
         * @param sso whether a new connection closes the user's older ones
         * @return this builder
         */
        public Builder sso(boolean sso) {
            this.sso = sso;
            return this;
        }

        /**
         * Sets the interval of server pings, effective only with a
         * {@link #pingGenerator(PingGenerator)}. Default 30 seconds; zero turns pings off;
         * negative is rejected by {@link #build()}. A connection's first ping comes after a
         * random part of the interval, between half of it and all of it, then one every
         * interval: connections that logged in together (clients reconnecting after a restart)
         * are not pinged all at once, every interval, for as long as they stay.
         *
         * @param interval the interval; not null, zero or positive
         * @return this builder
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = Objects.requireNonNull(interval, "pingInterval");
            return this;
        }

        /**
         * Sets how long a connection may take from accept to authenticated (first frame read and
         * the authenticator's answer); a slower one is closed. Default 5 seconds; must be
         * positive.
         *
         * @param timeout the deadline; not null, positive
         * @return this builder
         */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = Objects.requireNonNull(timeout, "authTimeout");
            return this;
        }

        /**
         * Sets how long a connection's outbound data may stay unwritten (the peer reads too
         * slowly or not at all) before the connection is closed and its pending writes fail; it
         * also bounds the hub's wait for pending work on {@link Hub#close()}. Default 1 minute;
         * must be positive.
         *
         * @param timeout the limit; not null, positive
         * @return this builder
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = Objects.requireNonNull(timeout, "writeTimeout");
            return this;
        }

        /**
         * Sets how long a connection may send nothing before it is closed with
         * {@link CloseReason#READ_TIMEOUT}. Frames count, and so do WebSocket pings and pongs.
         * Default: {@link HubConfig#DEFAULT_READ_TIMEOUT} (90 seconds) while server pings are off,
         * off when they are on. Zero turns it off, which {@link #build()} accepts only with server
         * pings; negative is rejected.
         *
         * @param timeout the limit; not null, zero or positive
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Objects.requireNonNull(timeout, "readTimeout");
            return this;
        }

        /**
         * Sets what happens when a send with a ttl reaches some of an online user's connections
         * but not all. Default {@link PartialSendPolicy#CACHE_ON_ANY_FAILURE}, as Go tok.
         *
         * @param policy the policy; not null
         * @return this builder
         */
        public Builder partialSendPolicy(PartialSendPolicy policy) {
            this.partialSendPolicy = Objects.requireNonNull(policy, "partialSendPolicy");
            return this;
        }

        /**
         * Sets how many connections one user may hold when single sign-on is off; one more is
         * refused with {@link ConnectionLimitException}. Ignored with sso on and when a
         * {@link #sessionPolicy(SessionPolicy)} is set. Default 16; at
         * least 1.
         *
         * @param max the limit, at least 1
         * @return this builder
         */
        public Builder maxConnectionsPerUser(int max) {
            this.maxConnectionsPerUser = max;
            return this;
        }

        /**
         * Sets how many inbound frames of one connection may wait for the actor before the hub
         * pauses reading from that connection (resumed when the actor catches up). Default 256;
         * at least 1.
         *
         * @param max the limit, at least 1
         * @return this builder
         */
        public Builder maxPendingFrames(int max) {
            this.maxPendingFrames = max;
            return this;
        }

        /**
         * Bounds the sends to one user that wait in the hub: queued behind a drain of the user's
         * queue, or written to a connection whose transport has not completed the write yet
         * (default 10000). A send beyond the bound fails at once with
         * {@link PendingLimitException}, so one user behind a slow or dead connection cannot make
         * the hub's memory grow without limit.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxPendingSendsPerUser(int max) {
            this.maxPendingSendsPerUser = max;
            return this;
        }

        /**
         * Limits the frames one user sends per second across all of the user's connections and
         * transports (a token bucket of {@code burst} frames refilled at {@code perSecond}): the
         * connection whose frame exceeds it is closed with {@link CloseReason#RATE_LIMITED} and the
         * frame is dropped. Each built-in transport also limits every connection on its own
         * ({@code rate-limit-frames-per-second}); this limit bounds a user with many connections.
         * Default off (0), burst 1000.
         *
         * @param perSecond frames per second, 0 (off) or more
         * @param burst     frames at once, at least 1
         * @return this builder
         * @since 0.1
         */
        public Builder userRateLimitFrames(int perSecond, int burst) {
            this.userRateLimitFramesPerSecond = perSecond;
            this.userRateLimitFramesBurst = burst;
            return this;
        }

        /**
         * Limits the payload bytes one user sends per second across all of the user's connections
         * and transports, as {@link #userRateLimitFrames} does for frames. A frame larger than
         * {@code burst} always exceeds it: keep {@code burst} at least the transports' largest
         * frame. Default off (0), burst 8 MiB.
         *
         * @param perSecond bytes per second, 0 (off) or more
         * @param burst     bytes at once, at least 1
         * @return this builder
         * @since 0.1
         */
        public Builder userRateLimitBytes(long perSecond, long burst) {
            this.userRateLimitBytesPerSecond = perSecond;
            this.userRateLimitBytesBurst = burst;
            return this;
        }

        /**
         * Sets the offline queue; the hub owns it and closes it on {@link Hub#close()}.
         *
         * @param queue the queue
         * @return this builder
         */
        public Builder queue(Queue queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            this.noQueue = false;
            return this;
        }

        /**
         * Makes the hub one node of a cluster: several hubs on one cluster engine act as one (see
         * {@link dev.tok.api.spi.Cluster}). The hub starts the node when it is created and owns it:
         * it closes it on {@link Hub#close()}, after its own connections closed. Usually set by
         * {@code TokServer.builder(config).cluster(name, settings)}, which creates the node from
         * a provider.
         *
         * @param cluster a created, not yet started cluster node; not null
         * @return this builder
         * @since 0.1
         */
        public Builder cluster(dev.tok.api.spi.Cluster cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /**
         * Turns offline caching off: sends to offline users with a ttl fail with
         * {@link CacheFailedException} caused by {@link QueueRequiredException}.
         *
         * @return this builder
         */
        public Builder noQueue() {
            this.queue = null;
            this.noQueue = true;
            return this;
        }

        /**
         * Sets where the actor and the receive hook run. By default the hub runs them on a pool of
         * its own, so an actor may block. An actor that never blocks should rather be declared
         * with {@link #nonBlockingActor(boolean)}, which runs it on the transport's I/O thread
         * and still catches a wrong declaration; {@code Runnable::run} here does the same
         * without that check (an actor that blocks would then stall every connection of its I/O
         * thread for as long as it blocks). With {@link #nonBlockingActor(boolean)}, this
         * executor is where a stalled actor moves.
         *
         * @param executor runs the actor and the receive hook; the hub does not shut it down
         * @return this builder
         */
        public Builder actorExecutor(Executor executor) {
            this.actorExecutor = Objects.requireNonNull(executor, "actorExecutor");
            return this;
        }

        /**
         * Declares that the actor and the receive hook never block (they parse the frame and call
         * {@link Hub#send}, {@link ConnectionContext#reply}, {@link ConnectionContext#acknowledge}
         * and the like, which never block), so that the hub runs them on the transport's I/O
         * thread that read the frame, where a frame costs no thread hand-off: lower latency and
         * less CPU per message. Default false: they run on the actor executor, where they may
         * block. Frames of a connection still reach the actor one at a time and in order; the
         * connect hook still runs on the actor executor. {@link Hub#online()}, {@link Hub#isOnline}
         * and {@link Hub#kick} block in a cluster: an actor that calls them must not be declared.
         *
         * <p>A declaration that is wrong is caught, not trusted blindly: the hub times each run
         * of the actor on an I/O thread, and when three runs within a minute take longer than
         * {@link #actorStallThreshold(Duration)} it logs a warning naming the fix and moves the
         * actor to the actor executor for good (frames stay in order). So a blocking actor
         * stalls the connections of an I/O thread a few times, not for the life of the hub. One
         * or two such runs are only logged, as a garbage collection or a starved CPU stalls a run
         * as well; runs during the hub's first 1,000 inbound frames are the actor's warm-up (its
         * classes load and initialise, its code runs interpreted) and are not counted.
         *
         * @param nonBlocking true to declare the actor (and the receive hook) non-blocking
         * @return this builder
         * @since 0.1
         */
        public Builder nonBlockingActor(boolean nonBlocking) {
            this.nonBlockingActor = nonBlocking;
            return this;
        }

        /**
         * Sets how long one run of a {@linkplain #nonBlockingActor(boolean) non-blocking actor} on
         * an I/O thread may take before it counts as a stall; three stalls within a minute move
         * the actor to the actor executor (default 100 ms: longer than a young collection's
         * pause; shorter than any timeout a client would notice).
         *
         * @param threshold positive; not null
         * @return this builder
         * @since 0.1
         */
        public Builder actorStallThreshold(Duration threshold) {
            this.actorStallThreshold = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /**
         * Adds an observer of the hub's events (metrics; for tracing see {@link #tracer}). May be
         * called several times: the hub calls every observer, in the order added; an observer that
         * throws is logged and does not affect the others. See {@link HubObserver} for the threads
         * and the cost.
         *
         * @param observer the observer; not null
         * @return this builder
         * @since 0.1
         */
        public Builder observer(HubObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * Sets the tracer: the hub tells it when its units of work (the actor's work on a frame,
         * a send with its writes and enqueue, the delivery of queued messages at login) start and
         * end, so that it can trace them; see {@link HubTracer}. One per hub: a second call
         * replaces the first. Without one, tracing costs the hub a null check per event.
         *
         * @param tracer the tracer, for example {@code TokTracing} of {@code tok-tracing-otel}; not null
         * @return this builder
         * @since 0.1
         */
        public Builder tracer(HubTracer tracer) {
            this.tracer = Objects.requireNonNull(tracer, "tracer");
            return this;
        }

        /**
         * Sets the delivery mode (default {@link DeliveryMode#AT_MOST_ONCE}).
         * {@link DeliveryMode#AT_LEAST_ONCE} needs a queue, which keeps the users' message logs and
         * the devices' cursors: a durable one (Chronicle, Redis) to survive a restart.
         *
         * @param mode the mode; not null
         * @return this builder
         */
        public Builder delivery(DeliveryMode mode) {
            this.delivery = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Bounds what may be written to one connection and not yet acknowledged, in at-least-once
         * mode (defaults {@value HubConfig#DEFAULT_MAX_INFLIGHT_MESSAGES} messages and 1 MiB).
         * Beyond either bound the hub stops writing to that connection, and the messages wait in
         * the log until acknowledgements free the window: a device that stops reading holds at
         * most this much in buffers.
         *
         * @param messages at least 1
         * @param bytes    at least 1
         * @return this builder
         */
        public Builder inflightWindow(int messages, long bytes) {
            this.maxInflightMessages = messages;
            this.maxInflightBytes = bytes;
            return this;
        }

        /**
         * Sets how long a message sent with a zero ttl stays in the log in at-least-once mode
         * (default 1 minute); see {@link HubConfig#zeroTtlRetention()}.
         *
         * @param retention positive
         * @return this builder
         */
        public Builder zeroTtlRetention(Duration retention) {
            this.zeroTtlRetention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /**
         * Sets the hook told of device acknowledgements in at-least-once mode.
         *
         * @param hook the hook; not null
         * @return this builder
         */
        public Builder acknowledgeHook(AcknowledgeHook hook) {
            this.acknowledgeHook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Bounds what {@link ConnectionContext#sendOnce} remembers: client ids of a device are
         * kept for {@code window} after its latest send (default 5 minutes), at most
         * {@code maxPerDevice} of them (default 1024; the oldest are forgotten first).
         *
         * @param window       positive
         * @param maxPerDevice at least 1
         * @return this builder
         */
        public Builder clientIds(Duration window, int maxPerDevice) {
            this.clientIdWindow = Objects.requireNonNull(window, "window");
            this.maxClientIdsPerDevice = maxPerDevice;
            return this;
        }

        /**
         * Applies settings given as strings (from a properties file), with the keys in
         * {@link HubConfig#SETTING_NAMES}. Durations read like {@code 30s}, {@code 500ms},
         * {@code 1m} or ISO-8601.
         *
         * @param settings key to value
         * @return this builder
         * @throws ConfigurationException for an unknown key or a malformed value
         */
        public Builder settings(Map<String, String> settings) {
            Settings s = Settings.of("hub", settings);
            s.requireKnown(SETTING_NAMES);
            sso = s.bool("sso", sso);
            pingInterval = s.duration("ping-interval", pingInterval);
            authTimeout = s.duration("auth-timeout", authTimeout);
            writeTimeout = s.duration("write-timeout", writeTimeout);
            readTimeout = s.string("read-timeout").isPresent() ? s.duration("read-timeout", Duration.ZERO) : readTimeout;
            partialSendPolicy = s.enumValue("partial-send-policy", PartialSendPolicy.class, partialSendPolicy);
            maxConnectionsPerUser = s.integer("max-connections-per-user", maxConnectionsPerUser);
            maxPendingFrames = s.integer("max-pending-frames", maxPendingFrames);
            maxPendingSendsPerUser = s.integer("max-pending-sends-per-user", maxPendingSendsPerUser);
            delivery = s.enumValue("delivery", DeliveryMode.class, delivery);
            maxInflightMessages = s.integer("max-inflight-messages", maxInflightMessages);
            maxInflightBytes = s.bytes("max-inflight-bytes", maxInflightBytes);
            zeroTtlRetention = s.duration("zero-ttl-retention", zeroTtlRetention);
            clientIdWindow = s.duration("client-id-window", clientIdWindow);
            maxClientIdsPerDevice = s.integer("max-client-ids-per-device", maxClientIdsPerDevice);
            userRateLimitFramesPerSecond = s.integer("user-rate-limit-frames-per-second", userRateLimitFramesPerSecond);
            userRateLimitFramesBurst = s.integer("user-rate-limit-frames-burst", userRateLimitFramesBurst);
            userRateLimitBytesPerSecond = s.bytes("user-rate-limit-bytes-per-second", userRateLimitBytesPerSecond);
            userRateLimitBytesBurst = s.bytes("user-rate-limit-bytes-burst", userRateLimitBytesBurst);
            nonBlockingActor = s.bool("non-blocking-actor", nonBlockingActor);
            actorStallThreshold = s.duration("actor-stall-threshold", actorStallThreshold);
            return this;
        }

        /**
         * @return the configuration
         * @throws ConfigurationException naming the setting to change
         */
        public HubConfig build() {
            if (actor == null) {
                throw new ConfigurationException("actor is required: call HubConfig.builder().actor((connection, payload) -> ...)");
            }
            requireNotNegative("pingInterval", pingInterval);
            requirePositive("authTimeout", authTimeout);
            requirePositive("writeTimeout", writeTimeout);
            if (readTimeout != null) {
                requireNotNegative("readTimeout", readTimeout);
            }
            if (effectiveReadTimeout().isZero() && !pingOn()) {
                throw new ConfigurationException("server ping and read timeout are both off, so dead connections would never be "
                        + "detected: set a pingGenerator(..) with a positive pingInterval(..), or a positive readTimeout(..)");
            }
            if (maxConnectionsPerUser < 1) {
                throw new ConfigurationException("maxConnectionsPerUser must be at least 1, was " + maxConnectionsPerUser);
            }
            if (maxPendingFrames < 1) {
                throw new ConfigurationException("maxPendingFrames must be at least 1, was " + maxPendingFrames);
            }
            if (maxPendingSendsPerUser < 1) {
                throw new ConfigurationException("maxPendingSendsPerUser (max-pending-sends-per-user) must be at least 1, was "
                        + maxPendingSendsPerUser);
            }
            if (maxInflightMessages < 1 || maxInflightBytes < 1) {
                throw new ConfigurationException("the in-flight window (max-inflight-messages, max-inflight-bytes) must be at "
                        + "least 1 message and 1 byte, was " + maxInflightMessages + " messages and " + maxInflightBytes + " bytes");
            }
            requirePositive("zeroTtlRetention (zero-ttl-retention)", zeroTtlRetention);
            requirePositive("clientIdWindow (client-id-window)", clientIdWindow);
            requirePositive("actorStallThreshold (actor-stall-threshold)", actorStallThreshold);
            if (maxClientIdsPerDevice < 1) {
                throw new ConfigurationException("maxClientIdsPerDevice (max-client-ids-per-device) must be at least 1, was "
                        + maxClientIdsPerDevice);
            }
            if (delivery == DeliveryMode.AT_LEAST_ONCE && noQueue) {
                throw new ConfigurationException("at-least-once delivery keeps every message in the queue until the user's "
                        + "devices acknowledge it, but noQueue() turned the queue off: drop noQueue(), or set a queue "
                        + "(queue(..), or TokServer.builder(config).queue(\"memory\" | \"chronicle\" | \"redis\", ..))");
            }
            if (userRateLimitFramesPerSecond < 0 || userRateLimitBytesPerSecond < 0) {
                throw new ConfigurationException("userRateLimitFrames/userRateLimitBytes (user-rate-limit-frames-per-second, "
                        + "user-rate-limit-bytes-per-second) must be 0 (off) or positive, were " + userRateLimitFramesPerSecond
                        + " frames/s and " + userRateLimitBytesPerSecond + " bytes/s");
            }
            if (userRateLimitFramesBurst < 1 || userRateLimitBytesBurst < 1) {
                throw new ConfigurationException("the bursts of userRateLimitFrames/userRateLimitBytes (user-rate-limit-frames-burst, "
                        + "user-rate-limit-bytes-burst) must be at least 1, were " + userRateLimitFramesBurst + " frames and "
                        + userRateLimitBytesBurst + " bytes");
            }
            return new HubConfig(this);
        }

        private boolean pingOn() {
            return pingGenerator != null && !pingInterval.isZero();
        }

        /** The read timeout set, else the default: {@link #DEFAULT_READ_TIMEOUT} without pings, off with them. */
        private Duration effectiveReadTimeout() {
            if (readTimeout != null) {
                return readTimeout;
            }
            return pingOn() ? Duration.ZERO : DEFAULT_READ_TIMEOUT;
        }

        private static void requireNotNegative(String name, Duration d) {
            if (d.isNegative()) {
                throw new ConfigurationException(name + " must not be negative, was " + d);
            }
        }

        private static void requirePositive(String name, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new ConfigurationException(name + " must be positive, was " + d);
            }
        }
    }
}
