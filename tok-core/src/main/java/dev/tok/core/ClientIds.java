package dev.tok.core;

import dev.tok.api.Device;
import dev.tok.api.SendResult;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client ids each device sent recently ({@code ConnectionContext.sendOnce}): a repeat within
 * the window gets the first send's stage instead of a second send. Per device an insertion-ordered
 * map bounded to {@code maxPerDevice} entries (the oldest go first) and to the window (entries
 * older than it are dropped when the device sends again); devices idle for the window are dropped
 * by {@link #expire}, which the hub's sweep calls.
 */
final class ClientIds {
    private final CoreHub hub;
    private final long windowNanos;
    private final int maxPerDevice;
    private final ConcurrentHashMap<Device, DeviceIds> devices = new ConcurrentHashMap<>();

    ClientIds(CoreHub hub, Duration window, int maxPerDevice) {
        this.hub = hub;
        this.windowNanos = window.toNanos();
        this.maxPerDevice = maxPerDevice;
    }

    /** One device's recent client ids; guarded by its monitor. */
    private static final class DeviceIds {
        final LinkedHashMap<String, Entry> ids = new LinkedHashMap<>();
        long lastUsedNanos;
        /** Removed from the map by {@link #expire}: a caller holding it must look up again. */
        boolean dropped;
    }

    private record Entry(CompletableFuture<SendResult> stage, long atNanos) {
    }

    CompletionStage<SendResult> sendOnce(Device device, String clientId, String uid, byte[] payload, Duration ttl) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(ttl, "ttl");
        CompletableFuture<SendResult> mine = new CompletableFuture<>();
        DeviceIds ids;
        while (true) {
            ids = devices.computeIfAbsent(device, d -> new DeviceIds());
            long now = System.nanoTime();
            synchronized (ids) {
                if (ids.dropped) {
                    continue;
                }
                ids.lastUsedNanos = now;
                dropOld(ids, now);
                Entry prior = ids.ids.get(clientId);
                if (prior != null) {
                    return prior.stage; // a repeat: answered like the first, delivered once
                }
                ids.ids.put(clientId, new Entry(mine, now));
                if (ids.ids.size() > maxPerDevice) {
                    Iterator<Entry> oldest = ids.ids.values().iterator();
                    oldest.next();
                    oldest.remove();
                }
                break;
            }
        }
        DeviceIds remembered = ids;
        CompletionStage<SendResult> send;
        try {
            send = hub.send(uid, payload, ttl);
        } catch (RuntimeException e) {
            forget(remembered, clientId, mine);
            throw e;
        }
        send.whenComplete((r, e) -> {
            if (e != null) {
                forget(remembered, clientId, mine); // a failed send is not remembered: a repeat tries again
                mine.completeExceptionally(e);
            } else {
                mine.complete(r);
            }
        });
        return mine;
    }

    private static void forget(DeviceIds ids, String clientId, CompletableFuture<SendResult> mine) {
        synchronized (ids) {
            Entry e = ids.ids.get(clientId);
            if (e != null && e.stage == mine) {
                ids.ids.remove(clientId);
            }
        }
    }

    private void dropOld(DeviceIds ids, long now) {
        Iterator<Entry> it = ids.ids.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().atNanos <= windowNanos) {
                return; // insertion order: the rest are younger
            }
            it.remove();
        }
    }

    /** Drops the devices that sent nothing for the window. On the hub's sweep thread. */
    void expire() {
        long now = System.nanoTime();
        for (Map.Entry<Device, DeviceIds> e : devices.entrySet()) {
            DeviceIds ids = e.getValue();
            synchronized (ids) {
                if (now - ids.lastUsedNanos > windowNanos) {
                    ids.dropped = true;
                    devices.remove(e.getKey(), ids);
                }
            }
        }
    }

    /** @return devices with remembered client ids; for tests */
    int devices() {
        return devices.size();
    }
}
