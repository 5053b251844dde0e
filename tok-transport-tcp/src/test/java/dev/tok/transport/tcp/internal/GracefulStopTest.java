package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** stop(): stop accepting, close connections (after flushing, bounded), release the port and the threads. */
class GracefulStopTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");

    @Test
    @DisplayName("stop with open, half-open and stuck connections completes in bounded time and releases the port")
    void stopWithConnectionsOpen() throws Exception {
        RecordingContext ctx = RecordingContext.withoutReadTimeout();
        TransportFixture f = TransportFixture.start(ctx, Map.of("shutdown-grace-period", "1s", "high-water-mark", "64KiB",
                "max-pending-bytes", "64MiB"));
        List<FrameClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(FrameClient.login(f.address, "user" + i));
            }
            FrameClient unauthenticated = FrameClient.connect(f.address);
            clients.add(unauthenticated);
            FrameClient stuck = FrameClient.login(f.address, "stuck");
            clients.add(stuck);
            FrameClient hanging = FrameClient.login(f.address, "hang-placeholder");
            clients.add(hanging);
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.registrations.get() == 5);
            // a client mid-authentication (authenticator never answers)
            FrameClient midAuth = FrameClient.connect(f.address);
            midAuth.send("hang");
            clients.add(midAuth);
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.authRequests.size() == 6);

            // the stuck client never reads: fill its socket and leave writes pending in the transport
            List<CompletableFuture<Void>> stuckWrites = new ArrayList<>();
            RecordingContext.RecordingConnection s = ctx.connection("stuck");
            for (int i = 0; i < 1024; i++) {
                stuckWrites.add(s.adapter.write(new byte[16 * 1024]).toCompletableFuture());
            }
            // a last frame to a reading client, written just before stop: it must still arrive (flush before close)
            ctx.connection("user0").adapter.write(FrameClient.utf8("last words"));

            Duration took = f.stop(Duration.ofSeconds(10));
            LOG.info("stop with 7 connections (5 registered, 1 unauthenticated, 1 mid-auth, one of them stuck with "
                    + "pending writes): completed in {} ms", took.toMillis());

            assertThat(clients.get(0).readString()).isEqualTo("last words");
            for (FrameClient c : List.of(clients.get(0), clients.get(1), clients.get(2), unauthenticated, hanging, midAuth)) {
                c.awaitClosedByServer(Duration.ofSeconds(10));
            }
            for (String uid : List.of("user0", "user1", "user2", "stuck", "hang-placeholder")) {
                assertThat(ctx.connection(uid).closes).as(uid).hasValue(1);
            }
            CompletableFuture.allOf(stuckWrites.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null).join();
            assertThat(stuckWrites).anyMatch(CompletableFuture::isCompletedExceptionally);
            assertThat(f.transport.openConnections()).isZero();

            // the port is free: nobody accepts, and it can be bound again
            InetSocketAddress address = f.address;
            assertThatThrownBy(() -> new Socket().connect(address, 2000)).isInstanceOf(ConnectException.class);
            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(address);
            }
            // the I/O threads are gone
            await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("tok-tcp-")));
            // stop is idempotent, writes after stop fail
            assertThat(f.transport.stop().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(1));
            assertThat(s.adapter.write(new byte[1]).toCompletableFuture()).isCompletedExceptionally();
        } finally {
            for (FrameClient c : clients) {
                c.close();
            }
            f.close();
        }
    }

    @Test
    @DisplayName("stop of an idle transport completes quickly; start after stop fails; stop before start completes")
    void lifecycleEdges() throws Exception {
        TransportFixture f = TransportFixture.start(Map.of());
        Duration took = f.stop(Duration.ofSeconds(10));
        LOG.info("stop of an idle transport: {} ms", took.toMillis());
        assertThat(f.transport.start(f.context).toCompletableFuture()).failsWithin(Duration.ofSeconds(1));
        f.close();

        TcpServerTransport unstarted = (TcpServerTransport) new TcpTransportProvider()
                .create(dev.tok.api.spi.Settings.of("transport 'tcp'", Map.of("port", "0")));
        assertThat(unstarted.stop().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(1));
    }

    @Test
    @DisplayName("a port in use fails start with a message naming the address and the fix")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                RecordingContext ctx = RecordingContext.withoutReadTimeout()) {
            TcpServerTransport t = (TcpServerTransport) new TcpTransportProvider().create(dev.tok.api.spi.Settings.of("transport 'tcp'",
                    Map.of("host", "127.0.0.1", "port", Integer.toString(taken.getLocalPort()))));
            assertThat(t.start(ctx).toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(dev.tok.api.TokException.class)
                    .withMessage("transport 'tcp' could not bind 127.0.0.1:" + taken.getLocalPort()
                            + ": address already in use; choose another 'port' (tok.transport.tcp.port) or stop the process using it");
            assertThat(t.stop().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
        }
    }
}
