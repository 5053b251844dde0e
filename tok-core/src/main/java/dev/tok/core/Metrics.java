package dev.tok.core;

import dev.tok.api.HubMetrics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The hub's counters: striped adders on the hot paths, atomics for the two gauges. */
final class Metrics implements HubMetrics {
    final AtomicLong onlineUsers = new AtomicLong();
    final AtomicLong onlineConnections = new AtomicLong();
    final LongAdder framesUp = new LongAdder();
    final LongAdder framesDown = new LongAdder();
    final LongAdder enqueued = new LongAdder();
    final LongAdder dequeued = new LongAdder();

    @Override
    public long onlineUsers() {
        return onlineUsers.get();
    }

    @Override
    public long onlineConnections() {
        return onlineConnections.get();
    }

    @Override
    public long framesUp() {
        return framesUp.sum();
    }

    @Override
    public long framesDown() {
        return framesDown.sum();
    }

    @Override
    public long enqueued() {
        return enqueued.sum();
    }

    @Override
    public long dequeued() {
        return dequeued.sum();
    }

    @Override
    public String toString() {
        return "HubMetrics[onlineUsers=" + onlineUsers() + ", onlineConnections=" + onlineConnections() + ", framesUp="
                + framesUp() + ", framesDown=" + framesDown() + ", enqueued=" + enqueued() + ", dequeued=" + dequeued() + "]";
    }
}
