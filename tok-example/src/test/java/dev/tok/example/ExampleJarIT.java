package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.tok.testkit.RedisServer;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable jar, run as the README runs it: {@code java -jar tok-example/target/tok-example.jar}
 * with no JVM flags (the manifest carries what Chronicle needs; every bundled module's
 * {@code META-INF/services} survived shading, or the transports and queues would not be found).
 */
class ExampleJarIT {

    private static final Path LOGS = Path.of("target", "it-logs");
    private static final String[] EPHEMERAL = {"--tcp-port", "0", "--ws-port", "0", "--netty-ws-port", "0"};

    @TempDir
    Path dir;

    private static String[] args(String... more) {
        String[] all = new String[EPHEMERAL.length + more.length];
        System.arraycopy(EPHEMERAL, 0, all, 0, EPHEMERAL.length);
        System.arraycopy(more, 0, all, EPHEMERAL.length, more.length);
        return all;
    }

    @Test
    @DisplayName("--help prints every option and exits 0")
    void help() throws Exception {
        try (ServerProcess p = ServerProcess.launch(LOGS, "help", "--help")) {
            assertThat(p.awaitExit()).isZero();
            String out = String.join("\n", p.remainingLines());
            assertThat(out).startsWith("usage: java -jar tok-example.jar [options]");
            for (String option : List.of("--host", "--tcp-port", "--ws-port", "--netty-ws-port", "--queue", "--data-dir", "--redis-uri",
                    "--cluster", "--node-id", "--lease",
                    "--ping-interval", "--read-timeout", "--max-frame", "--sso", "--help")) {
                assertThat(out).contains("  " + option + " ");
            }
        }
    }

    @Test
    @DisplayName("a bad option: one line on stderr, exit code 2")
    void badOption() throws Exception {
        try (ServerProcess p = ServerProcess.launch(LOGS, "bad-option", "--tcp-port", "seventy")) {
            assertThat(p.awaitExit()).isEqualTo(2);
            assertThat(p.stderrText()).isEqualTo("tok-example: --tcp-port must be a port from 0 to 65535 (0 = any free port), "
                    + "was 'seventy'" + System.lineSeparator());
            assertThat(p.remainingLines()).isEmpty();
        }
        try (ServerProcess p = ServerProcess.launch(LOGS, "unknown-option", "--verbose")) {
            assertThat(p.awaitExit()).isEqualTo(2);
            assertThat(p.stderrText().lines()).containsExactly("tok-example: unknown option '--verbose' (see --help)");
        }
    }

