package dev.tok.core;

import dev.tok.api.QueueFullException;
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

    @Override
    public synchronized void enqueue(String uid, byte[] payload, Instant expiresAt) {
        ArrayDeque<QueuedMessage> q = byUser.computeIfAbsent(uid, k -> new ArrayDeque<>());
        if (q.size() >= maxPerUser) {
            throw new QueueFullException("user '" + uid + "' has " + maxPerUser + " queued messages");
        }
        q.addLast(new QueuedMessage(nextId++, payload, expiresAt));
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
