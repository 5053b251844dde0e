package dev.tok.core;

import java.util.concurrent.CompletionStage;

/**
 * At-least-once delivery in a cluster: the user's log grew (a send on another node, or one of
 * this node's sends: the log is shared and its ids are the engine's order), so each of the user's
 * connections here reads the log after what it was given and writes what its window allows. A
 * task of the user's chain, so it never interleaves with a {@link LogSend}, {@link LogResume} or
 * {@link LogAck} of the user. Idempotent: a nudge for messages already written finds nothing new.
 */
final class LogNudge implements SlotTask {
    private final UserSlot slot;

    LogNudge(UserSlot slot) {
        this.slot = slot;
    }

    @Override
    public CompletionStage<Void> run() {
        catchUp(slot);
        return DONE;
    }

    /** Lets every resumed connection of the user catch up with the log. In the user's chain. */
    static void catchUp(UserSlot slot) {
        for (HubConnection c : slot.conns) {
            LogCursor cursor = c.logCursor;
            if (cursor.resumed()) { // one not yet resumed reads everything after its cursor when it is
                cursor.behind = true;
                cursor.catchUp(slot.hub, slot.uid);
            }
        }
    }

    @Override
    public void abort(Throwable reason) {
        // nothing waits for it: the messages stay in the log
    }
}
