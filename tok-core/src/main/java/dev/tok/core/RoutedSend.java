package dev.tok.core;

import dev.tok.api.CacheFailedException;
import dev.tok.api.CloseReason;
import dev.tok.api.Delivery;
import dev.tok.api.DeliveryFailedException;
import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.OfflineException;
import dev.tok.api.QueueRequiredException;
import dev.tok.api.SendOutcome;
import dev.tok.api.SendResult;
import dev.tok.api.TokException;
import dev.tok.api.spi.ClusterConnection;
import dev.tok.api.spi.ClusterSend;
import dev.tok.api.spi.RemoteWrite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A send to a user who may have connections on other nodes (or whose presence elsewhere is not
 * cached): a task of the user's chain that looks the user's remote connections up, writes to this
 * node's connections and routes the message to the other nodes, waits for every outcome, and then
 * decides as a single-node send does: the {@link dev.tok.api.PartialSendPolicy} and the queue
 * for failed writes (a node that did not answer counts as failed for its connections), the queue
 * for a user offline everywhere (ttl &gt; 0), {@link OfflineException} for ttl 0.
 *
 * <p>The chain waits for the whole send, so the user's sends are routed one at a time, in send
 * order: guarantee 1 holds across nodes (the engine hands sends to one node over in call order,
 * and that node writes them in arrival order), and failed messages enter the queue in send order.
 * The price is one round trip per send to a user with remote connections, paid per user: sends to
 * different users overlap.
 */
final class RoutedSend implements SlotTask {
    private final CoreHub hub;
    private final UserSlot slot;
    private final byte[] payload;
    /** When a queued copy expires (epoch millis); 0 for a zero ttl: never queued. */
    private final long expiresAtMillis;
    /** The targeted device; null: every connection of the user. */
    private final Device only;
    private final long startNanos;
    /** The tracer's token; null when the send is not traced. */
    private final Object trace;
    final CompletableFuture<SendResult> result = new CompletableFuture<>();

    RoutedSend(CoreHub hub, UserSlot slot, byte[] payload, long expiresAtMillis, Device only, long startNanos, Object trace) {
        this.hub = hub;
        this.slot = slot;
        this.payload = payload;
        this.expiresAtMillis = expiresAtMillis;
        this.only = only;
        this.startNanos = startNanos;
        this.trace = trace;
    }

