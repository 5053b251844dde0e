package dev.tok.core;

import dev.tok.api.ConnectionContext;
import dev.tok.api.HubTracer;
import dev.tok.api.Queue;
import dev.tok.api.SendOutcome;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured {@link HubTracer}, guarded: what it throws is logged (the first failure at
 * ERROR with its stack trace, later ones at DEBUG) and ignored, a start that throws counts as
 * untraced ({@code null}). The hub holds null instead of an instance when there is no tracer,
 * so the hot paths pay one null check; and it calls a {@code ...Finished} method only for a
 * token that is not null.
 */
final class Tracing {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

    private final HubTracer tracer;
    /** It failed once already. Racy on purpose: at worst two ERROR lines. */
    private boolean failedBefore;

    private Tracing(HubTracer tracer) {
        this.tracer = tracer;
    }

    /** @return the tracer guarded, or null when there is none */
    static Tracing of(HubTracer tracer) {
        return tracer == null ? null : new Tracing(tracer);
    }

    private void failed(String event, RuntimeException e) {
        if (!failedBefore) {
            failedBefore = true;
            LOG.error("HubTracer {} failed in {}; ignored (later failures of it are logged at DEBUG)", tracer, event, e);
        } else {
            LOG.debug("HubTracer {} failed in {}; ignored", tracer, event, e);
        }
    }

    Object receiveStarted(ConnectionContext connection, int bytes) {
        try {
            return tracer.receiveStarted(connection, bytes);
        } catch (RuntimeException e) {
            failed("receiveStarted", e);
            return null;
        }
    }

    void receiveFinished(Object receive, Throwable failure) {
        try {
            tracer.receiveFinished(receive, failure);
        } catch (RuntimeException e) {
            failed("receiveFinished", e);
        }
    }

    Object sendStarted(String uid, int bytes) {
        try {
            return tracer.sendStarted(uid, bytes);
        } catch (RuntimeException e) {
            failed("sendStarted", e);
            return null;
        }
    }

    /**
     * Traces one write of a traced send or delivery.
     *
     * @param parent the send's or delivery's token; not null
     * @param conn   the connection written to
     * @param write  the write, issued after the tracer was told
     * @return the write's stage, completing after the tracer was told how it ended (so that a
     *         write's span ends before its send's); {@code write} itself when it is not traced
     */
    CompletionStage<Void> write(Object parent, HubConnection conn, Supplier<CompletionStage<Void>> write) {
        Object token;
        try {
            token = tracer.writeStarted(parent, conn.transport);
        } catch (RuntimeException e) {
            failed("writeStarted", e);
            token = null;
        }
        CompletionStage<Void> stage = write.get();
        if (token == null) {
            return stage;
        }
        Object w = token;
        return stage.whenComplete((v, e) -> {
            try {
                tracer.writeFinished(w, e);
            } catch (RuntimeException thrown) {
                failed("writeFinished", thrown);
            }
        });
    }

    /**
     * Puts a send's message in the queue, traced when the send is.
     *
     * @param hub   the hub, whose queue takes it
     * @param send  the send's token; null when it is not traced
     * @return the message's id
     * @throws RuntimeException what the queue threw
     */
    static long enqueue(CoreHub hub, Object send, String uid, byte[] payload, Instant expiresAt) {
        Queue queue = hub.queue;
        if (send == null) {
            return queue.enqueue(uid, payload, expiresAt);
        }
        Tracing t = hub.tracing;
        Object span;
        try {
            span = t.tracer.enqueueStarted(send);
        } catch (RuntimeException e) {
            t.failed("enqueueStarted", e);
            span = null;
        }
        long id;
        try {
            id = queue.enqueue(uid, payload, expiresAt);
        } catch (RuntimeException e) {
            if (span != null) {
                t.enqueueFinished(span, 0, e);
            }
            throw e;
        }
        if (span != null) {
            t.enqueueFinished(span, id, null);
        }
        return id;
    }

    private void enqueueFinished(Object enqueue, long id, Throwable failure) {
        try {
            tracer.enqueueFinished(enqueue, id, failure);
        } catch (RuntimeException e) {
            failed("enqueueFinished", e);
        }
    }

    void sendFinished(Object send, SendOutcome outcome, Throwable failure) {
        try {
            tracer.sendFinished(send, outcome, failure);
        } catch (RuntimeException e) {
            failed("sendFinished", e);
        }
    }

    Object deliveryStarted(String uid, String transport) {
        try {
            return tracer.deliveryStarted(uid, transport);
        } catch (RuntimeException e) {
            failed("deliveryStarted", e);
            return null;
        }
    }

    void deliveryFinished(Object delivery, int messages, Throwable failure) {
        try {
            tracer.deliveryFinished(delivery, messages, failure);
        } catch (RuntimeException e) {
            failed("deliveryFinished", e);
        }
    }
}
