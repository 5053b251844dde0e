package dev.tok.api;

/**
 * The root of every exception tok throws or completes a stage with. Unchecked.
 *
 * @since 0.1
 */
public class TokException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and, where possible, what to change
     */
    public TokException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public TokException(String message, Throwable cause) {
        super(message, cause);
    }
}
