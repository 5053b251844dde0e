package dev.tok.core;

import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device acknowledged messages through one of its connections: stores its cursor in the queue
 * (which drops what every device of the user has confirmed), frees that connection's in-flight
 * window, tells the {@code AcknowledgeHook}, and writes what waited behind the window. Runs in
 * the user's chain.
 */
final class LogAck implements SlotTask {
    private static final Logger LOG = LoggerFactory.getLogger(LogAck.class);

    private final UserSlot slot;
    private final HubConnection conn;
    private final long upToId;

    LogAck(UserSlot slot, HubConnection conn, long upToId) {
        this.slot = slot;
        this.conn = conn;
        this.upToId = upToId;
    }

    @Override
    public CompletionStage<Void> run() {
        LogCursor c = conn.logCursor;
        long upTo = Math.min(upToId, c.sentUpTo); // a device cannot confirm what it was not given
        if (!c.resumed() || upTo <= c.ackedUpTo) {
            return DONE;
        }
        CoreHub hub = slot.hub;
        try {
            hub.queue.acknowledge(conn.device(), upTo);
        } catch (RuntimeException e) {
            LOG.error("storing the cursor of {} at {} failed; those messages may be written to it again",
                    conn.device(), upTo, e);
            return DONE;
        }
        c.acknowledged(upTo);
        if (hub.acknowledgeHook != null) {
            try {
                hub.acknowledgeHook.acknowledged(conn.device(), upTo);
            } catch (RuntimeException e) {
                LOG.error("AcknowledgeHook failed for {}", conn.device(), e);
            }
        }
        if (c.behind && !conn.isClosed()) {
            c.catchUp(hub, slot.uid);
        }
        return DONE;
    }

    @Override
    public void abort(Throwable reason) {
        // The device acknowledges again on its next connection.
    }
}
