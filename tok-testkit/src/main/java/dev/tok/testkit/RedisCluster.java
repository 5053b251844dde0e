package dev.tok.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster for tests: several {@link RedisServer}s with {@code --cluster-enabled yes}
 * (masters only, no replicas, no persistence), joined with {@code redis-cli --cluster create}
 * (same Debian package) and ready once every node reports {@code cluster_state:ok}.
 *
 * <p>Each node lives in {@code node-N} under the given directory. Like {@link RedisServer}, a
 * missing {@code redis-server} or {@code redis-cli} fails with the install line.
 *
 * @since 0.1
 */
public final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    /**
     * Starts {@code masters} nodes, spreads the 16384 slots over them and waits until the
     * cluster is usable.
     *
     * @param directory an existing directory for the nodes
     * @param masters   how many master nodes; at least 3 (what {@code redis-cli --cluster create} accepts)
     * @return the running cluster
     * @throws AssertionError when a program is missing or the cluster does not form (with the logs)
     */
    public static RedisCluster start(Path directory, int masters) {
        Objects.requireNonNull(directory, "directory");
        if (masters < 3) {
            throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters, was " + masters);
        }
        String cli = RedisServer.onPath("redis-cli");
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(nodes);
        try {
            for (int i = 0; i < masters; i++) {
                Path dir = Files.createDirectories(directory.resolve("node-" + i));
                nodes.add(RedisServer.start(dir, RedisServer.Persistence.NONE, "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
            }
            List<String> cmd = new ArrayList<>(List.of(cli, "--cluster", "create"));
            for (RedisServer n : nodes) {
                cmd.add("127.0.0.1:" + n.port());
            }
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Path log = directory.resolve("cluster-create.log");
            Process create = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                create.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!cluster.isOk()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the cluster did not reach cluster_state:ok within 30s: " + cluster.describe());
                }
                Thread.sleep(50);
            }
            return cluster;
        } catch (IOException e) {
            cluster.close();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            cluster.close();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while starting a Redis Cluster", e);
        } catch (RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** @return the nodes, in start order */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** @return the nodes' uris, comma-separated ({@code redis://127.0.0.1:P1/0,redis://127.0.0.1:P2/0,...}): seed nodes for a cluster client */
    public String uris() {
        List<String> uris = new ArrayList<>();
        for (RedisServer n : nodes) {
            uris.add(n.uri());
        }
        return String.join(",", uris);
    }

    /** Stops every node. Idempotent. */
    @Override
    public void close() {
        for (RedisServer n : nodes) {
            n.stop();
        }
    }

    @Override
    public String toString() {
        return "RedisCluster[" + uris() + "]";
    }

    private boolean isOk() {
        for (RedisServer n : nodes) {
            try {
                if (!n.command("CLUSTER INFO").contains("cluster_state:ok")) {
                    return false;
                }
            } catch (UncheckedIOException e) {
                return false;
            }
        }
        return true;
    }

    private String describe() {
        StringBuilder sb = new StringBuilder();
        for (RedisServer n : nodes) {
            sb.append("\n--- node ").append(n.port()).append(" ---\n");
            try {
                sb.append(n.command("CLUSTER INFO"));
            } catch (UncheckedIOException e) {
                sb.append(e.getMessage()).append('\n').append(n.log());
            }
        }
        return sb.toString();
    }
}
