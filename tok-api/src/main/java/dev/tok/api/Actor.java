package dev.tok.api;

/**
 * The application's handler for inbound frames: tok's equivalent of Go tok's
 * {@code Actor.OnReceive}.
 *
 * <p>Called on the actor executor: by default the hub's own pool, where it may block (reading
 * from that connection pauses while too many of its frames wait). With
 * {@link HubConfig.Builder#actorExecutor(java.util.concurrent.Executor)} the application chooses:
 * with {@code Runnable::run} the actor runs on the transport's I/O thread and must not block.
 * Frames of one connection are delivered one at a time, in the order they arrived; frames of
 * different connections may be delivered concurrently.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface Actor {

    /**
     * Handles one frame a connection sent, after {@link BeforeReceive} (if configured).
     * An exception thrown here is logged; the connection stays open.
     *
     * @param device  the device that sent the frame; not null
     * @param payload the frame's payload; not null, owned by the callee
     */
    void onReceive(Device device, byte[] payload);
}
