package dev.tok.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Connects users and confirms each is registered: the connection sends itself a message with
 * ttl 0 ({@code body {"t":-1}}) and counts as online once that message comes back.
 */
final class Users {
    static final byte[] PONG = "{\"type\":\"pong\"}".getBytes(StandardCharsets.US_ASCII);
    /** At-least-once targets: a client acknowledges every this many messages, as a batching client would. */
    static final int ACK_EVERY = 32;

    private Users() {
    }

    /** Dispatches confirmations and answers pings; hands everything else to the scenario. */
    static final class Dispatch implements Client.Listener {
        private static final ThreadLocal<Frames.In> IN = ThreadLocal.withInitial(Frames.In::new);
        final ConcurrentHashMap<Client.Conn, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
        final AtomicInteger closed = new AtomicInteger();
        volatile Handler handler = (c, in, at) -> { };

        interface Handler {
            void on(Client.Conn conn, Frames.In in, long arrivalNanos);
        }

        @Override
        public void onFrame(Client.Conn conn, byte[] payload, long arrivalNanos) {
            Frames.In in = IN.get();
            if (!Frames.parse(payload, in)) {
                in.r.type = "unparsable";
            }
            if (in.is("msg") && in.t == -1) {
                CompletableFuture<Void> f = pending.remove(conn);
                if (f != null) {
                    f.complete(null);
                }
                return;
            }
            if (in.is("ping")) {
                conn.send(PONG);
                return;
            }
            if (in.is("msg") && ++conn.unacknowledged >= ACK_EVERY) {
                conn.unacknowledged = 0;
                long id = Frames.messageId(payload);
                if (id > 0) { // at-least-once: {"type":"msg","id":N,...}
                    conn.send(Frames.received(id));
                }
            }
            handler.on(conn, in, arrivalNanos);
        }

        @Override
        public void onClose(Client.Conn conn) {
            closed.incrementAndGet();
            CompletableFuture<Void> f = pending.remove(conn);
            if (f != null) {
                f.completeExceptionally(new IllegalStateException("connection of " + conn.token + " closed"));
            }
        }
    }

    /**
     * Connects {@code tokens.length} users, at most {@code inFlight} logins at a time; with a
     * client of several nodes, user i to node {@code i % client.nodes()}.
     *
     * @return the connections, index-aligned with the tokens
     * @throws IllegalStateException naming how many made it, when one fails
     */
    static Client.Conn[] connect(Client client, String[] tokens, Dispatch dispatch, int inFlight, int timeoutSeconds)
            throws InterruptedException {
        Client.Conn[] conns = new Client.Conn[tokens.length];
        Semaphore permits = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger done = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int i = 0; i < tokens.length && failure.get() == null; i++) {
            if (!permits.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            int idx = i;
            String uid = tokens[i].contains("/") ? tokens[i].substring(0, tokens[i].indexOf('/')) : tokens[i];
            login(client, tokens[i], uid, i % client.nodes(), dispatch, timeoutSeconds, 3).whenComplete((conn, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    conns[idx] = conn;
                    done.incrementAndGet();
                }
                permits.release();
            });
        }
        permits.tryAcquire(inFlight, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (failure.get() != null || done.get() < tokens.length) {
            for (Client.Conn c : conns) {
                if (c != null) {
                    c.close();
                }
            }
            Throwable f = failure.get();
            throw new IllegalStateException(done.get() + " of " + tokens.length + " users logged in; then: "
                    + (f == null ? "timeout" : f), f);
        }
        return conns;
    }

    /** One login, confirmed by the echo; a connection closed during the login is retried (a loaded server may drop handshakes). */
    private static CompletableFuture<Client.Conn> login(Client client, String token, String uid, int node, Dispatch dispatch,
            int timeoutSeconds, int attempts) {
        return client.connect(token, dispatch, node).thenCompose(conn -> {
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            dispatch.pending.put(conn, confirmed);
            conn.send(Frames.send(uid, -1, -1, 0, null, 0));
            return confirmed.thenApply(v -> conn);
        }).orTimeout(timeoutSeconds, TimeUnit.SECONDS).handle((conn, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(conn);
            }
            if (attempts > 1) {
                return login(client, token, uid, node, dispatch, timeoutSeconds, attempts - 1);
            }
            return CompletableFuture.<Client.Conn>failedFuture(e);
        }).thenCompose(f -> f);
    }

    static void closeAll(Client.Conn[] conns) {
        for (Client.Conn c : conns) {
            if (c != null) {
                c.close();
            }
        }
    }
}
