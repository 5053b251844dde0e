package dev.tok.transport.netty.ws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokException;
import dev.tok.api.TokServer;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Transport;
import dev.tok.api.spi.WriteListener;
import dev.tok.testkit.RawWebSocket;
import dev.tok.testkit.RegisterInterceptor;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link NettyWsConnection#write(byte[], WriteListener)} over loopback, the adapter taken from a
 * real registration: each listener is told exactly once, after the frame went out, and a write to
 * a closed connection is told at once, on the calling thread, without throwing.
 */
class ListenerWriteTest {

    @Test
    @DisplayName("a listener write: text and binary frames arrive in order, each listener told once with null; "
            + "after close a write is told at once with a TokException and sends nothing")
    void listenerWrites() throws Exception {
        HubConfig config = HubConfig.builder().actor((d, p) -> { }).noQueue()
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d"))).build();
        Transport real = new NettyWsProvider().create(Settings.of("transport 'netty-ws'", Map.of("host", "127.0.0.1", "port", "0")));
        CompletableFuture<ConAdapter> adapter = new CompletableFuture<>();
        Transport capturing = RegisterInterceptor.around(real, (hub, device, a) -> {
            Connection c = hub.register(device, a);
            adapter.complete(a);
            return c;
        });
        try (TokServer server = TokServer.builder(config).transport(capturing).build().start(); Socket socket = new Socket()) {
            InetSocketAddress address = (InetSocketAddress) server.listeners().get(0).address();
            socket.connect(address, 10_000);
            socket.setSoTimeout(20_000);
            assertThat(RawWebSocket.upgrade(socket, address, "/ws?token=x")).startsWith("HTTP/1.1 101");
            DataInputStream in = new DataInputStream(socket.getInputStream());
            ConAdapter a = adapter.get(10, TimeUnit.SECONDS);

            List<String> outcomes = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                byte[] frame = i % 2 == 0 ? ("m" + i).getBytes(StandardCharsets.UTF_8) : new byte[] {(byte) 0xff, (byte) i};
                a.write(frame, f -> outcomes.add(n + ":" + (f == null ? "written" : f.toString())));
            }
            for (int i = 0; i < 100; i++) {
                int opcode = in.readUnsignedByte() & 0x0f;
                int length = in.readUnsignedByte() & 0x7f;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (i % 2 == 0) {
                    assertThat(opcode).as("frame %d: text", i).isEqualTo(0x1);
                    assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("m" + i);
                } else {
                    assertThat(opcode).as("frame %d: binary (not UTF-8)", i).isEqualTo(0x2);
                    assertThat(payload).containsExactly((byte) 0xff, (byte) i);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 100);
            assertThat(outcomes).allMatch(o -> o.endsWith(":written"));
            assertThat(outcomes.stream().map(o -> o.substring(0, o.indexOf(':'))).distinct()).hasSize(100);

            a.close(CloseReason.KICKED);
            Thread caller = Thread.currentThread();
            List<Object> late = new CopyOnWriteArrayList<>();
            WriteListener listener = f -> {
                late.add(f);
                late.add(Thread.currentThread() == caller);
            };
            a.write("late".getBytes(StandardCharsets.UTF_8), listener);
            assertThat(late).as("told at once, on the calling thread").hasSize(2);
            assertThat(late.get(0)).isInstanceOf(TokException.class)
                    .extracting(t -> ((Throwable) t).getMessage()).isEqualTo("connection of u is closed");
            assertThat(late.get(1)).isEqualTo(true);
            int opcode = in.readUnsignedByte() & 0x0f;
            assertThat(opcode).as("the close frame, not the late write").isEqualTo(0x8);
        }
    }
}
