package dev.tok.api;

/**
 * A queue refused a message because one of its bounds (messages per user, total bytes) would be exceeded. Nothing was stored.
 *
 * @since 0.1
 */
public class QueueFullException extends TokException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message which bound, its value, and the setting that raises it
     */
    public QueueFullException(String message) {
        super(message);
    }
}
