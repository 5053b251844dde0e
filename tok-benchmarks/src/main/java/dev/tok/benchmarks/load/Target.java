package dev.tok.benchmarks.load;

/**
 * One server configuration under test: {@code server:transport[:queue[:delivery]]}, for example
 * {@code baseline:tcp}, {@code example:jetty-ws}, {@code hub:tcp:chronicle},
 * {@code example:tcp:memory:at-least-once}.
 *
 * @param server    baseline, hub, hub-direct, hub-fj or example
 * @param transport tcp, jetty-ws or netty-ws
 * @param queue     memory or chronicle
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
        return new Target(p[0], p.length > 1 ? p[1] : "tcp", p.length > 2 ? p[2] : "memory", delivery);
    }

    /** @return true when clients must acknowledge what they receive */
    boolean atLeastOnce() {
        return delivery.equals("at-least-once");
    }

    @Override
    public String toString() {
        return server + ":" + transport + (queue.equals("memory") && !atLeastOnce() ? "" : ":" + queue)
                + (atLeastOnce() ? ":" + delivery : "");
    }
}