    @Test
    @DisplayName("a port in use: one line on stderr naming the problem, exit code 1")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             ServerProcess p = ServerProcess.launch(LOGS, "port-in-use", "--tcp-port", Integer.toString(taken.getLocalPort()),
                     "--ws-port", "0", "--netty-ws-port", "0")) {
            assertThat(p.awaitExit()).isEqualTo(1);
            String firstLine = p.stderrText().lines().filter(l -> l.startsWith("tok-example:")).findFirst().orElse("");
            assertThat(firstLine).startsWith("tok-example: cannot start: ");
            assertThat(p.remainingLines()).doesNotContain("tok ready");
        }
    }

    @Test
    @DisplayName("starts every listener, prints them, chats across transports, serves the page; Ctrl-C stops it cleanly")
    void runsAndStopsCleanly() throws Exception {
        ServerProcess p = ServerProcess.start(LOGS, "run", args());
        try {
            List<String> lines = p.startLines();
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).matches("tok listening tcp 127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(1)).matches("tok listening jetty-ws 127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(2)).matches("tok listening netty-ws 127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(3)).isEqualTo("tok ready");

            try (ChatClient a = p.connect("tcp", "alice"); ChatClient b = p.connect("jetty-ws", "bob");
                 ChatClient c = p.connect("netty-ws", "carol")) {
                for (ChatClient x : List.of(a, b, c)) {
                    x.online();
                }
                a.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":\"a->b\",\"cid\":\"1\"}");
                assertThat(b.next()).startsWith("{\"type\":\"msg\",\"from\":\"alice\",\"body\":\"a->b\",\"ts\":");
                assertThat(a.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"1\"}");
                b.send("{\"type\":\"send\",\"to\":\"carol\",\"body\":\"b->c\"}");
                assertThat(c.next()).startsWith("{\"type\":\"msg\",\"from\":\"bob\",\"body\":\"b->c\",\"ts\":");
                c.send("{\"type\":\"send\",\"to\":\"alice\",\"body\":\"c->a\"}");
                assertThat(a.next()).startsWith("{\"type\":\"msg\",\"from\":\"carol\",\"body\":\"c->a\",\"ts\":");
            }

            InetSocketAddress web = p.address("jetty-ws");
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + web.getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>tok chat</title>");

            int tcpPort = p.address("tcp").getPort();
            boolean sigint = !sigintIgnored();
            if (sigint) {
                p.interrupt();
            } else {
                p.terminate(); // SIGINT is ignored in this environment (inherited); SIGTERM runs the same hook
            }
            assertThat(p.awaitExit()).isEqualTo(sigint ? 130 : 143);
            assertThat(p.remainingLines()).containsExactly("tok stopped");
            assertThat(p.stderrText()).doesNotContain("Exception").doesNotContain("ERROR");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", tcpPort), 2_000);
                throw new AssertionError("the TCP port still accepts connections after the stop");
            } catch (java.net.ConnectException expected) {
                // the port was released
            }
        } finally {
            p.close();
        }
    }

    @Test
    @DisplayName("--queue chronicle: messages for an offline user survive a clean stop and kill -9, and arrive in order")
    void chronicleSurvivesKill() throws Exception {
        Path data = dir.resolve("tok-data");
        String[] chronicle = args("--queue", "chronicle", "--data-dir", data.toString());
        long[][] ts = new long[2][];

        try (ServerProcess p = ServerProcess.start(LOGS, "chronicle-1", chronicle)) {
            ts[0] = sendToOffline(p, "first");
            p.terminate();
            assertThat(p.awaitExit()).isEqualTo(143);
        }
        try (ServerProcess p = ServerProcess.start(LOGS, "chronicle-2", chronicle)) {
            ts[1] = sendToOffline(p, "second");
            p.process.destroyForcibly(); // kill -9: no shutdown hook, no flush
            assertThat(p.awaitExit()).isEqualTo(137);
        }
        try (java.util.stream.Stream<Path> files = Files.list(data)) {
            assertThat(files.count()).as("queue files in %s", data).isPositive();
        }
        try (ServerProcess p = ServerProcess.start(LOGS, "chronicle-3", chronicle);
             ChatClient bob = p.connect("netty-ws", "bob/phone")) {
            Pattern msg = Pattern.compile("\\{\"type\":\"msg\",\"from\":\"alice\",\"body\":\"(\\w+)\",\"ts\":(\\d+)}");
            for (int i = 0; i < 2; i++) {
                Matcher m = msg.matcher(bob.next());
                assertThat(m.matches()).isTrue();
                assertThat(m.group(1)).isEqualTo(i == 0 ? "first" : "second");
                assertThat(Long.parseLong(m.group(2))).as("the time the earlier server accepted it").isBetween(ts[i][0], ts[i][1]);
            }
            bob.expectNothingPending();
        }
    }

    @Test
    @DisplayName("--queue chronicle --delivery at-least-once: after kill -9, what bob's device did not acknowledge comes again with the same ids, what it acknowledged does not, ids go on increasing")
    void atLeastOnceSurvivesKill() throws Exception {
        Path data = dir.resolve("tok-data-alo");
        String[] alo = args("--queue", "chronicle", "--data-dir", data.toString(), "--delivery", "at-least-once");
        Pattern msg = Pattern.compile("\\{\"type\":\"msg\",\"id\":(\\d+),\"from\":\"alice\",\"body\":\"(\\w+)\",\"ts\":\\d+}");
        long[] ids = new long[3];
        try (ServerProcess p = ServerProcess.start(LOGS, "alo-1", alo)) {
            for (String body : new String[] {"one", "two", "three"}) {
                sendToOffline(p, body);
            }
            try (ChatClient bob = p.connect("tcp", "bob/phone")) {
                for (int i = 0; i < 3; i++) {
                    Matcher m = msg.matcher(bob.next());
                    assertThat(m.matches()).isTrue();
                    ids[i] = Long.parseLong(m.group(1));
                }
                bob.send("{\"type\":\"received\",\"id\":" + ids[0] + "}");
                bob.expectNothingPending(); // its answer follows the stored acknowledgement
            }
            p.process.destroyForcibly(); // kill -9: two and three were written, never acknowledged
            assertThat(p.awaitExit()).isEqualTo(137);
        }
        try (ServerProcess p = ServerProcess.start(LOGS, "alo-2", alo)) {
            try (ChatClient bob = p.connect("netty-ws", "bob/phone")) {
                for (int i = 1; i < 3; i++) {
                    Matcher m = msg.matcher(bob.next());
                    assertThat(m.matches()).isTrue();
                    assertThat(Long.parseLong(m.group(1))).isEqualTo(ids[i]);
                    assertThat(m.group(2)).isEqualTo(i == 1 ? "two" : "three");
                }
                bob.expectNothingPending();
                try (ChatClient alice = p.connect("tcp", "alice")) {
                    alice.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":\"four\",\"cid\":\"four\"}");
                    assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"four\"}");
                }
                Matcher m = msg.matcher(bob.next());
                assertThat(m.matches()).isTrue();
                assertThat(m.group(2)).isEqualTo("four");
                assertThat(Long.parseLong(m.group(1))).as("ids go on increasing after the restart").isGreaterThan(ids[2]);
            }
        }
    }

    @Test
    @DisplayName("--queue redis: Lettuce and the redis queue work from the shaded jar; a message for an offline user waits in Redis across a restart of the server")
    void redisQueueAcrossRestart() throws Exception {
        try (RedisServer redis = RedisServer.start(dir, RedisServer.Persistence.NONE)) {
            String[] onRedis = args("--queue", "redis", "--redis-uri", redis.uri());
            long[] ts;
            try (ServerProcess p = ServerProcess.start(LOGS, "redis-1", onRedis)) {
                ts = sendToOffline(p, "waiting");
                p.terminate();
                assertThat(p.awaitExit()).isEqualTo(143);
            }
            assertThat(redis.command("XLEN tok:{bob}:log")).isEqualTo(":1");
            try (ServerProcess p = ServerProcess.start(LOGS, "redis-2", onRedis);
                 ChatClient bob = p.connect("tcp", "bob/phone")) {
                Matcher m = Pattern.compile("\\{\"type\":\"msg\",\"from\":\"alice\",\"body\":\"waiting\",\"ts\":(\\d+)}")
                        .matcher(bob.next());
                assertThat(m.matches()).isTrue();
                assertThat(Long.parseLong(m.group(1))).as("the time the earlier server accepted it").isBetween(ts[0], ts[1]);
                bob.expectNothingPending();
            }
        }
    }

    @Test
    @DisplayName("--cluster redis, two JVMs on one Redis: kill -9 of one node; its users are offline on the survivor within the lease, and messages for them are queued and delivered at their next login on the survivor")
    void clusterNodeKilled() throws Exception {
        try (RedisServer redis = RedisServer.start(dir, RedisServer.Persistence.NONE)) {
            String[] node = args("--cluster", "redis", "--redis-uri", redis.uri(), "--lease", "3");
            try (ServerProcess one = ServerProcess.start(LOGS, "cluster-1", node);
                 ServerProcess two = ServerProcess.start(LOGS, "cluster-2", node)) {
                assertThat(one.startLines().get(0)).matches("tok node node-[0-9a-f]{8}");
                assertThat(one.nodeId).isNotEqualTo(two.nodeId);
                try (ChatClient alice = one.connect("tcp", "alice"); ChatClient bob = two.connect("netty-ws", "bob")) {
                    assertThat(bob.online()).extracting(n -> n.asText()).contains("bob"); // bob's login completed on node two
                    // node one sees bob once node two registered him in Redis, just after his login there
                    org.awaitility.Awaitility.await("bob online on node one").atMost(java.time.Duration.ofSeconds(10))
                            .pollInterval(java.time.Duration.ofMillis(50))
                            .until(() -> users(alice).containsAll(List.of("alice", "bob")));
                    alice.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":\"before\",\"cid\":\"1\",\"ttl\":0}");
                    assertThat(bob.next()).startsWith("{\"type\":\"msg\",\"from\":\"alice\",\"body\":\"before\",");
                    assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"1\"}");

                    long killed = System.nanoTime();
                    two.process.destroyForcibly(); // kill -9: no shutdown hook, the lease is left to lapse
                    assertThat(two.awaitExit()).isEqualTo(137);
                    // within the lease bob still counts as online on node two, which does not answer: queued, not lost
                    alice.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":\"during\",\"cid\":\"2\"}");
                    assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"2\"}");
                    org.awaitility.Awaitility.await("bob offline on the survivor").atMost(java.time.Duration.ofSeconds(20))
                            .pollInterval(java.time.Duration.ofMillis(100))
                            .until(() -> !users(alice).contains("bob"));
                    long ms = (System.nanoTime() - killed) / 1_000_000;
                    // with the default lease (10 s, heartbeat 2 s) it could not happen before 8 s after the kill
                    assertThat(ms).as("ms from kill -9 to offline (lease 3 s + heartbeat 1 s + slack for a busy machine)")
                            .isLessThan(10_000);
                    alice.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":\"after\",\"cid\":\"3\"}");
                    assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"3\"}");
                    assertThat(alice.online()).extracting(n -> n.asText()).containsExactly("alice");
                }
                try (ChatClient bob = one.connect("tcp", "bob/phone")) {
                    assertThat(bob.next()).startsWith("{\"type\":\"msg\",\"from\":\"alice\",\"body\":\"during\",");
                    assertThat(bob.next()).startsWith("{\"type\":\"msg\",\"from\":\"alice\",\"body\":\"after\",");
                    bob.expectNothingPending();
                }
                one.terminate();
                assertThat(one.awaitExit()).isEqualTo(143);
                assertThat(one.remainingLines()).containsExactly("tok stopped");
            }
        }
    }

    /** @return the users of the answer to an online request */
    private static List<String> users(ChatClient client) {
        List<String> users = new java.util.ArrayList<>();
        client.online().forEach(n -> users.add(n.asText()));
        return users;
    }

    /** alice sends to offline bob and waits for the ack (queued); returns the bounds of the message's ts. */
    private static long[] sendToOffline(ServerProcess p, String body) {
        try (ChatClient alice = p.connect("tcp", "alice")) {
            long before = System.currentTimeMillis();
            alice.send("{\"type\":\"send\",\"to\":\"bob\",\"body\":\"" + body + "\",\"cid\":\"" + body + "\"}");
            assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"" + body + "\"}");
            long after = System.currentTimeMillis();
            // bob is not online: the online list proves the message went to the queue, not to a connection
            assertThat(alice.online()).extracting(n -> n.asText()).doesNotContain("bob");
            return new long[] {before, after};
        }
    }

    /** @return true when this JVM inherited an ignored SIGINT (then the child does, too) */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << 1)) != 0; // SIGINT = 2, bit 1
            }
        }
        return false;
    }
}
