package dev.tok.tracing.otel;

import dev.tok.api.ConnectionContext;
import dev.tok.api.HubTracer;
import dev.tok.api.SendOutcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Locale;
import java.util.Objects;

/**
 * A hub's OpenTelemetry spans: a {@link HubTracer} (registered with
 * {@code HubConfig.Builder.tracer}) that makes a span of the actor's work on each inbound frame
 * ({@value #RECEIVE}), of each send ({@value #SEND}) with a child per connection write
 * ({@value #WRITE}) and per enqueue ({@value #ENQUEUE}), and of the delivery of queued messages
 * after a login ({@value #DRAIN}, {@value #RESUME}). The receive span is current while the actor
 * runs, so a send the actor makes is its child. The spans, their kinds and attributes are listed
 * in the module's README.
 *
 * <!-- sample: OtelReadmeSamples.java#usage -->
 * <pre>{@code
 * TokTracing tracing = TokTracing.create(openTelemetry);  // 1. the application's OpenTelemetry (SDK, agent, ...)
 * HubConfig config = HubConfig.builder()
 *         .authenticator(authenticator)
 *         .actor(actor)
 *         .tracer(tracing)                                 // 2. the hub reports its work to it
 *         .build();
 * TokServer server = TokServer.builder(config)
 *         .transport("tcp", Map.of("port", "0"))
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>No span carries a uid unless the application asks with {@link Builder#recordUid}. A span a
 * sampler drops costs the hub nothing more: a send or delivery whose span is not recording is not
 * traced further (no write or enqueue spans). Thread-safe; one instance may serve several hubs.
 *
 * @since 0.1
 */
public final class TokTracing implements HubTracer {

    /** The instrumentation scope's name: the tracer this module asks OpenTelemetry for. */
    public static final String INSTRUMENTATION_NAME = "dev.tok.tracing.otel";

    /** The span of the actor's work on an inbound frame, kind {@code CONSUMER}. */
    public static final String RECEIVE = "tok.receive";
    /** The span of a send, from the call of {@code Hub.send} to the completion of its stage, kind {@code PRODUCER}. */
    public static final String SEND = "tok.send";
    /** The span of one connection write of a send or delivery, kind {@code INTERNAL}. */
    public static final String WRITE = "tok.write";
    /** The span of a send putting its message in the queue, kind {@code INTERNAL}. */
    public static final String ENQUEUE = "tok.enqueue";
    /** The span of a login's drain of the user's queue (at-most-once delivery), kind {@code INTERNAL}. */
    public static final String DRAIN = "tok.drain";
    /** The span of a connection resuming from its device's cursor (at-least-once delivery), kind {@code INTERNAL}. */
    public static final String RESUME = "tok.resume";

    /** The connection's transport: {@code tcp}, {@code jetty-ws}, {@code netty-ws}, a plugin's name. */
    public static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("tok.transport");
    /** How a send ended: a {@link SendOutcome} in lowercase-dash ({@code delivered}, {@code offline}, ...). */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("tok.outcome");
    /** The uid: the sender's on {@value #RECEIVE}, the recipient's on the others; only with {@link Builder#recordUid}. */
    public static final AttributeKey<String> UID = AttributeKey.stringKey("tok.uid");
    /** Queued messages a drain or resume delivered. */
    public static final AttributeKey<Long> MESSAGES = AttributeKey.longKey("tok.messages");
    /** The payload's size in bytes (OpenTelemetry's messaging convention). */
    public static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    /** The message's id in the queue, on {@value #ENQUEUE} and its send (OpenTelemetry's messaging convention). */
    public static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

    private static final String[] OUTCOMES = new String[SendOutcome.values().length];

    static {
        for (SendOutcome o : SendOutcome.values()) {
            OUTCOMES[o.ordinal()] = tagValue(o);
        }
    }

    private final Tracer tracer;
    private final boolean recordUid;

    private TokTracing(Builder b) {
        this.tracer = b.openTelemetry.getTracer(INSTRUMENTATION_NAME);
        this.recordUid = b.recordUid;
    }

