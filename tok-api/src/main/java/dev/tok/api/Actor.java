package dev.tok.api;

/**
 * The application's handler for inbound frames: tok's equivalent of Go tok's
 * {@code Actor.OnReceive}.
 *
 * <p>Called on the actor executor: by default the hub's own pool, where it may block (reading
 * from that connection pauses while too many of its frames wait). An actor that never blocks is
 * declared with {@link HubConfig.Builder#nonBlockingActor(boolean)} and then runs on the
 * transport's I/O thread that read the frame (no thread hand-off per frame; three runs within a
 * minute longer than {@link HubConfig#actorStallThreshold()} move it to the actor executor, with a
 * warning).
 * With {@link HubConfig.Builder#actorExecutor(java.util.concurrent.Executor)} the application
 * chooses the executor.
 * Frames of one connection are delivered one at a time, in the order they arrived, after its
 * {@link ConnectHook} returned; frames of different connections may be delivered concurrently.
 *
 * <p>The {@link ConnectionContext} is the connection the frame came from: its device, the hub
 * (so an actor needs no reference of its own), {@link ConnectionContext#reply(byte[])} to answer
 * this connection alone, {@link ConnectionContext#close(CloseReason)} and attributes. The simple
 * form stays a two-argument lambda:
 *
 * <!-- sample: ApiJavadocSamples.java#actor -->
 * <pre>{@code
 * Actor echo = (connection, payload) -> connection.reply(payload);
 * Actor chat = (connection, payload) ->
 *         connection.hub().send(recipientOf(payload), payload, Duration.ofDays(1));
 * }</pre>
 *
 * @since 0.1
 */
@FunctionalInterface
public interface Actor {

    /**
     * Handles one frame a connection sent, after {@link BeforeReceive} (if configured).
     * An exception thrown here is logged; the connection stays open.
     *
     * @param connection the connection that sent the frame ({@code connection.device()} is its
     *                   device); not null, the same object for every frame of the connection
     * @param payload    the frame's payload; not null, owned by the callee
     */
    void onReceive(ConnectionContext connection, byte[] payload);
}
