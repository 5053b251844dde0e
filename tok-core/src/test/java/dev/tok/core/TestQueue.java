package dev.tok.core;

import dev.tok.api.QueueFullException;
import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** A small, real, bounded in-memory {@link Queue} for hub tests (tok-core may not depend on tok-queue-memory). */
final class TestQueue implements Queue {
    private final Map<String, ArrayDeque<QueuedMessage>> byUser = new HashMap<>();
    private final int maxPerUser;
    private long nextId = 1;
    final AtomicBoolean closed = new AtomicBoolean();

    TestQueue() {
        this(Integer.MAX_VALUE);
    }

    TestQueue(int maxPerUser) {
        this.maxPerUser = maxPerUser;
    }

    /** Device cursors per user: device id to the last acknowledged id. */
    private final Map<String, Map<String, Long>> cursors = new HashMap<>();

    @Override
    public synchronized long enqueue(String uid, byte[] payload, Instant expiresAt) {
        ArrayDeque<QueuedMessage> q = byUser.computeIfAbsent(uid, k -> new ArrayDeque<>());
        if (q.size() >= maxPerUser) {
            throw new QueueFullException("user '" + uid + "' has " + maxPerUser + " queued messages");
        }
        long id = nextId++;
        q.addLast(new QueuedMessage(id, payload, expiresAt));
        return id;
    }

    @Override
    public synchronized List<QueuedMessage> read(String uid, long afterId, int max) {
        List<QueuedMessage> out = new ArrayList<>();
        for (QueuedMessage m : peek(uid, Integer.MAX_VALUE)) {
            if (m.id() > afterId && out.size() < max) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public synchronized long cursor(Device device) {
        return cursors.computeIfAbsent(device.uid(), k -> new HashMap<>()).computeIfAbsent(device.deviceId(), k -> 0L);
    }

    @Override
    public synchronized void acknowledge(Device device, long upToId) {
        Map<String, Long> users = cursors.computeIfAbsent(device.uid(), k -> new HashMap<>());
        users.merge(device.deviceId(), upToId, Math::max);
        acknowledge(device.uid(), users.values().stream().mapToLong(Long::longValue).min().orElse(0));
    }

    @Override
    public synchronized List<QueuedMessage> peek(String uid, int max) {
        List<QueuedMessage> out = new ArrayList<>();
        ArrayDeque<QueuedMessage> q = byUser.get(uid);
        if (q == null) {
            return out;
        }
        Instant now = Instant.now();
        q.removeIf(m -> !m.expiresAt().isAfter(now));
        for (QueuedMessage m : q) {
            if (out.size() == max) {
                break;
            }
            out.add(m);
        }
        return out;
    }

    @Override
    public synchronized void acknowledge(String uid, long upToId) {
        ArrayDeque<QueuedMessage> q = byUser.get(uid);
        while (q != null && !q.isEmpty() && q.peekFirst().id() <= upToId) {
            q.pollFirst();
        }
    }

    @Override
    public synchronized int size(String uid) {
        return peek(uid, Integer.MAX_VALUE).size();
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
