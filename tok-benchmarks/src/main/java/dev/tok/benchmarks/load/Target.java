package dev.tok.benchmarks.load;

/**
 * One server configuration under test: {@code server:transport[:queue]}, for example
 * {@code baseline:tcp}, {@code example:jetty-ws}, {@code hub:tcp:chronicle}.
 *
 * @param server    baseline, hub, hub-direct, hub-fj or example
 * @param transport tcp, jetty-ws or netty-ws
 * @param queue     memory or chronicle
 */
record Target(String server, String transport, String queue) {

    static Target parse(String spec) {
        String[] p = spec.split(":");
        if (p.length < 1 || p.length > 3 || p[0].isBlank()) {
            throw new IllegalArgumentException("a target looks like server:transport[:queue], e.g. example:tcp; was '" + spec + "'");
        }
        return new Target(p[0], p.length > 1 ? p[1] : "tcp", p.length > 2 ? p[2] : "memory");
    }

    @Override
    public String toString() {
        return server + ":" + transport + (queue.equals("memory") ? "" : ":" + queue);
    }
}
