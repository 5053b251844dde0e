package dev.tok.tracing.otel;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small {@link Queue} for these tests: one list for every user, no expiry, no bound. It stands
 * in for tok-queue-memory, which has not been ported to the message-log contract on this branch
 * yet; swap it for {@code TokServer.Builder.queue("memory", ..)} once it has.
 */
final class ListQueue implements Queue {
    private record Entry(String uid, QueuedMessage message) {
    }

    private final List<Entry> entries = new ArrayList<>();
    /** Per device ({@code uid/deviceId}): the last id it acknowledged. */
    private final Map<String, Long> cursors = new HashMap<>();
    private long lastId;

    @Override
    public synchronized long enqueue(String uid, byte[] payload, Instant expiresAt) {
        entries.add(new Entry(uid, new QueuedMessage(++lastId, payload, expiresAt)));
        return lastId;
    }

    @Override
    public synchronized List<QueuedMessage> read(String uid, long afterId, int max) {
        return entries.stream().filter(e -> e.uid().equals(uid) && e.message().id() > afterId)
                .limit(max).map(Entry::message).toList();
    }

    @Override
    public List<QueuedMessage> peek(String uid, int max) {
        return read(uid, 0, max);
    }

    @Override
    public synchronized long cursor(Device device) {
        return cursors.getOrDefault(device.uid() + "/" + device.deviceId(), 0L);
    }

    @Override
    public synchronized void acknowledge(Device device, long upToId) {
        cursors.merge(device.uid() + "/" + device.deviceId(), upToId, Math::max); // keeps the log: the tests are short
    }

    @Override
    public synchronized void acknowledge(String uid, long upToId) {
        entries.removeIf(e -> e.uid().equals(uid) && e.message().id() <= upToId);
    }

    @Override
    public int size(String uid) {
        return read(uid, 0, Integer.MAX_VALUE).size();
    }

    @Override
    public void close() {
    }
}
