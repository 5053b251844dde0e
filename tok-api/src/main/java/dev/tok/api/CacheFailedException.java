package dev.tok.api;

/**
 * A message had to be cached for later delivery and the queue did not take it; its cause says why ({@link QueueFullException}, {@link QueueRequiredException}, an I/O failure). Go tok's {@code ErrCacheFailed}.
 *
 * @since 0.1
 */
public class CacheFailedException extends TokException {

    private static final long serialVersionUID = 1L;

    /**
     * @param uid   the recipient
     * @param cause why the queue did not take the message
     */
    public CacheFailedException(String uid, Throwable cause) {
        super("tok: cache failed for user '" + uid + "': " + cause.getMessage(), cause);
    }
}
