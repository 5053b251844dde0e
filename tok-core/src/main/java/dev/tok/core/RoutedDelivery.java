package dev.tok.core;

import dev.tok.api.CloseReason;
import dev.tok.api.spi.RemoteWrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A send another node routed here: written to this node's connections of the user (of one
 * device), in the user's order — directly when the user's chain is idle, else as a task of the
 * chain, behind a login's drain — never queued, and reported per connection by its cluster id.
 * The other node decides about caching.
 */
final class RoutedDelivery implements SlotTask {
    private final CoreHub hub;
    private final UserSlot slot;
    private final byte[] payload;
    /** The targeted device id; null: every connection of the user. */
    private final String deviceId;
    final CompletableFuture<Map<String, RemoteWrite.Status>> result = new CompletableFuture<>();
    private HubConnection[] targets = UserSlot.NONE;

    RoutedDelivery(CoreHub hub, UserSlot slot, byte[] payload, String deviceId) {
        this.hub = hub;
        this.slot = slot;
        this.payload = payload;
        this.deviceId = deviceId;
    }

    /** Takes the connections to write to. Under the slot's monitor. */
    void take(HubConnection[] conns) {
        if (deviceId == null) {
            targets = conns;
            return;
        }
        List<HubConnection> out = new ArrayList<>(1);
        for (HubConnection c : conns) {
            if (c.device().deviceId().equals(deviceId)) {
                out.add(c);
            }
        }
        targets = out.toArray(UserSlot.NONE);
    }

    @Override
    public CompletionStage<Void> run() {
        synchronized (slot) {
            if (slot.drainQueued) {
                slot.runBehindDrain(this);
                return DONE;
            }
            take(slot.conns);
        }
        write();
        return DONE;
    }

    /** Writes to the connections taken; not under a monitor. */
    void write() {
        HubConnection[] conns = targets;
        if (conns.length == 0) {
            result.complete(Map.of());
            return;
        }
        Map<String, RemoteWrite.Status> out = new HashMap<>();
        CompletableFuture<?>[] writes = new CompletableFuture<?>[conns.length];
        for (int i = 0; i < conns.length; i++) {
            HubConnection c = conns[i];
            CompletableFuture<Void> w = new CompletableFuture<>();
            try {
                c.write(payload).whenComplete((v, e) -> {
                    if (e == null) {
                        w.complete(null);
                    } else {
                        w.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException e) {
                w.completeExceptionally(e);
            }
            writes[i] = w.orTimeout(hub.stalledWriteNanos, TimeUnit.NANOSECONDS).handle((v, e) -> {
                if (e instanceof TimeoutException) {
                    c.close(CloseReason.WRITE_TIMEOUT);
                }
                if (e == null) {
                    c.written(payload);
                }
                synchronized (out) {
                    out.put(c.clusterId, e == null ? RemoteWrite.Status.WRITTEN : RemoteWrite.Status.FAILED);
                }
                return null;
            });
        }
        CompletableFuture.allOf(writes).whenComplete((v, e) -> {
            synchronized (out) {
                result.complete(Map.copyOf(out));
            }
        });
    }

    @Override
    public void abort(Throwable reason) {
        result.complete(Map.of());
    }
}