    /**
     * @param openTelemetry where the spans go (its tracer provider); not null
     * @return tracing with the defaults: no uid in any span
     */
    public static TokTracing create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /**
     * @param openTelemetry where the spans go (its tracer provider); not null
     * @return a builder with the defaults
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    /** @return {@link SendOutcome} as the value of {@link #OUTCOME}: lowercase, {@code _} as {@code -} */
    static String tagValue(SendOutcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * A span with what its end needs besides: the receive's {@link Scope} that made it current on
     * the actor's thread, the enqueue's send {@link Span}, which gets the message id too.
     */
    private record With<T>(Span span, T other) {
    }

    /**
     * Opens {@value #RECEIVE} and makes it current on the actor's thread. Returned even when the
     * span is not recording: its context must be current so that the actor's sends follow the
     * sampler's decision.
     */
    @Override
    public Object receiveStarted(ConnectionContext connection, int bytes) {
        SpanBuilder b = tracer.spanBuilder(RECEIVE).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(TRANSPORT, connection.transport())
                .setAttribute(BODY_SIZE, (long) bytes);
        if (recordUid) {
            b.setAttribute(UID, connection.device().uid());
        }
        Span span = b.startSpan();
        return new With<>(span, span.makeCurrent());
    }

    @Override
    public void receiveFinished(Object receive, Throwable failure) {
        @SuppressWarnings("unchecked")
        With<Scope> r = (With<Scope>) receive;
        r.other().close();
        end(r.span(), failure);
    }

    /** Opens {@value #SEND}, a child of the current span (the actor's {@value #RECEIVE}, when the actor sends). */
    @Override
    public Object sendStarted(String uid, int bytes) {
        SpanBuilder b = tracer.spanBuilder(SEND).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(BODY_SIZE, (long) bytes);
        if (recordUid) {
            b.setAttribute(UID, uid);
        }
        return recording(b.startSpan());
    }

    @Override
    public Object writeStarted(Object parent, String transport) {
        return recording(child(WRITE, (Span) parent).setAttribute(TRANSPORT, transport).startSpan());
    }

    @Override
    public void writeFinished(Object write, Throwable failure) {
        end((Span) write, failure);
    }

    @Override
    public Object enqueueStarted(Object send) {
        Span span = child(ENQUEUE, (Span) send).startSpan();
        return span.isRecording() ? new With<>(span, (Span) send) : null;
    }

    @Override
    public void enqueueFinished(Object enqueue, long id, Throwable failure) {
        @SuppressWarnings("unchecked")
        With<Span> e = (With<Span>) enqueue;
        if (failure == null) {
            String messageId = Long.toString(id);
            e.span().setAttribute(MESSAGE_ID, messageId);
            e.other().setAttribute(MESSAGE_ID, messageId);
        }
        end(e.span(), failure);
    }

    @Override
    public void sendFinished(Object send, SendOutcome outcome, Throwable failure) {
        Span span = (Span) send;
        span.setAttribute(OUTCOME, OUTCOMES[outcome.ordinal()]);
        end(span, failure);
    }

    /** Opens {@value #DRAIN} (no transport) or {@value #RESUME}: a root span, the work of a hub worker after a login. */
    @Override
    public Object deliveryStarted(String uid, String transport) {
        SpanBuilder b = tracer.spanBuilder(transport == null ? DRAIN : RESUME).setSpanKind(SpanKind.INTERNAL).setNoParent();
        if (transport != null) {
            b.setAttribute(TRANSPORT, transport);
        }
        if (recordUid) {
            b.setAttribute(UID, uid);
        }
        return recording(b.startSpan());
    }

    @Override
    public void deliveryFinished(Object delivery, int messages, Throwable failure) {
        Span span = (Span) delivery;
        span.setAttribute(MESSAGES, (long) messages);
        end(span, failure);
    }

    private SpanBuilder child(String name, Span parent) {
        return tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(Context.root().with(parent));
    }

    /** @return the span, or null when it does not record (sampled out, or a no-op OpenTelemetry): nothing more to trace */
    private static Span recording(Span span) {
        return span.isRecording() ? span : null;
    }

    /** Ends a span, with status ERROR and the exception recorded when it failed. */
    private static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
        }
        span.end();
    }

    @Override
    public String toString() {
        return "TokTracing[" + INSTRUMENTATION_NAME + (recordUid ? ", with uids" : "") + "]";
    }

    /** Builds a {@link TokTracing}. Not thread-safe. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean recordUid;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        /**
         * Puts the uid in the spans as {@code tok.uid} (default false: a uid is personal data,
         * and the spans leave the process): the sender's on {@value TokTracing#RECEIVE}, the
         * recipient's on {@value TokTracing#SEND}, the user's on {@value TokTracing#DRAIN} and
         * {@value TokTracing#RESUME}.
         *
         * @param record true to record uids
         * @return this builder
         */
        public Builder recordUid(boolean record) {
            this.recordUid = record;
            return this;
        }

        /** @return the tracing, ready for {@code HubConfig.Builder.tracer} */
        public TokTracing build() {
            return new TokTracing(this);
        }
    }
}
