package dev.tok.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.AuthenticationException;
import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.SendResult;
import dev.tok.api.TokServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tcp transport under the real hub (tok-core) and the default memory queue, assembled by TokServer. */
class HubIntegrationTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");

    static {
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
    }

    /** Auth payload {@code uid:<name>} is accepted, anything else rejected. */
    private static HubConfig.Builder config() {
        return HubConfig.builder().authenticator(request -> {
            String auth = new String(request.firstFrame().orElseThrow(), StandardCharsets.UTF_8);
            return auth.startsWith("uid:") ? CompletableFuture.completedFuture(Device.of(auth.substring(4), "test"))
                    : CompletableFuture.failedFuture(new AuthenticationException("bad auth payload"));
        });
    }

    private static TokServer start(HubConfig config, Map<String, String> tcp) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("host", "127.0.0.1", "port", "0"));
        settings.putAll(tcp);
        return TokServer.builder(config).transport("tcp", settings).build().start();
    }

    private static InetSocketAddress address(TokServer server) {
        return (InetSocketAddress) server.address("tcp").orElseThrow();
    }

    @Test
    @DisplayName("Go tok bytes end to end: auth frame to the Authenticator, frames to the Actor, Hub.send to the wire")
    void goTokBytesThroughTheHub() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        HubConfig config = config().actor((device, payload) -> received.add(device.uid() + ">" + new String(payload,
                StandardCharsets.UTF_8))).pingGenerator(() -> new byte[0]).build();
        try (TokServer server = start(config, Map.of()); FrameClient c = FrameClient.connect(address(server))) {
            c.sendRaw(new byte[] {0, 0, 0, 7, 'u', 'i', 'd', ':', 'g', 'o', '1'});
            c.sendRaw(new byte[] {0, 0, 0, 2, 'h', 'i', 0, 0, 0, 0});
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("go1>hi");
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("go1>");
            Hub hub = server.hub();
            SendResult r = hub.send("go1", "yo".getBytes(StandardCharsets.UTF_8), Duration.ZERO).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
            assertThat(c.readRaw(6)).containsExactly(0, 0, 0, 2, 'y', 'o');
        }
    }

    @Test
    @DisplayName("1,000 concurrent authenticated connections exchange messages through the hub")
    void thousandConnections() throws Exception {
        int n = 1000;
        AtomicReference<Hub> hubRef = new AtomicReference<>();
        // every frame "to:<uid>:<text>" is forwarded by the actor to that user
        HubConfig config = config().actor((device, payload) -> {
            String s = new String(payload, StandardCharsets.UTF_8);
            int colon = s.indexOf(':', 3);
            hubRef.get().send(s.substring(3, colon), (device.uid() + " says " + s.substring(colon + 1))
                    .getBytes(StandardCharsets.UTF_8), Duration.ZERO);
        }).pingGenerator(() -> new byte[0]).build();
        try (TokServer server = start(config, Map.of())) {
            hubRef.set(server.hub());
            InetSocketAddress address = address(server);
            FrameClient[] clients = new FrameClient[n];
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                long t0 = System.nanoTime();
                List<Future<?>> logins = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int id = i;
                    logins.add(pool.submit(() -> {
                        clients[id] = FrameClient.login(address, "u" + id);
                        return null;
                    }));
                }
                for (Future<?> f : logins) {
                    f.get(30, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> server.hub().metrics().onlineConnections() == n);
                long t1 = System.nanoTime();
                assertThat(server.hub().online()).hasSize(n);

                // each client sends one message to the next one, through the actor and Hub.send
                for (int i = 0; i < n; i++) {
                    clients[i].send("to:u" + ((i + 1) % n) + ":hello " + i);
                }
                for (int i = 0; i < n; i++) {
                    int from = (i + n - 1) % n;
                    assertThat(clients[i].readString()).isEqualTo("u" + from + " says hello " + from);
                }
                long t2 = System.nanoTime();
                // and the hub reaches all of them at once
                for (int i = 0; i < n; i++) {
                    server.hub().send("u" + i, ("broadcast " + i).getBytes(StandardCharsets.UTF_8), Duration.ZERO);
                }
                for (int i = 0; i < n; i++) {
                    assertThat(clients[i].readString()).isEqualTo("broadcast " + i);
                }
                long t3 = System.nanoTime();
                LOG.info("1000 connections: connected and authenticated in {} ms, 1000 peer messages through the actor in {} ms, "
                        + "1000 hub sends in {} ms; frames up {}, down {}", TimeUnit.NANOSECONDS.toMillis(t1 - t0),
                        TimeUnit.NANOSECONDS.toMillis(t2 - t1), TimeUnit.NANOSECONDS.toMillis(t3 - t2),
                        server.hub().metrics().framesUp(), server.hub().metrics().framesDown());
                assertThat(server.hub().metrics().framesUp()).isEqualTo(n);
            } finally {
                pool.shutdownNow();
                for (FrameClient c : clients) {
                    if (c != null) {
                        c.close();
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("slow consumer: closed after write-timeout above the high-water mark; ttl messages not written are queued "
            + "and delivered, in order, at the next login")
    void slowConsumerLosesNothing() throws Exception {
        HubConfig config = config().actor((d, p) -> { }).pingGenerator(() -> new byte[0]).build();
        try (TokServer server = start(config, Map.of("high-water-mark", "64KiB", "write-timeout", "500ms",
                "max-pending-bytes", "256MiB"))) {
            Hub hub = server.hub();
            int size = 8 * 1024;
            List<CompletableFuture<SendResult>> sends = new ArrayList<>();
            try (FrameClient slow = FrameClient.login(address(server), "slow")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.isOnline("slow"));
                // the client never reads; send until the transport closes it (at most 2048 messages, 16 MiB)
                for (int i = 0; i < 2048 && hub.isOnline("slow"); i++) {
                    byte[] payload = new byte[size];
                    ByteBuffer.wrap(payload).putInt(i);
                    sends.add(hub.send("slow", payload, Duration.ofMinutes(5)).toCompletableFuture());
                    if (i % 64 == 63) {
                        CompletableFuture<SendResult> last = sends.get(sends.size() - 1);
                        await().atMost(Duration.ofSeconds(10)).until(() -> last.isDone() || !hub.isOnline("slow"));
                    }
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> !hub.isOnline("slow"));
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            List<Integer> queued = new ArrayList<>();
            int delivered = 0;
            for (int i = 0; i < sends.size(); i++) {
                SendResult r = sends.get(i).join();
                if (r.queued()) {
                    queued.add(i);
                } else {
                    assertThat(r.status()).isEqualTo(SendResult.Status.DELIVERED);
                    delivered++;
                }
            }
            LOG.info("slow consumer through the hub: {} sends of 8 KiB, {} written to the socket before the close, {} queued",
                    sends.size(), delivered, queued.size());
            assertThat(queued).as("messages that could not be written are queued").isNotEmpty();
            assertThat(delivered + queued.size()).isEqualTo(sends.size());

            try (FrameClient back = FrameClient.login(address(server), "slow")) {
                List<Integer> got = new ArrayList<>();
                while (got.size() < queued.size()) {
                    byte[] f = back.readFrame();
                    assertThat(f).hasSize(size);
                    got.add(ByteBuffer.wrap(f).getInt());
                }
                assertThat(got).as("queued messages redelivered at the next login, in order").isEqualTo(queued);
            }
        }
    }

    @Test
    @DisplayName("read timeout with server pings: a client answering pings stays open, a silent one is closed, once")
    void pingsAndReadTimeout() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        HubConfig config = config().actor((d, p) -> { }).pingGenerator(() -> "ping".getBytes(StandardCharsets.UTF_8))
                .pingInterval(Duration.ofMillis(150)).readTimeout(Duration.ofMillis(600))
                .closeHook(d -> closes.incrementAndGet()).build();
        try (TokServer server = start(config, Map.of());
                FrameClient live = FrameClient.login(address(server), "live");
                FrameClient mute = FrameClient.login(address(server), "mute")) {
            long start = System.nanoTime();
            int pings = 0;
            // the live client answers every ping for 2.4 s: four read timeouts
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(2400)) {
                assertThat(live.readString()).isEqualTo("ping");
                live.send("pong");
                pings++;
            }
            assertThat(server.hub().isOnline("live")).isTrue();
            // the mute client got pings too but never sent anything: closed at the read timeout
            assertThat(server.hub().isOnline("mute")).isFalse();
            Duration muteClosed = mute.awaitClosedByServer(Duration.ofSeconds(10));
            LOG.info("pings every 150ms, read-timeout 600ms: live client answered {} pings in 2.4 s and stays online; "
                    + "mute client offline, close hook calls {}", pings, closes.get());
            assertThat(pings).isGreaterThanOrEqualTo(8);
            assertThat(muteClosed).isLessThan(Duration.ofSeconds(10));
            assertThat(closes).hasValue(1);
        }
    }

    @Test
    @DisplayName("TokServer.close with 50 connections open: bounded, every close hook runs once, clients see the end")
    void closeWithConnectionsOpen() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        HubConfig config = config().actor((d, p) -> { }).pingGenerator(() -> new byte[0]).closeHook(d -> closes.incrementAndGet())
                .build();
        TokServer server = start(config, Map.of("shutdown-grace-period", "1s"));
        List<FrameClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                clients.add(FrameClient.login(address(server), "c" + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.hub().metrics().onlineConnections() == 50);
            long t0 = System.nanoTime();
            server.close();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LOG.info("TokServer.close with 50 tcp connections: {} ms, close hook calls {}", took, closes.get());
            assertThat(took).isLessThan(10_000);
            for (FrameClient c : clients) {
                c.awaitClosedByServer(Duration.ofSeconds(10));
            }
            assertThat(closes).hasValue(50);
        } finally {
            server.close();
            for (FrameClient c : clients) {
                c.close();
            }
        }
    }
}
