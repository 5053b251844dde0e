package dev.tok.api;

/**
 * A configuration mistake, found while building: the message names the setting and what to change.
 *
 * @since 0.1
 */
public class ConfigurationException extends TokException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the setting and the fix
     */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message the setting and the fix
     * @param cause   the underlying failure
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
