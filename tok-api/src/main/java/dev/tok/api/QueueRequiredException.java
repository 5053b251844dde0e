package dev.tok.api;

/**
 * A message had to be cached but the hub has no queue ({@link HubConfig.Builder#noQueue()}). Always the cause of a {@link CacheFailedException}. Go tok's {@code ErrQueueRequired}.
 *
 * @since 0.1
 */
public class QueueRequiredException extends TokException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public QueueRequiredException() {
        super("tok: queue is required: the hub was built with noQueue(), so messages for offline users cannot be cached");
    }
}