    @Override
    public CompletionStage<Void> run() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        hub.cluster.routing.add(this);
        CompletableFuture<List<ClusterConnection>> lookup = hub.cluster.lookup(slot.uid);
        if (lookup.isDone()) {
            proceed(lookup, done); // cached: on with it in this worker thread
        } else {
            // off the engine's I/O thread: the writes, the route and the queue run on a hub worker.
            // (Not whenCompleteAsync: its stage fails with the lookup's failure as well, which is
            // no reason to fail the send: proceed delivers to this node's connections then.)
            lookup.whenComplete((remote, e) -> {
                try {
                    hub.worker.execute(() -> proceed(lookup, done));
                } catch (RejectedExecutionException refused) { // the hub is closing
                    fail(new HubClosedException());
                    done.complete(null);
                }
            });
        }
        return done;
    }

    private void proceed(CompletableFuture<List<ClusterConnection>> lookup, CompletableFuture<Void> done) {
        List<ClusterConnection> remote = null;
        Throwable failure = null;
        try {
            remote = lookup.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            failure = e.getCause() == null ? e : e.getCause();
        }
        try {
            afterLookup(remote, failure, done);
        } catch (RuntimeException | Error t) {
            fail(t);
            done.complete(null);
        }
    }

    private void afterLookup(List<ClusterConnection> remote, Throwable lookupFailure, CompletableFuture<Void> done) {
        HubConnection[] local;
        synchronized (slot) {
            if (slot.drainQueued) {
                // a login on this node while the lookup ran: its queued messages go first
                slot.runBehindDrain(this);
                local = null;
            } else {
                local = select(slot.conns);
            }
        }
        if (local == null) {
            done.complete(null);
            return;
        }
        List<ClusterConnection> targets = lookupFailure != null ? List.of() : targets(remote);
        if (local.length == 0 && targets.isEmpty()) {
            if (lookupFailure != null && expiresAtMillis == 0) {
                settle(done, () -> fail(new TokException("user '" + slot.uid + "' has no connection on node " + hub.cluster.nodeId
                        + " and the cluster could not be asked for others: " + ClusterLink.unwrap(lookupFailure),
                        ClusterLink.unwrap(lookupFailure))));
            } else if (expiresAtMillis == 0) {
                settle(done, () -> fail(only == null ? new OfflineException(slot.uid) : new OfflineException(only)));
            } else {
                enqueueWhenQuiet(List.of(), done);
            }
            return;
        }
        CompletableFuture<List<RemoteWrite>> routed;
        if (targets.isEmpty()) {
            routed = CompletableFuture.completedFuture(List.of());
        } else {
            ClusterSend send = only == null ? ClusterSend.toUser(slot.uid, payload)
                    : ClusterSend.toDevice(slot.uid, only.deviceId(), payload);
            try {
                routed = hub.cluster.cluster.route(send, targets).toCompletableFuture();
            } catch (RuntimeException e) {
                routed = CompletableFuture.failedFuture(e);
            }
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>(local.length);
        for (HubConnection c : local) {
            writes.add(write(c));
        }
        CompletableFuture<List<RemoteWrite>> remoteOutcomes = routed;
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                .thenCombine(remoteOutcomes.handle((list, e) -> e == null ? list : noAnswer(targets)), (v, list) -> list)
                .whenCompleteAsync((list, e) -> {
                    // on a hub worker, not the engine's or a transport's I/O thread: the queue may block
                    try {
                        settle(local, writes, list, targets, done);
                    } catch (RuntimeException | Error t) {
                        fail(t);
                        done.complete(null);
                    }
                }, hub.worker).whenComplete((v, e) -> {
                    if (e != null) { // the worker refused: the hub is closing
                        fail(new HubClosedException());
                        done.complete(null);
                    }
                });
    }

    /** Writes to one local connection; a write its transport does not complete in time fails it and closes the connection. */
    private CompletableFuture<Void> write(HubConnection c) {
        CompletableFuture<Void> w;
        Object t = trace;
        try {
            w = (t == null ? c.write(payload) : hub.tracing.write(t, c, () -> c.write(payload))).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> bounded = new CompletableFuture<>();
        w.whenComplete((v, e) -> {
            if (e == null) {
                bounded.complete(null);
            } else {
                bounded.completeExceptionally(e);
            }
        });
        bounded.orTimeout(hub.stalledWriteNanos, TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
            if (e instanceof TimeoutException) {
                c.close(CloseReason.WRITE_TIMEOUT);
            }
        });
        return bounded;
    }

    private HubConnection[] select(HubConnection[] conns) {
        if (only == null || conns.length == 0) {
            return conns;
        }
        List<HubConnection> out = new ArrayList<>(1);
        for (HubConnection c : conns) {
            if (c.device().deviceId().equals(only.deviceId())) {
                out.add(c);
            }
        }
        return out.toArray(new HubConnection[0]);
    }

    private List<ClusterConnection> targets(List<ClusterConnection> remote) {
        if (only == null) {
            return remote;
        }
        List<ClusterConnection> out = new ArrayList<>(1);
        for (ClusterConnection c : remote) {
            if (c.deviceId().equals(only.deviceId())) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<RemoteWrite> noAnswer(List<ClusterConnection> targets) {
        List<RemoteWrite> out = new ArrayList<>(targets.size());
        for (ClusterConnection c : targets) {
            out.add(new RemoteWrite(c.nodeId(), c.connectionId(), RemoteWrite.Status.NO_ANSWER));
        }
        return out;
    }

    /** Every write settled: the deliveries, then the policy's decision. */
    private void settle(HubConnection[] local, List<CompletableFuture<Void>> writes, List<RemoteWrite> remote,
            List<ClusterConnection> targets, CompletableFuture<Void> done) {
        List<Delivery> deliveries = new ArrayList<>(local.length + remote.size());
        int failed = 0;
        for (int i = 0; i < local.length; i++) {
            CompletableFuture<Void> w = writes.get(i);
            Throwable failure = w.isCompletedExceptionally() ? ClusterLink.unwrap(w.handle((v, e) -> e).join()) : null;
            if (failure == null) {
                local[i].written(payload);
                deliveries.add(local[i].delivered());
            } else {
                failed++;
                deliveries.add(new Delivery(local[i].device(), local[i].transport, Optional.of(failure)));
            }
        }
        Map<String, String> devices = new HashMap<>();
        for (ClusterConnection c : targets) {
            devices.put(c.nodeId() + '|' + c.connectionId(), c.deviceId());
        }
        boolean stale = false;
        for (RemoteWrite w : remote) {
            String device = devices.get(w.nodeId() + '|' + w.connectionId());
            if (device == null) {
                stale = true; // a connection the cache did not know
                device = only != null ? only.deviceId() : "?";
            }
            Optional<Throwable> failure = switch (w.status()) {
                case WRITTEN -> Optional.empty();
                case FAILED -> Optional.of(new TokException("the write to connection " + w.connectionId() + " failed on node "
                        + w.nodeId()));
                case NO_ANSWER -> Optional.of(new TokException("node " + w.nodeId() + " did not answer within the route timeout"));
            };
            if (failure.isPresent()) {
                failed++;
                stale = true;
            }
            deliveries.add(new Delivery(new Device(slot.uid, device, Map.of()), "@" + w.nodeId(), failure));
        }
        if (stale || remote.size() < targets.size()) {
            hub.cluster.forget(slot.uid);
        }
        int total = deliveries.size();
        if (total == 0) {
            // the remote connections were gone before the send reached them
            if (expiresAtMillis == 0) {
                settle(done, () -> fail(only == null ? new OfflineException(slot.uid) : new OfflineException(only)));
            } else {
                enqueueWhenQuiet(deliveries, done);
            }
            return;
        }
        boolean cache = failed > 0 && expiresAtMillis != 0 && switch (hub.config.partialSendPolicy()) {
            case CACHE_ON_ANY_FAILURE -> true;
            case CACHE_WHEN_ALL_FAILED -> failed == total;
            case NEVER_CACHE -> false;
        };
        if (cache) {
            enqueueWhenQuiet(deliveries, done);
            return;
        }
        int failedWrites = failed;
        settle(done, () -> {
            if (failedWrites == 0) {
                succeed(new SendResult(SendResult.Status.DELIVERED, deliveries, false));
            } else {
                SendResult r = new SendResult(SendResult.Status.PARTIALLY_DELIVERED, deliveries, false);
                if (failedWrites == total) {
                    fail(new DeliveryFailedException(slot.uid, r));
                } else {
                    succeed(r);
                }
            }
        });
    }

    /** Queues the message once no earlier send of the user may still be cached, so the queue keeps send order. */
    private void enqueueWhenQuiet(List<Delivery> deliveries, CompletableFuture<Void> done) {
        CompletableFuture<Void> quiet;
        synchronized (slot) {
            quiet = slot.whenQuiet();
        }
        if (quiet != null) {
            quiet.whenCompleteAsync((v, e) -> enqueue(deliveries, done), hub.worker).whenComplete((v, e) -> {
                if (e != null) { // the worker refused: the hub is closing
                    fail(new CacheFailedException(slot.uid, new HubClosedException()));
                    done.complete(null);
                }
            });
            return;
        }
        enqueue(deliveries, done);
    }

    private void enqueue(List<Delivery> deliveries, CompletableFuture<Void> done) {
        Throwable failure = null;
        if (hub.queue == null) {
            failure = new CacheFailedException(slot.uid, new QueueRequiredException());
        } else {
            try {
                Tracing.enqueue(hub, trace, slot.uid, payload, Instant.ofEpochMilli(expiresAtMillis));
                hub.metrics.enqueued.increment();
                if (hub.observers != null) {
                    hub.observers.enqueued();
                }
            } catch (RuntimeException e) {
                failure = new CacheFailedException(slot.uid, e);
            }
        }
        Throwable refused = failure;
        settle(done, () -> {
            if (refused == null) {
                succeed(new SendResult(SendResult.Status.QUEUED, deliveries, true));
            } else {
                long written = deliveries.stream().filter(Delivery::succeeded).count();
                if (written > 0) {
                    succeed(new SendResult(SendResult.Status.PARTIALLY_DELIVERED, deliveries, false));
                } else {
                    fail(refused);
                }
            }
        });
    }

    /** Lets the chain go on, then completes the send's stage (its dependent actions may send to this user again). */
    private void settle(CompletableFuture<Void> done, Runnable complete) {
        hub.cluster.routing.remove(this);
        done.complete(null);
        complete.run();
    }

    private void succeed(SendResult r) {
        if (!result.isDone()) {
            outcome(SendOutcome.of(r.status()), null);
        }
        result.complete(r);
    }

    private void fail(Throwable failure) {
        hub.cluster.routing.remove(this);
        if (!result.isDone()) {
            outcome(SendOutcome.of(failure), failure);
        }
        result.completeExceptionally(failure);
    }

    private void outcome(SendOutcome outcome, Throwable failure) {
        if (hub.observers != null) {
            hub.observers.sendCompleted(outcome, startNanos);
        }
        if (trace != null) {
            hub.tracing.sendFinished(trace, outcome, failure);
        }
    }

    @Override
    public void abort(Throwable reason) {
        fail(reason);
    }

    /** The hub closed before the send settled. */
    void closed() {
        fail(new HubClosedException());
    }
}
