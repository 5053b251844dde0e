package dev.tok.api;

/**
 * Hook called exactly once for every connection the hub registered (a login the
 * {@link SessionPolicy} admitted), the counterpart of {@link CloseHook}: announce presence, load
 * the user's state into {@link ConnectionContext#setAttribute attributes}, send a welcome with
 * {@link ConnectionContext#reply(byte[])}, or close the connection again.
 *
 * <p><b>When.</b> After the connection is registered: it is online, {@link Hub#connections}
 * lists it, and sends, the drain of the user's queue and replies may already write to it while
 * the hook runs. Before the {@link Actor} (and {@link BeforeReceive}) see any frame of the
 * connection: frames that arrive meanwhile wait (reading pauses when too many wait), so the actor
 * finds whatever the hook set up. Before the {@link CloseHook} of the same connection, which waits
 * for this hook to return if the connection closes while it runs.
 *
 * <p><b>Thread.</b> Called on the actor executor (see
 * {@link HubConfig.Builder#actorExecutor(java.util.concurrent.Executor)}), never while the hub
 * holds a lock. With the hub's own pool (the default) it may block, holding back only this
 * connection's frames; with {@code Runnable::run} it runs in the transport's thread that
 * registered the connection and must not block.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ConnectHook {

    /**
     * Observes a registered connection. An exception thrown here is logged; the connection stays
     * open (close it with {@link ConnectionContext#close(CloseReason)} to refuse it after the fact).
     *
     * @param connection the new connection; not null
     */
    void onConnect(ConnectionContext connection);
}
