package dev.tok.api;

/**
 * The hub was closed: it accepts no more sends and no more connections.
 *
 * @since 0.1
 */
public class HubClosedException extends TokException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public HubClosedException() {
        super("tok: hub closed");
    }
}
