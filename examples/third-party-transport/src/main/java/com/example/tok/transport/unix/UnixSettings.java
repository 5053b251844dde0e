package com.example.tok.transport.unix;

import dev.tok.api.ConfigurationException;
import dev.tok.api.HubConfig;
import dev.tok.api.spi.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** The validated settings of one {@code unix} transport. Immutable. */
final class UnixSettings {

    static final Set<String> NAMES = Set.of("path", "max-frame-length", "high-water-mark", "max-pending-bytes", "write-timeout", "auth-timeout",
            "max-connections", "shutdown-grace-period");

    /** Longest socket path Linux accepts (sun_path is 108 bytes with the terminating zero). */
    private static final int MAX_PATH_BYTES = 107;

    final Path path;
    final int maxFrameLength;
    final long highWaterMark;
    final long maxPendingBytes;
    private final Duration writeTimeout;
    private final Duration authTimeout;
    final int maxConnections;
    final Duration shutdownGracePeriod;

    private UnixSettings(Settings s) {
        path = s.path("path").map(Path::toAbsolutePath).orElseThrow(() -> new ConfigurationException(
                "setting 'path' for " + s.owner() + " is required: the socket file to create, such as /run/tok/tok.sock"));
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw s.malformed("path", path.toString(), "a path of at most " + MAX_PATH_BYTES + " bytes (a Unix socket limit)");
        }
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw s.malformed("path", path.toString(), "a file in an existing directory");
        }
        long max = s.bytes("max-frame-length", 4L * 1024 * 1024);
        if (max < 1 || max > Integer.MAX_VALUE - 8) {
            throw s.malformed("max-frame-length", s.string("max-frame-length", ""), "a size from 1 to 2147483639 bytes");
        }
        maxFrameLength = (int) max;
        highWaterMark = s.bytes("high-water-mark", 1024 * 1024);
        if (highWaterMark < 1) {
            throw s.malformed("high-water-mark", s.string("high-water-mark", ""), "a positive size such as 1MiB");
        }
        maxPendingBytes = s.bytes("max-pending-bytes", Math.multiplyExact(highWaterMark, 64L));
        if (maxPendingBytes < highWaterMark) {
            throw s.malformed("max-pending-bytes", s.string("max-pending-bytes", ""), "a size of at least high-water-mark ("
                    + highWaterMark + " bytes)");
        }
        writeTimeout = positive(s, "write-timeout");
        authTimeout = positive(s, "auth-timeout");
        maxConnections = s.integer("max-connections", 10_000);
        if (maxConnections < 1) {
            throw s.malformed("max-connections", String.valueOf(maxConnections), "a positive number");
        }
        shutdownGracePeriod = s.duration("shutdown-grace-period", Duration.ofSeconds(2));
        if (shutdownGracePeriod.isNegative()) {
            throw s.malformed("shutdown-grace-period", s.string("shutdown-grace-period", ""), "a duration of 0 or more");
        }
    }

    private static Duration positive(Settings s, String key) {
        Duration d = s.duration(key, null);
        if (d != null && (d.isZero() || d.isNegative())) {
            throw s.malformed(key, s.string(key, ""), "a positive duration such as 5s");
        }
        return d;
    }

    static UnixSettings from(Settings s) {
        return new UnixSettings(s);
    }

    /** @return the write timeout: the setting, else the hub's */
    Duration writeTimeout(HubConfig hub) {
        return Optional.ofNullable(writeTimeout).orElse(hub.writeTimeout());
    }

    /** @return the auth timeout: the setting, else the hub's */
    Duration authTimeout(HubConfig hub) {
        return Optional.ofNullable(authTimeout).orElse(hub.authTimeout());
    }
}
