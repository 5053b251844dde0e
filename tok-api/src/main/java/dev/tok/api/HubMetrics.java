package dev.tok.api;

/**
 * Live counters of a hub (Go tok's expvar counters). Reads are cheap and never block;
 * counters only grow, except the two online gauges.
 *
 * @since 0.1
 */
public interface HubMetrics {

    /** @return users with at least one online connection */
    long onlineUsers();

    /** @return online connections */
    long onlineConnections();

    /** @return frames received from connections (before {@link BeforeReceive}) */
    long framesUp();

    /** @return frames written successfully to connections, pings and byes included */
    long framesDown();

    /** @return messages put in the queue */
    long enqueued();

    /** @return messages taken from the queue after a successful write */
    long dequeued();
}
