package dev.tok.benchmarks.load;

/**
 * One server configuration under test: {@code server:transport[:queue[:delivery]]}, for example
 * {@code baseline:tcp}, {@code example:jetty-ws}, {@code hub:tcp:chronicle},
 * {@code example:tcp:memory:at-least-once}, {@code cluster2:tcp}.
 *
 * @param server    baseline, hub, hub-pool, hub-direct, hub-fj, example, or {@code clusterN}: N {@code HubChatServer}
 *                  nodes (the hub's defaults) in a cluster on one Redis, user i on node i % N, every
 *                  message to a user on another node when N &gt; 1 (see {@link ClusterDeployment})
 * @param transport tcp, jetty-ws or netty-ws (cluster targets: tcp)
 * @param queue     memory or chronicle; cluster targets redis [default] or memory (node-local, allowed explicitly)
 * @param delivery  at-most-once, or at-least-once (the example server only: clients acknowledge with
 *                  {@code received} every {@value Users#ACK_EVERY} messages)
 */
record Target(String server, String transport, String queue, String delivery) {

    static Target parse(String spec) {
        String[] p = spec.split(":");
        if (p.length < 1 || p.length > 4 || p[0].isBlank()) {
            throw new IllegalArgumentException("a target looks like server:transport[:queue[:delivery]], e.g. example:tcp; was '"
                    + spec + "'");
        }
        String delivery = p.length > 3 ? p[3] : "at-most-once";
        if (!delivery.equals("at-most-once") && !delivery.equals("at-least-once")) {
            throw new IllegalArgumentException("a target's delivery is at-most-once or at-least-once; was '" + spec + "'");
        }
        if (delivery.equals("at-least-once") && !p[0].equals("example")) {
            throw new IllegalArgumentException("at-least-once targets need the example server (example:tcp:memory:at-least-once); was '"
                    + spec + "'");
        }
        boolean cluster = p[0].matches("cluster\\d+");
        if (cluster && (delivery.equals("at-least-once") || p.length > 1 && !p[1].equals("tcp") || p[0].equals("cluster0"))) {
            throw new IllegalArgumentException("a cluster target is clusterN:tcp[:redis|memory] with N nodes (cluster1, cluster2); was '"
                    + spec + "'");
        }
        return new Target(p[0], p.length > 1 ? p[1] : "tcp", p.length > 2 ? p[2] : cluster ? "redis" : "memory", delivery);
    }

    /** @return how many hub nodes on one Redis ({@code clusterN}), 0 for a target without a cluster */
    int nodes() {
        return server.matches("cluster\\d+") ? Integer.parseInt(server.substring("cluster".length())) : 0;
    }

    /** @return true when clients must acknowledge what they receive */
    boolean atLeastOnce() {
        return delivery.equals("at-least-once");
    }

    @Override
    public String toString() {
        String defaultQueue = nodes() > 0 ? "redis" : "memory";
        return server + ":" + transport + (queue.equals(defaultQueue) && !atLeastOnce() ? "" : ":" + queue)
                + (atLeastOnce() ? ":" + delivery : "");
    }
}
