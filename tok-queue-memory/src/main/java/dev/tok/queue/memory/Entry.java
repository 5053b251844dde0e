package dev.tok.queue.memory;

import java.time.Instant;

/**
 * One stored message. Immutable; the payload array is kept by reference (the queue contract
 * says callers must not modify it).
 *
 * @param id        the id {@link MemoryQueue#enqueue} returned for it
 * @param payload   the payload
 * @param expiresAt when it expires
 */
record Entry(long id, byte[] payload, Instant expiresAt) {

    /** @return the bytes this entry counts against {@code max-total-bytes} */
    long cost() {
        return cost(payload);
    }

    /**
     * @param payload a payload
     * @return the bytes a message with this payload counts against {@code max-total-bytes}
     */
    static long cost(byte[] payload) {
        return (long) payload.length + MemoryQueue.OVERHEAD_BYTES;
    }
}
