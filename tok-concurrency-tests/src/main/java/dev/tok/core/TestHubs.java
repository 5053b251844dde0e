package dev.tok.core;

import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hub configurations and user ids for the jcstress tests.
 *
 * <p>Why most tests share one hub: {@code new CoreHub(config)} builds a worker pool and a
 * scheduler, and every registration starts a drain on the worker, which starts a thread in a
 * fresh hub. jcstress makes many thousands of test instances per second, so one hub per
 * instance would measure thread start-up and flood the machine with threads. A test that only
 * looks at one user's state therefore shares a static hub and gives every instance a user id of
 * its own ({@link #uid}): instances cannot see each other's users. Only the tests whose
 * invariant is about the hub as a whole (its close, its online-connection metric) build a hub
 * per instance, and close it before the instance is done.
 */
final class TestHubs {
    private static final AtomicLong NEXT_ID = new AtomicLong();

    private TestHubs() {
    }

    /** @return a user id no other test instance in this JVM uses */
    static String uid(String prefix) {
        return prefix + NEXT_ID.incrementAndGet();
    }

    /**
     * A config that passes validation (a read timeout stands in for pings, so no ping timers
     * run) with a no-op actor and single sign-on off (it is on by default).
     */
    static HubConfig.Builder config() {
        return HubConfig.builder().actor((connection, payload) -> { }).readTimeout(Duration.ofMinutes(5)).sso(false);
    }

    /**
     * A queue that takes every message and never has any: enough for a send to an offline user
     * (or one whose write failed) to end {@code QUEUED}, and for a login's drain to find nothing.
     * Its ids increase (one counter for all users); it knows no device, so every cursor is 0.
     */
    static final class AcceptingQueue implements Queue {
        private final AtomicLong ids = new AtomicLong();

        @Override
        public long enqueue(String uid, byte[] payload, Instant expiresAt) {
            return ids.incrementAndGet();
        }

        @Override
        public List<QueuedMessage> peek(String uid, int max) {
            return List.of();
        }

        @Override
        public List<QueuedMessage> read(String uid, long afterId, int max) {
            return List.of();
        }

        @Override
        public long cursor(Device device) {
            return 0;
        }

        @Override
        public void acknowledge(Device device, long upToId) {
        }

        @Override
        public void acknowledge(String uid, long upToId) {
        }

        @Override
        public int size(String uid) {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
