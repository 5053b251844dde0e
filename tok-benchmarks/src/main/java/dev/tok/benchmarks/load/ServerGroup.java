package dev.tok.benchmarks.load;

import dev.tok.testkit.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * What a target runs on: one server process, or for a cluster target ({@code clusterN}) a
 * {@code redis-server} and N {@code HubChatServer} nodes joined to it.
 *
 * <p>The cluster: a fresh {@code redis-server} (tok-testkit's {@link RedisServer}, ephemeral
 * loopback port, no persistence) unless {@code --redis-uri} names one, then N nodes started one
 * after the other with {@code --cluster redis --redis-uri URI --node-id bench-XXXX-i} (fresh node
 * ids, so that leases of an earlier run on the same Redis do not clash). The chat scenario puts
 * user i on node i % N. Everything is stopped at {@link #close()}: nodes first (each leaves the
 * cluster), then the Redis it started.
 */
final class ServerGroup implements AutoCloseable {

    private final List<ServerProcess> nodes = new ArrayList<>();
    private RedisServer redisServer;
    private Path redisDir;
    private RedisCommands redis;
    private String redisUri;

    private ServerGroup() {
    }

    /**
     * Starts the target's servers.
     *
     * @param target what to start
     * @param o      the load tool's options ({@code --redis-uri}, JVM flags)
     * @param log    the log of a single server; nodes log to {@code <log>-node<i>.log}
     * @return the running group
     */
    static ServerGroup start(Target target, LoadOptions o, Path log) throws IOException, InterruptedException {
        ServerGroup g = new ServerGroup();
        try {
            if (target.nodes() == 0) {
                g.nodes.add(ServerProcess.start(target, o, log));
                return g;
            }
            if (o.redisUri != null) {
                g.redisUri = o.redisUri;
            } else {
                g.redisDir = Files.createTempDirectory("tok-bench-redis");
                try {
                    g.redisServer = RedisServer.start(g.redisDir, RedisServer.Persistence.NONE);
                } catch (AssertionError e) { // the testkit's way to say "not installed" / "did not start"
                    throw new IOException(e.getMessage(), e);
                }
                g.redisUri = g.redisServer.uri();
            }
            g.redis = new RedisCommands(g.redisUri);
            String run = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
            String name = log.getFileName().toString().replaceFirst("\\.log$", "");
            for (int i = 0; i < target.nodes(); i++) {
                g.nodes.add(ServerProcess.start(target, o, log.resolveSibling(name + "-node" + i + ".log"),
                        List.of("--redis-uri", g.redisUri, "--node-id", "bench-" + run + "-" + i)));
            }
            return g;
        } catch (IOException | InterruptedException | RuntimeException e) {
            g.close();
            throw e;
        }
    }

    /** @return how many nodes the users are spread over (1 for a single server) */
    int nodes() {
        return nodes.size();
    }

    /** @return where each node listens for the transport, node i at index i */
    List<InetSocketAddress> addresses(String transport) {
        List<InetSocketAddress> a = new ArrayList<>();
        for (ServerProcess p : nodes) {
            a.add(p.address(transport));
        }
        return a;
    }

    /** @return the process ids of the servers (each node; not the Redis), for their CPU time */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (ServerProcess p : nodes) {
            pids.add(p.pid());
        }
        return pids;
    }

    /** @return the cluster's Redis command counter, null without a cluster */
    RedisCommands redis() {
        return redis;
    }

    /** @return the first node (the single server), for jcmd and /proc */
    ServerProcess first() {
        return nodes.get(0);
    }

    @Override
    public void close() {
        for (ServerProcess p : nodes) {
            p.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
        if (redisDir != null) {
            try (Stream<Path> files = Files.walk(redisDir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                // best effort: a temporary directory
            }
        }
    }
}
