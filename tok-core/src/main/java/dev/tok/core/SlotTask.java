package dev.tok.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One step of a user's serial task chain; the next step starts when the returned stage completes. */
interface SlotTask {

    CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    /** Runs on a hub worker thread; may block on queue I/O. */
    CompletionStage<Void> run();

    /** The hub closed before the task could run: complete whatever waits for it. */
    void abort(Throwable reason);
}
