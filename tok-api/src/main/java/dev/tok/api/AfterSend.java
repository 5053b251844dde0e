package dev.tok.api;

/**
 * Hook called after a frame was written successfully to a connection, with the payload as
 * given to {@link Hub#send} (not as transformed by {@link BeforeSend}). Not called for pings
 * and bye frames.
 *
 * <p>Called on the thread that completed the write, often a transport I/O thread: it must
 * not block.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface AfterSend {

    /**
     * Observes a successful write.
     *
     * @param device  the device written to
     * @param payload the payload as given to {@link Hub#send}
     */
    void afterSend(Device device, byte[] payload);
}
