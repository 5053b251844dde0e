package dev.tok.api;

/**
 * How a {@link Hub#send} (or a {@link ConnectionContext#reply}) ended, as reported to a
 * {@link HubObserver}: the {@link SendResult.Status} of a send that succeeded, or the kind of
 * exception a failed send's stage completed with. A closed set, so that metrics tagged with it
 * keep a bounded cardinality.
 *
 * @since 0.1
 */
public enum SendOutcome {
    /** Written to every targeted connection ({@link SendResult.Status#DELIVERED}). */
    DELIVERED,
    /** Cached in the queue ({@link SendResult.Status#QUEUED}): the user was offline, or writes failed and the policy cached it. */
    QUEUED,
    /** Failed with {@link OfflineException}: nobody to write to and a zero ttl. */
    OFFLINE,
    /** Failed with {@link CacheFailedException}: the message had to be queued and could not be. */
    CACHE_FAILED,
    /** Some writes succeeded, others failed, not cached ({@link SendResult.Status#PARTIALLY_DELIVERED}). */
    PARTIALLY_DELIVERED,
    /** Failed with {@link DeliveryFailedException}: every write failed and the message was not cached (also any other unexpected failure). */
    DELIVERY_FAILED,
    /** Failed with {@link PendingLimitException}: too many sends to the user were pending. */
    PENDING_LIMIT,
    /** Failed with {@link HubClosedException}: the hub was closing. */
    HUB_CLOSED;

    /**
     * @param status a successful send's status
     * @return the matching outcome
     */
    public static SendOutcome of(SendResult.Status status) {
        return switch (status) {
            case DELIVERED -> DELIVERED;
            case QUEUED -> QUEUED;
            case PARTIALLY_DELIVERED -> PARTIALLY_DELIVERED;
        };
    }

    /**
     * @param failure the exception a send's stage completed with (unwrapped)
     * @return the matching outcome; {@link #DELIVERY_FAILED} for an exception of another type
     */
    public static SendOutcome of(Throwable failure) {
        if (failure instanceof OfflineException) {
            return OFFLINE;
        } else if (failure instanceof CacheFailedException) {
            return CACHE_FAILED;
        } else if (failure instanceof PendingLimitException) {
            return PENDING_LIMIT;
        } else if (failure instanceof HubClosedException) {
            return HUB_CLOSED;
        }
        return DELIVERY_FAILED;
    }
}
