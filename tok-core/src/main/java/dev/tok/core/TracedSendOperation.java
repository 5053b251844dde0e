package dev.tok.core;

import java.time.Duration;

/**
 * A {@link SendOperation} traced by the hub's {@link dev.tok.api.HubTracer}: the same, plus the
 * token the tracer returned for it. Made only when a tracer is configured and traces the send,
 * so that an untraced send keeps the size {@code Hub.send} allocates.
 */
final class TracedSendOperation extends SendOperation {
    private final Object trace;

    /**
     * @param trace the tracer's token of this send; not null
     * @see SendOperation#SendOperation(CoreHub, UserSlot, byte[], Duration, Object, long)
     */
    TracedSendOperation(CoreHub hub, UserSlot slot, byte[] payload, Duration ttl, Object only, long startNanos, Object trace) {
        super(hub, slot, payload, ttl, only, startNanos);
        this.trace = trace;
    }

    @Override
    Object trace() {
        return trace;
    }
}
