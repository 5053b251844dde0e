package dev.tok.core;

import dev.tok.api.PartialSendPolicy;
import dev.tok.api.QueuedMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a user's queued messages to the user's current connections, oldest first, in
 * batches: peek, write, and acknowledge only the leading messages whose writes succeeded. A
 * failed message keeps its place and its expiry; draining then stops until the next login.
 */
final class Drain implements SlotTask {
    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    static final int BATCH = 64;

    private final CoreHub hub;
    private final UserSlot slot;

    Drain(CoreHub hub, UserSlot slot) {
        this.hub = hub;
        this.slot = slot;
    }

    @Override
    public CompletionStage<Void> run() {
        HubConnection[] conns;
        synchronized (slot) {
            CompletableFuture<Void> quiet = slot.whenQuiet();
            if (quiet != null) {
                // A write to an older connection may still fail and be cached: wait for it, so
                // that it is delivered in its place.
                return quiet.thenComposeAsync(v -> run(), hub.worker);
            }
            conns = slot.conns;
        }
        if (conns.length == 0 || hub.queue == null) {
            return DONE;
        }
        List<QueuedMessage> batch;
        try {
            batch = hub.queue.peek(slot.uid, BATCH);
        } catch (RuntimeException e) {
            LOG.error("peek of the queue of user '{}' failed; its messages wait for the next login", slot.uid, e);
            return DONE;
        }
        if (batch.isEmpty()) {
            return DONE;
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<Boolean>[][] writes = new CompletableFuture[batch.size()][conns.length];
        for (int m = 0; m < batch.size(); m++) {
            byte[] payload = batch.get(m).payload();
            for (int c = 0; c < conns.length; c++) {
                HubConnection conn = conns[c];
                writes[m][c] = conn.write(payload).handle((v, e) -> {
                    if (e == null) {
                        conn.written(payload);
                        return true;
                    }
                    return false;
                }).toCompletableFuture();
            }
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[batch.size()];
        for (int m = 0; m < batch.size(); m++) {
            all[m] = CompletableFuture.allOf(writes[m]);
        }
        return CompletableFuture.allOf(all).thenComposeAsync(v -> acknowledge(batch, writes), hub.worker);
    }

    private CompletionStage<Void> acknowledge(List<QueuedMessage> batch, CompletableFuture<Boolean>[][] writes) {
        boolean requireAll = hub.config.partialSendPolicy() == PartialSendPolicy.CACHE_ON_ANY_FAILURE;
        int delivered = 0;
        for (CompletableFuture<Boolean>[] perConn : writes) {
            int ok = 0;
            for (CompletableFuture<Boolean> w : perConn) {
                if (w.join()) {
                    ok++;
                }
            }
            if (requireAll ? ok == perConn.length : ok > 0) {
                delivered++;
            } else {
                break;
            }
        }
        if (delivered > 0) {
            try {
                hub.queue.acknowledge(slot.uid, batch.get(delivered - 1).id());
                hub.metrics.dequeued.add(delivered);
            } catch (RuntimeException e) {
                LOG.error("acknowledging delivered messages of user '{}' failed; they may be delivered again", slot.uid, e);
                return DONE;
            }
        }
        if (delivered == batch.size()) {
            return run();
        }
        LOG.debug("draining the queue of user '{}' stopped after {} message(s): a write failed", slot.uid, delivered);
        return DONE;
    }

    @Override
    public void abort(Throwable reason) {
        // Nothing waits for a drain; undelivered messages stay queued.
    }
}
