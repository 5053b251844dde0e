package dev.tok.api;

/**
 * Hook told when a device acknowledged messages in {@link DeliveryMode#AT_LEAST_ONCE} mode: its
 * cursor advanced to {@code upToId} and the queue stored it. Every message of the device's user
 * with an id up to {@code upToId} ({@link SendResult#id()}) has reached that device. Not called
 * for an acknowledgement that does not advance the cursor (a repeat, or an id the device was not
 * given yet beyond what it was).
 *
 * <p>Called on a hub worker thread, in acknowledgement order for one user, never while the hub
 * holds a lock. It should not block: it delays the user's other sends.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface AcknowledgeHook {

    /**
     * @param device  the device that acknowledged; not null
     * @param upToId  its new cursor: every message of the user with an id up to this one reached it
     */
    void acknowledged(Device device, long upToId);
}
