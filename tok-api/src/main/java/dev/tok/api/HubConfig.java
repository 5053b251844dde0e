package dev.tok.api;

import dev.tok.api.spi.Settings;
import java.time.Duration;
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
 * <tr><td>{@link #readTimeout()}</td><td>{@code read-timeout}</td><td>0 (off)</td></tr>
 * <tr><td>{@link #partialSendPolicy()}</td><td>{@code partial-send-policy}</td><td>{@code CACHE_ON_ANY_FAILURE}</td></tr>
 * <tr><td>{@link #maxConnectionsPerUser()}</td><td>{@code max-connections-per-user}</td><td>16 (with sso off)</td></tr>
 * <tr><td>{@link #maxPendingFrames()}</td><td>{@code max-pending-frames}</td><td>256</td></tr>
 * <tr><td>{@link #maxPendingSendsPerUser()}</td><td>{@code max-pending-sends-per-user}</td><td>10000</td></tr>
 * </table>
 *
 * @since 0.1
 */
public final class HubConfig {

    /** Keys accepted by {@link Builder#settings(Map)}. */
    public static final Set<String> SETTING_NAMES = Set.of("sso", "ping-interval", "auth-timeout", "write-timeout",
            "read-timeout", "partial-send-policy", "max-connections-per-user", "max-pending-frames",
            "max-pending-sends-per-user");

    private final Actor actor;
    private final Authenticator authenticator;
    private final BeforeReceive beforeReceive;
    private final BeforeSend beforeSend;
    private final AfterSend afterSend;
    private final CloseHook closeHook;
    private final PingGenerator pingGenerator;
    private final ByeGenerator byeGenerator;
    private final boolean sso;
    private final Duration pingInterval;
    private final Duration authTimeout;
    private final Duration writeTimeout;
    private final Duration readTimeout;
    private final PartialSendPolicy partialSendPolicy;
    private final int maxConnectionsPerUser;
    private final int maxPendingFrames;
    private final int maxPendingSendsPerUser;
    private final Queue queue;
    private final boolean noQueue;
    private final Executor actorExecutor;

    private HubConfig(Builder b) {
        this.actor = b.actor;
        this.authenticator = b.authenticator;
        this.beforeReceive = b.beforeReceive;
        this.beforeSend = b.beforeSend;
        this.afterSend = b.afterSend;
        this.closeHook = b.closeHook;
        this.pingGenerator = b.pingGenerator;
        this.byeGenerator = b.byeGenerator;
        this.sso = b.sso;
        this.pingInterval = b.pingInterval;
        this.authTimeout = b.authTimeout;
        this.writeTimeout = b.writeTimeout;
        this.readTimeout = b.readTimeout;
        this.partialSendPolicy = b.partialSendPolicy;
        this.maxConnectionsPerUser = b.maxConnectionsPerUser;
        this.maxPendingFrames = b.maxPendingFrames;
        this.maxPendingSendsPerUser = b.maxPendingSendsPerUser;
        this.queue = b.queue;
        this.noQueue = b.noQueue;
        this.actorExecutor = b.actorExecutor;
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

    /** @return the ping payload generator; without one there are no server pings */
    public Optional<PingGenerator> pingGenerator() {
        return Optional.ofNullable(pingGenerator);
    }

    /** @return the bye payload generator for single sign-on */
    public Optional<ByeGenerator> byeGenerator() {
        return Optional.ofNullable(byeGenerator);
    }

    /** @return true if a new connection of a user closes the user's older connections */
    public boolean sso() {
        return sso;
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

    /** @return how long a connection may send nothing before it is closed; zero when off */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** @return what to do when writes to an online user fail */
    public PartialSendPolicy partialSendPolicy() {
        return partialSendPolicy;
    }

    /** @return the most connections one user may hold when sso is off */
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

    /** @return the queue set with {@link Builder#queue(Queue)}; empty means the default or none */
    public Optional<Queue> queue() {
        return Optional.ofNullable(queue);
    }

    /** @return true when offline caching is off ({@link Builder#noQueue()}) */
    public boolean noQueue() {
        return noQueue;
    }

    /** @return the executor running the actor and receive hook; empty means the hub's own pool */
    public Optional<Executor> actorExecutor() {
        return Optional.ofNullable(actorExecutor);
    }

    /** Builds a {@link HubConfig}. Not thread-safe. */
    public static final class Builder {
        private Actor actor;
        private Authenticator authenticator;
        private BeforeReceive beforeReceive;
        private BeforeSend beforeSend;
        private AfterSend afterSend;
        private CloseHook closeHook;
        private PingGenerator pingGenerator;
        private ByeGenerator byeGenerator;
        private boolean sso = true;
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration authTimeout = Duration.ofSeconds(5);
        private Duration writeTimeout = Duration.ofMinutes(1);
        private Duration readTimeout = Duration.ZERO;
        private PartialSendPolicy partialSendPolicy = PartialSendPolicy.CACHE_ON_ANY_FAILURE;
        private int maxConnectionsPerUser = 16;
        private int maxPendingFrames = 256;
        private int maxPendingSendsPerUser = 10_000;
        private Queue queue;
        private boolean noQueue;
        private Executor actorExecutor;

        private Builder() {
        }

        private Builder(HubConfig c) {
            actor = c.actor;
            authenticator = c.authenticator;
            beforeReceive = c.beforeReceive;
            beforeSend = c.beforeSend;
            afterSend = c.afterSend;
            closeHook = c.closeHook;
            pingGenerator = c.pingGenerator;
            byeGenerator = c.byeGenerator;
            sso = c.sso;
            pingInterval = c.pingInterval;
            authTimeout = c.authTimeout;
            writeTimeout = c.writeTimeout;
            readTimeout = c.readTimeout;
            partialSendPolicy = c.partialSendPolicy;
            maxConnectionsPerUser = c.maxConnectionsPerUser;
            maxPendingFrames = c.maxPendingFrames;
            maxPendingSendsPerUser = c.maxPendingSendsPerUser;
            queue = c.queue;
            noQueue = c.noQueue;
            actorExecutor = c.actorExecutor;
        }

        /**
         * Sets the handler of inbound frames (required).
         *
         * @param actor the handler of inbound frames (required)
         * @return this builder
         */
        public Builder actor(Actor actor) {
            this.actor = Objects.requireNonNull(actor, "actor");
            return this;
        }

        /**
         * Sets the authenticator for every transport.
         *
         * @param authenticator the authenticator for every transport
         * @return this builder
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Sets the inbound hook.
         *
         * @param hook the inbound hook
         * @return this builder
         */
        public Builder beforeReceive(BeforeReceive hook) {
            this.beforeReceive = Objects.requireNonNull(hook, "beforeReceive");
            return this;
        }

        /**
         * Sets the outbound hook.
         *
         * @param hook the outbound hook
         * @return this builder
         */
        public Builder beforeSend(BeforeSend hook) {
            this.beforeSend = Objects.requireNonNull(hook, "beforeSend");
            return this;
        }

        /**
         * Sets the after-write hook.
         *
         * @param hook the after-write hook
         * @return this builder
         */
        public Builder afterSend(AfterSend hook) {
            this.afterSend = Objects.requireNonNull(hook, "afterSend");
            return this;
        }

        /**
         * Sets the close hook.
         *
         * @param hook the close hook
         * @return this builder
         */
        public Builder closeHook(CloseHook hook) {
            this.closeHook = Objects.requireNonNull(hook, "closeHook");
            return this;
        }

        /**
         * Sets the ping payload generator; enables server pings.
         *
         * @param generator the ping payload generator; enables server pings
         * @return this builder
         */
        public Builder pingGenerator(PingGenerator generator) {
            this.pingGenerator = Objects.requireNonNull(generator, "pingGenerator");
            return this;
        }

        /**
         * Sets the single sign-on bye payload generator.
         *
         * @param generator the single sign-on bye payload generator
         * @return this builder
         */
        public Builder byeGenerator(ByeGenerator generator) {
            this.byeGenerator = Objects.requireNonNull(generator, "byeGenerator");
            return this;
        }

        /**
         * Sets whether a new connection closes the user's older ones (default true).
         *
         * @param sso whether a new connection closes the user's older ones (default true)
         * @return this builder
         */
        public Builder sso(boolean sso) {
            this.sso = sso;
            return this;
        }

        /**
         * Sets server ping interval, zero for none (default 30s).
         *
         * @param interval server ping interval, zero for none (default 30s)
         * @return this builder
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = Objects.requireNonNull(interval, "pingInterval");
            return this;
        }

        /**
         * Sets authentication deadline (default 5s).
         *
         * @param timeout authentication deadline (default 5s)
         * @return this builder
         */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = Objects.requireNonNull(timeout, "authTimeout");
            return this;
        }

        /**
         * Sets how long outbound data may stay unwritten (default 1m).
         *
         * @param timeout how long outbound data may stay unwritten (default 1m)
         * @return this builder
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = Objects.requireNonNull(timeout, "writeTimeout");
            return this;
        }

        /**
         * Sets how long a connection may stay silent, zero for no limit (default).
         *
         * @param timeout how long a connection may stay silent, zero for no limit (default)
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Objects.requireNonNull(timeout, "readTimeout");
            return this;
        }

        /**
         * Sets what to cache after failed writes (default CACHE_ON_ANY_FAILURE).
         *
         * @param policy what to cache after failed writes (default CACHE_ON_ANY_FAILURE)
         * @return this builder
         */
        public Builder partialSendPolicy(PartialSendPolicy policy) {
            this.partialSendPolicy = Objects.requireNonNull(policy, "partialSendPolicy");
            return this;
        }

        /**
         * Sets connections per user when sso is off (default 16).
         *
         * @param max connections per user when sso is off (default 16)
         * @return this builder
         */
        public Builder maxConnectionsPerUser(int max) {
            this.maxConnectionsPerUser = max;
            return this;
        }

        /**
         * Sets inbound frames waiting for the actor before reading pauses (default 256).
         *
         * @param max inbound frames waiting for the actor before reading pauses (default 256)
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
         * its own, so an actor may block. An actor that never blocks (it parses the frame and
         * calls {@link Hub#send}, which never blocks) may run on the transport's I/O thread with
         * {@code Runnable::run}: one thread hand-off less per inbound frame; frames of a
         * connection still reach it in order. An actor that blocks must not, as it would stall
         * every connection of that I/O thread.
         *
         * @param executor runs the actor and the receive hook; the hub does not shut it down
         * @return this builder
         */
        public Builder actorExecutor(Executor executor) {
            this.actorExecutor = Objects.requireNonNull(executor, "actorExecutor");
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
            readTimeout = s.duration("read-timeout", readTimeout);
            partialSendPolicy = s.enumValue("partial-send-policy", PartialSendPolicy.class, partialSendPolicy);
            maxConnectionsPerUser = s.integer("max-connections-per-user", maxConnectionsPerUser);
            maxPendingFrames = s.integer("max-pending-frames", maxPendingFrames);
            maxPendingSendsPerUser = s.integer("max-pending-sends-per-user", maxPendingSendsPerUser);
            return this;
        }

        /**
         * @return the configuration
         * @throws ConfigurationException naming the setting to change
         */
        public HubConfig build() {
            if (actor == null) {
                throw new ConfigurationException("actor is required: call HubConfig.builder().actor((device, payload) -> ...)");
            }
            requireNotNegative("pingInterval", pingInterval);
            requirePositive("authTimeout", authTimeout);
            requirePositive("writeTimeout", writeTimeout);
            requireNotNegative("readTimeout", readTimeout);
            boolean pingOn = pingGenerator != null && !pingInterval.isZero();
            if (!pingOn && readTimeout.isZero()) {
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
            return new HubConfig(this);
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
