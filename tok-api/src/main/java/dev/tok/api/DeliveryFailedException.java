package dev.tok.api;

import java.util.Objects;

/**
 * The recipient was online but no write succeeded, and the message was not cached (its ttl is
 * zero or the {@link PartialSendPolicy} says not to). {@link #result()} tells, per connection,
 * what went wrong.
 *
 * @since 0.1
 */
public class DeliveryFailedException extends TokException {

    private static final long serialVersionUID = 1L;

    private final transient SendResult result;

    /**
     * @param uid    the recipient
     * @param result the per-connection outcome
     */
    public DeliveryFailedException(String uid, SendResult result) {
        super("tok: delivery to user '" + uid + "' failed on all " + result.deliveries().size() + " connection(s)",
                result.deliveries().stream().flatMap(d -> d.failure().stream()).findFirst().orElse(null));
        this.result = Objects.requireNonNull(result, "result");
    }

    /** @return the per-connection outcome */
    public SendResult result() {
        return result;
    }
}
