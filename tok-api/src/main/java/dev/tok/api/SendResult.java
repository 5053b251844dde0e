package dev.tok.api;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of a successful {@link Hub#send}: which connections the message reached and
 * whether it was cached for later delivery.
 *
 * @param status     the summary
 * @param deliveries one entry per connection written to, in no particular order; empty when
 *                   the user was offline
 * @param queued     true when the message was put in the queue
 * @param id         the message's id in {@link DeliveryMode#AT_LEAST_ONCE} mode (the id devices
 *                   see and acknowledge, positive); 0 in at-most-once mode and for sends that do
 *                   not enter the user's message log (replies, sends to one device)
 * @since 0.1
 */
public record SendResult(Status status, List<Delivery> deliveries, boolean queued, long id) {

    /** Summary of a send. */
    public enum Status {
        /** Every connection of the user was written to. */
        DELIVERED,
        /** Some connections were written to, others failed, and the message was not cached. */
        PARTIALLY_DELIVERED,
        /**
         * The message was cached: the user was offline, or writes failed and the policy cached it.
         * In at-least-once mode (where every message is in the log): some connection of the user
         * was not written to, because it was offline, its write failed, or it waits in the log
         * behind its in-flight window or earlier messages.
         */
        QUEUED
    }

    /**
     * Validates and copies the components.
     *
     * @param status     the summary
     * @param deliveries one entry per connection written to
     * @param queued     true when the message was put in the queue
     * @param id         the message's id in at-least-once mode, else 0; not negative
     */
    public SendResult {
        Objects.requireNonNull(status, "status");
        deliveries = List.copyOf(deliveries);
        if (id < 0) {
            throw new IllegalArgumentException("id must not be negative, was " + id);
        }
    }

    /**
     * A result without a message id (at-most-once mode).
     *
     * @param status     the summary
     * @param deliveries one entry per connection written to
     * @param queued     true when the message was put in the queue
     */
    public SendResult(Status status, List<Delivery> deliveries, boolean queued) {
        this(status, deliveries, queued, 0);
    }

    /** @return how many connections were written to successfully */
    public int delivered() {
        int n = 0;
        for (Delivery d : deliveries) {
            if (d.succeeded()) {
                n++;
            }
        }
        return n;
    }
}
