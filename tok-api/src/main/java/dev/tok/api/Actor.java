package dev.tok.api;

/**
 * The application's handler for inbound frames: tok's equivalent of Go tok's
 * {@code Actor.OnReceive}.
 *
 * <p>Called on the hub's actor executor ({@link HubConfig#actorExecutor()}), never on a
 * transport I/O thread, so it may block. Frames of one connection are delivered one at a
 * time, in the order they arrived; frames of different connections may be delivered
 * concurrently.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface Actor {

    /**
     * Handles one frame a connection sent, after {@link BeforeReceive} (if configured).
     * An exception thrown here is logged; the connection stays open.
     *
     * @param device  the device that sent the frame
     * @param payload the frame's payload; owned by the callee
     */
    void onReceive(Device device, byte[] payload);
}
