package dev.tok.transport.tcp.internal;

import dev.tok.api.ConfigurationException;
import dev.tok.api.spi.Settings;
import dev.tok.transport.support.EdgeSettings;
import dev.tok.transport.support.ServerTls;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLException;

/**
 * The validated settings of one {@code tcp} transport. Every check runs in {@link #parse}, so a
 * mistake surfaces when the server is built, never when the first client connects.
 *
 * <p>Public only for its key constants, which the typed builder
 * {@link dev.tok.transport.tcp.TcpTransport.Settings} writes; this package is not exported.
 */
public final class TcpSettings {

    /** Setting key. */
    public static final String HOST = "host";
    /** Setting key. */
    public static final String PORT = "port";
    /** Setting key. */
    public static final String MAX_FRAME_LENGTH = "max-frame-length";
    /** Setting key. */
    public static final String AUTH_TIMEOUT = "auth-timeout";
    /** Setting key. */
    public static final String WRITE_TIMEOUT = "write-timeout";
    /** Setting key; one of the limits shared with the WebSocket transports ({@link EdgeSettings}). */
    public static final String MAX_CONNECTIONS = EdgeSettings.MAX_CONNECTIONS;
    /** Setting key. */
    public static final String HIGH_WATER_MARK = "high-water-mark";
    /** Setting key. */
    public static final String MAX_PENDING_BYTES = "max-pending-bytes";
    /** Setting key. */
    public static final String WORKER_THREADS = "worker-threads";
    /** Setting key. */
    public static final String NATIVE_TRANSPORT = "native-transport";
    /** Setting key. */
    public static final String SHUTDOWN_GRACE_PERIOD = "shutdown-grace-period";

    /**
     * Every key the transport understands: its own, the {@code tls-*} keys and the limits of
     * {@link EdgeSettings} shared by every built-in transport.
     */
    public static final Set<String> NAMES = names();

    static final String DEFAULT_HOST = "0.0.0.0";
    /** Go tok's limit: 4 MiB. */
    static final long DEFAULT_MAX_FRAME_LENGTH = 4L * 1024 * 1024;
    static final long DEFAULT_HIGH_WATER_MARK = 1024L * 1024;
    /** max-pending-bytes defaults to this many times the high-water mark. */
    static final int DEFAULT_PENDING_FACTOR = 64;
    static final Duration DEFAULT_SHUTDOWN_GRACE_PERIOD = Duration.ofSeconds(2);
    /** The largest payload a Java array can hold, less the length prefix. */
    static final long LARGEST_FRAME = Integer.MAX_VALUE - 8L;

    private final InetSocketAddress bindAddress;
    private final int maxFrameLength;
    private final Optional<Duration> authTimeout;
    private final Optional<Duration> writeTimeout;
    private final EdgeSettings edge;
    private final int highWaterMark;
    private final long maxPendingBytes;
    private final int workerThreads;
    private final boolean nativeTransport;
    private final Duration shutdownGracePeriod;
    private final Optional<SslContext> tls;
    private final String tlsDescription;

