package dev.tok.core;

import dev.tok.api.AttributeKey;
import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionContext;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.SendResult;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The application's view of one {@link HubConnection}: one per connection, made with it. A
 * separate object, so that a cast cannot reach the SPI's {@code Connection} (whose
 * {@code onFrame} would inject frames). Attributes live in a map made on first use, so that a
 * connection whose application sets none pays nothing for them.
 */
final class ConnectionView implements ConnectionContext {
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ConnectionView, ConcurrentHashMap> ATTRIBUTES =
            AtomicReferenceFieldUpdater.newUpdater(ConnectionView.class, ConcurrentHashMap.class, "attributes");

    private final HubConnection connection;
    /** {@link #connectedAt()} as its two fields: 16 bytes less per connection than an {@code Instant}. */
    private final long connectedAtSecond;
    private final int connectedAtNano;
    private volatile ConcurrentHashMap<AttributeKey<?>, Object> attributes;

    ConnectionView(HubConnection connection) {
        this.connection = connection;
        Instant now = Instant.now(); // scalar-replaced: not kept
        this.connectedAtSecond = now.getEpochSecond();
        this.connectedAtNano = now.getNano();
    }

    @Override
    public Device device() {
        return connection.device();
    }

    @Override
    public Hub hub() {
        return connection.hub();
    }

    @Override
    public String transport() {
        return connection.adapter.transport();
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.adapter.remoteAddress();
    }

    @Override
    public Instant connectedAt() {
        return Instant.ofEpochSecond(connectedAtSecond, connectedAtNano);
    }

    @Override
    public boolean isOpen() {
        return !connection.isClosed();
    }

    @Override
    public CompletionStage<SendResult> reply(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        return connection.hub().reply(connection, payload);
    }

    @Override
    public void acknowledge(long upToId) {
        connection.hub().acknowledge(connection, upToId);
    }

    @Override
    public CompletionStage<SendResult> sendOnce(String clientId, String uid, byte[] payload, Duration ttl) {
        return connection.hub().clientIds.sendOnce(connection.device(), clientId, uid, payload, ttl);
    }

    @Override
    public void close(CloseReason reason) {
        connection.close(Objects.requireNonNull(reason, "reason"), true);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<T> attribute(AttributeKey<T> key) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<AttributeKey<?>, Object> map = attributes;
        return map == null ? Optional.empty() : Optional.ofNullable((T) map.get(key));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<T> setAttribute(AttributeKey<T> key, T value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return Optional.ofNullable((T) attributes().put(key, value));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<T> removeAttribute(AttributeKey<T> key) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<AttributeKey<?>, Object> map = attributes;
        return map == null ? Optional.empty() : Optional.ofNullable((T) map.remove(key));
    }

    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<AttributeKey<?>, Object> attributes() {
        ConcurrentHashMap<AttributeKey<?>, Object> map = attributes;
        if (map == null) {
            ATTRIBUTES.compareAndSet(this, null, new ConcurrentHashMap<>(4));
            map = attributes;
        }
        return map;
    }

    @Override
    public String toString() {
        return "ConnectionContext[" + connection.device() + " over " + transport() + " from " + remoteAddress() + "]";
    }
}
