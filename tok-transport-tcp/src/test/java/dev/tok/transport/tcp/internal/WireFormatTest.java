package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.AuthRequest;
import io.netty.channel.epoll.Epoll;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bytes on the wire, both directions, written and checked by hand so that a Go tok client
 * works unchanged: 4-byte unsigned big-endian length, then the payload; first frame = auth.
 * Runs on epoll and on NIO.
 */
@DisplayName("tcp wire format is Go tok's: 4-byte big-endian length + payload, first frame is the auth payload")
class WireFormatTest {

    @ParameterizedTest(name = "native-transport={0}")
    @ValueSource(booleans = {true, false})
    void framesInBothDirectionsHaveGoToksLayout(boolean nativeTransport) throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("native-transport", Boolean.toString(nativeTransport)));
                FrameClient c = FrameClient.connect(f.address)) {
            // auth frame "uid:alice" = 9 bytes
            c.sendRaw(new byte[] {0, 0, 0, 9, 'u', 'i', 'd', ':', 'a', 'l', 'i', 'c', 'e'});
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("alice") != null);
            AuthRequest request = f.context.authRequests.get(0);
            assertThat(request.transport()).isEqualTo("tcp");
            assertThat(request.firstFrame()).hasValueSatisfying(b -> assertThat(b).isEqualTo(FrameClient.utf8("uid:alice")));
            assertThat(((InetSocketAddress) request.remoteAddress()).getPort()).isEqualTo(c.localAddress().getPort());
            RecordingContext.RecordingConnection alice = f.context.connection("alice");
            assertThat(alice.adapter.transport()).isEqualTo("tcp");

            // a zero-length frame, a 1-byte frame and a 300-byte frame (length 0x0000012C) in one TCP write
            byte[] big = new byte[300];
            new Random(1).nextBytes(big);
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            batch.write(new byte[] {0, 0, 0, 0});
            batch.write(new byte[] {0, 0, 0, 1, 42});
            batch.write(new byte[] {0, 0, 1, 0x2C});
            batch.write(big);
            c.sendRaw(batch.toByteArray());
            assertThat(alice.nextFrame()).isEmpty();
            assertThat(alice.nextFrame()).containsExactly(42);
            assertThat(alice.nextFrame()).isEqualTo(big);

            // one frame dribbled a byte at a time
            for (byte b : new byte[] {0, 0, 0, 3, 'x', 'y', 'z'}) {
                c.sendRaw(new byte[] {b});
            }
            assertThat(alice.nextFrame()).containsExactly('x', 'y', 'z');

            // 70000 bytes: length 0x00011170, spans several reads
            byte[] large = new byte[70_000];
            new Random(2).nextBytes(large);
            c.sendRaw(new byte[] {0, 0x01, 0x11, 0x70});
            c.sendRaw(large);
            assertThat(alice.nextFrame()).isEqualTo(large);

            // server to client
            alice.adapter.write(FrameClient.utf8("abc")).toCompletableFuture().get();
            assertThat(c.readRaw(7)).containsExactly(0, 0, 0, 3, 'a', 'b', 'c');
            alice.adapter.write(new byte[0]).toCompletableFuture().get();
            assertThat(c.readRaw(4)).containsExactly(0, 0, 0, 0);
            alice.adapter.write(large).toCompletableFuture().get();
            assertThat(c.readRaw(4)).containsExactly(0, 0x01, 0x11, 0x70);
            assertThat(c.readRaw(large.length)).isEqualTo(large);

            // frames were handed to the hub on the transport's I/O thread
            assertThat(alice.frameThread.getName()).startsWith("tok-tcp-io");
        }
    }

    @Test
    @DisplayName("writes from many threads keep each thread's order, and every stage completes")
    void writesKeepCallOrder() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of()); FrameClient c = FrameClient.login(f.address, "bob")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("bob") != null);
            RecordingContext.RecordingConnection bob = f.context.connection("bob");
            int threads = 4;
            int perThread = 500;
            List<CompletableFuture<Void>> all = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        all.add(bob.adapter.write(FrameClient.utf8(id + ":" + i)).toCompletableFuture());
                    }
                });
                writers.add(w);
            }
            writers.forEach(Thread::start);
            int[] next = new int[threads];
            for (int n = 0; n < threads * perThread; n++) {
                String[] parts = c.readString().split(":");
                int id = Integer.parseInt(parts[0]);
                assertThat(Integer.parseInt(parts[1])).as("frame order of writer %d", id).isEqualTo(next[id]);
                next[id]++;
            }
            for (Thread w : writers) {
                w.join();
            }
            assertThat(next).containsOnly(perThread);
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(all).hasSize(threads * perThread).allMatch(w -> w.isDone() && !w.isCompletedExceptionally());
        }
    }

    @Test
    @DisplayName("on Linux x86_64 the native epoll transport is available (the native jar ships as a runtime dependency)")
    void epollIsAvailableOnLinux() {
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            assertThat(Epoll.isAvailable()).as("epoll unavailable: %s", Epoll.unavailabilityCause()).isTrue();
        }
    }
}
