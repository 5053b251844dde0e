package dev.tok.core;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubObserver;
import dev.tok.api.SendOutcome;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured {@link HubObserver}s as one: calls each in turn and logs and ignores what one
 * throws (the first failure of each observer at ERROR with its stack trace, later ones at DEBUG,
 * so a broken observer cannot flood the log from the hot path). The hub holds null instead of
 * an instance when there is no observer, so the hot paths pay one null check.
 */
final class Observers {
    private static final Logger LOG = LoggerFactory.getLogger(Observers.class);

    private final HubObserver[] observers;
    /** Per observer: it failed once already. Racy on purpose: at worst two ERROR lines. */
    private final boolean[] failedBefore;

    private Observers(List<HubObserver> observers) {
        this.observers = observers.toArray(new HubObserver[0]);
        this.failedBefore = new boolean[this.observers.length];
    }

    /** @return the observers as one, or null when there are none */
    static Observers of(List<HubObserver> observers) {
        return observers.isEmpty() ? null : new Observers(observers);
    }

    private void failed(int i, String event, RuntimeException e) {
        if (!failedBefore[i]) {
            failedBefore[i] = true;
            LOG.error("HubObserver {} failed in {}; ignored (later failures of it are logged at DEBUG)", observers[i], event, e);
        } else {
            LOG.debug("HubObserver {} failed in {}; ignored", observers[i], event, e);
        }
    }

    void connectionOpened(Device device, String transport, boolean userOnline) {
        for (int i = 0; i < observers.length; i++) {
            try {
                observers[i].connectionOpened(device, transport);
            } catch (RuntimeException e) {
                failed(i, "connectionOpened", e);
            }
            if (userOnline) {
                try {
                    observers[i].userOnline();
                } catch (RuntimeException e) {
                    failed(i, "userOnline", e);
                }
            }
        }
    }

    void connectionClosed(Device device, String transport, CloseReason reason, boolean userOffline) {
        for (int i = 0; i < observers.length; i++) {
            try {
                if (userOffline) {
                    observers[i].userOffline();
                }
            } catch (RuntimeException e) {
                failed(i, "userOffline", e);
            }
            try {
                observers[i].connectionClosed(device, transport, reason);
            } catch (RuntimeException e) {
                failed(i, "connectionClosed", e);
            }
        }
    }

    void frameReceived(String transport, int bytes) {
        for (int i = 0; i < observers.length; i++) {
            try {
                observers[i].frameReceived(transport, bytes);
            } catch (RuntimeException e) {
                failed(i, "frameReceived", e);
            }
        }
    }

    void frameWritten(String transport, int bytes) {
        for (int i = 0; i < observers.length; i++) {
            try {
                observers[i].frameWritten(transport, bytes);
            } catch (RuntimeException e) {
                failed(i, "frameWritten", e);
            }
        }
    }

    void sendCompleted(SendOutcome outcome, long startNanos) {
        sendCompletedAfter(outcome, System.nanoTime() - startNanos);
    }

    void sendCompletedAfter(SendOutcome outcome, long nanos) {
        for (int i = 0; i < observers.length; i++) {
            try {
                observers[i].sendCompleted(outcome, nanos);
            } catch (RuntimeException e) {
                failed(i, "sendCompleted", e);
            }
        }
    }

    void enqueued() {
        for (int i = 0; i < observers.length; i++) {
            try {
                observers[i].enqueued();
            } catch (RuntimeException e) {
                failed(i, "enqueued", e);
            }
        }
    }

    void dequeued(int count) {
        for (int i = 0; i < observers.length; i++) {
            try {
                observers[i].dequeued(count);
            } catch (RuntimeException e) {
                failed(i, "dequeued", e);
            }
        }
    }
}
