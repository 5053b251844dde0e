package dev.tok.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A message waiting in a {@link Queue}.
 *
 * @param id        the queue's identifier, increasing in enqueue order within one user
 * @param payload   the payload as given to {@link Hub#send}; callers must not modify it
 * @param expiresAt when the message stops being deliverable
 * @since 0.1
 */
public record QueuedMessage(long id, byte[] payload, Instant expiresAt) {

    /**
     * Validates the components.
     *
     * @param id        the queue's identifier
     * @param payload   the payload
     * @param expiresAt when the message stops being deliverable
     */
    public QueuedMessage {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