    private TcpSettings(Settings s) {
        String host = s.string(HOST, DEFAULT_HOST);
        String rawPort = s.string(PORT).orElseThrow(() -> new ConfigurationException("setting '" + PORT + "' for "
                + s.owner() + " is required: set it to a port number 1-65535, or 0 for an ephemeral port"));
        int port = s.integer(PORT, 0);
        if (port < 0 || port > 65535) {
            throw s.malformed(PORT, rawPort, "a port number 1-65535, or 0 for an ephemeral port");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw s.malformed(HOST, host, "an IP address or a resolvable host name to bind to, such as 0.0.0.0 or 127.0.0.1");
        }
        this.bindAddress = address;

        long frame = s.bytes(MAX_FRAME_LENGTH, DEFAULT_MAX_FRAME_LENGTH);
        if (frame < 1 || frame > LARGEST_FRAME) {
            throw s.malformed(MAX_FRAME_LENGTH, s.string(MAX_FRAME_LENGTH, ""), "a size from 1 to " + LARGEST_FRAME
                    + " bytes, such as 4MiB (Go tok's limit)");
        }
        this.maxFrameLength = (int) frame;

        this.authTimeout = positiveDuration(s, AUTH_TIMEOUT);
        this.writeTimeout = positiveDuration(s, WRITE_TIMEOUT);

        this.edge = EdgeSettings.parse(s, MAX_FRAME_LENGTH, maxFrameLength);

        long hwm = s.bytes(HIGH_WATER_MARK, DEFAULT_HIGH_WATER_MARK);
        if (hwm < 2 || hwm > Integer.MAX_VALUE) {
            throw s.malformed(HIGH_WATER_MARK, s.string(HIGH_WATER_MARK, ""), "a size from 2 bytes to 2GiB, such as 1MiB");
        }
        this.highWaterMark = (int) hwm;

        long pending = s.bytes(MAX_PENDING_BYTES, hwm * DEFAULT_PENDING_FACTOR);
        if (pending < hwm) {
            throw s.malformed(MAX_PENDING_BYTES, s.string(MAX_PENDING_BYTES, ""), "a size of at least " + HIGH_WATER_MARK
                    + " (" + hwm + " bytes); it caps what may wait for one connection");
        }
        this.maxPendingBytes = pending;

        int threads = s.integer(WORKER_THREADS, 0);
        if (threads < 0) {
            throw s.malformed(WORKER_THREADS, s.string(WORKER_THREADS, ""), "a number of I/O threads, or 0 for twice the CPU count");
        }
        this.workerThreads = threads;
        this.nativeTransport = s.bool(NATIVE_TRANSPORT, true);

        Duration grace = s.duration(SHUTDOWN_GRACE_PERIOD, DEFAULT_SHUTDOWN_GRACE_PERIOD);
        if (grace.isNegative()) {
            throw s.malformed(SHUTDOWN_GRACE_PERIOD, s.string(SHUTDOWN_GRACE_PERIOD, ""), "a duration of 0 or more, such as 2s");
        }
        this.shutdownGracePeriod = grace;

        Optional<ServerTls> t = ServerTls.from(s);
        this.tls = t.map(material -> nettyContext(s, material));
        this.tlsDescription = t.map(ServerTls::description).orElse("plain TCP");
    }

    private static Set<String> names() {
        Set<String> all = new TreeSet<>(Set.of(HOST, PORT, MAX_FRAME_LENGTH, AUTH_TIMEOUT, WRITE_TIMEOUT,
                HIGH_WATER_MARK, MAX_PENDING_BYTES, WORKER_THREADS, NATIVE_TRANSPORT, SHUTDOWN_GRACE_PERIOD));
        all.addAll(ServerTls.NAMES);
        all.addAll(EdgeSettings.NAMES);
        return Set.copyOf(all);
    }

    /** The Netty context over the JDK material; built here so that a failure surfaces with the settings. */
    private static SslContext nettyContext(Settings s, ServerTls material) {
        SslContextBuilder b = SslContextBuilder.forServer(material.keyManagerFactory()).sslProvider(SslProvider.JDK)
                .protocols(ServerTls.PROTOCOLS).clientAuth(ClientAuth.valueOf(material.clientAuth().name()));
        material.trustManagerFactory().ifPresent(b::trustManager);
        try {
            return b.build();
        } catch (SSLException e) {
            throw new ConfigurationException("the TLS settings for " + s.owner() + " (" + material.description()
                    + ") do not form a usable server context: " + e.getMessage(), e);
        }
    }

    /**
     * @param settings the raw settings; unknown keys were rejected already
     * @return the validated settings
     * @throws ConfigurationException naming the setting and the fix
     */
    static TcpSettings parse(Settings settings) {
        settings.requireKnown(NAMES);
        return new TcpSettings(settings);
    }

    private static Optional<Duration> positiveDuration(Settings s, String key) {
        if (s.string(key).isEmpty()) {
            return Optional.empty();
        }
        Duration d = s.duration(key, Duration.ZERO);
        if (d.isZero() || d.isNegative()) {
            throw s.malformed(key, s.string(key, ""), "a positive duration such as 5s, or no value to use the hub's");
        }
        return Optional.of(d);
    }

    InetSocketAddress bindAddress() {
        return bindAddress;
    }

    int maxFrameLength() {
        return maxFrameLength;
    }

    Optional<Duration> authTimeout() {
        return authTimeout;
    }

    Optional<Duration> writeTimeout() {
        return writeTimeout;
    }

    EdgeSettings edge() {
        return edge;
    }

    int highWaterMark() {
        return highWaterMark;
    }

    long maxPendingBytes() {
        return maxPendingBytes;
    }

    int workerThreads() {
        return workerThreads;
    }

    boolean nativeTransport() {
        return nativeTransport;
    }

    Duration shutdownGracePeriod() {
        return shutdownGracePeriod;
    }

    Optional<SslContext> tls() {
        return tls;
    }

    String tlsDescription() {
        return tlsDescription;
    }
}
