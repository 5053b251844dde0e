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
 * @since 0.1
 */
public record SendResult(Status status, List<Delivery> deliveries, boolean queued) {

    /** Summary of a send. */
    public enum Status {
        /** Every connection of the user was written to. */
        DELIVERED,
        /** Some connections were written to, others failed, and the message was not cached. */
        PARTIALLY_DELIVERED,
        /** The message was cached: the user was offline, or writes failed and the policy cached it. */
        QUEUED
    }

    /**
     * Validates and copies the components.
     *
     * @param status     the summary
     * @param deliveries one entry per connection written to
     * @param queued     true when the message was put in the queue
     */
    public SendResult {
        Objects.requireNonNull(status, "status");
        deliveries = List.copyOf(deliveries);
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
