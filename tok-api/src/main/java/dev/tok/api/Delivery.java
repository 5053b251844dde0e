package dev.tok.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of writing one message to one connection.
 *
 * @param device    the device of the connection
 * @param transport the name of the connection's transport
 * @param failure   why the write failed; empty when it succeeded
 * @since 0.1
 */
public record Delivery(Device device, String transport, Optional<Throwable> failure) {

    /**
     * Validates the components.
     *
     * @param device    the device of the connection
     * @param transport the name of the connection's transport
     * @param failure   why the write failed; empty when it succeeded
     */
    public Delivery {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(failure, "failure");
    }

    /** @return true when the write succeeded */
    public boolean succeeded() {
        return failure.isEmpty();
    }
}
