package dev.tok.api;

/**
 * A send was refused at once because too many earlier sends to the same user are still waiting
 * (behind a queue drain, a slow connection, or a failed write being cached): more than
 * {@link HubConfig#maxPendingSendsPerUser()}. Nothing was written or queued; the caller may
 * retry later or tell its own sender to slow down.
 *
 * @since 0.1
 */
public class PendingLimitException extends TokException {

    private static final long serialVersionUID = 1L;

    private final String uid;

    /**
     * @param uid   the recipient
     * @param limit the bound that was reached
     */
    public PendingLimitException(String uid, int limit) {
        super("more than " + limit + " sends to user '" + uid + "' are waiting; raise"
                + " HubConfig.builder().maxPendingSendsPerUser(..) (tok.hub.max-pending-sends-per-user) if this user"
                + " legitimately receives bursts that large");
        this.uid = uid;
    }

    /** @return the recipient whose backlog is full */
    public String uid() {
        return uid;
    }
}
