package dev.tok.api;

/**
 * What the hub does with a message (ttl &gt; 0) for an online user when some or all of the
 * writes to that user's connections fail.
 *
 * @since 0.1
 */
public enum PartialSendPolicy {

    /**
     * Cache the message when any write failed (Go tok's behaviour, the default). Devices that
     * did receive it may receive it again at the next login.
     */
    CACHE_ON_ANY_FAILURE,

    /**
     * Cache only when every write failed; when some succeeded the result is
     * {@link SendResult.Status#PARTIALLY_DELIVERED}.
     */
    CACHE_WHEN_ALL_FAILED,

    /**
     * Never cache after a failed write to an online user: the result is
     * {@link SendResult.Status#PARTIALLY_DELIVERED}, or the stage fails with
     * {@link DeliveryFailedException} when no write succeeded.
     */
    NEVER_CACHE
}
