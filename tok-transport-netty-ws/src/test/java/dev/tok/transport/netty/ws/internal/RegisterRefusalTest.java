package dev.tok.transport.netty.ws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.CloseReason;
import dev.tok.api.ConnectionLimitException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokException;
import dev.tok.api.TokServer;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.Transport;
import dev.tok.testkit.RawWebSocket;
import dev.tok.testkit.RegisterInterceptor;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Only a {@link ConnectionLimitException} from the hub's register becomes CONNECTION_LIMIT (1013,
 * "connection limit"); any other {@link TokException} is a server error (1011), not a limit the
 * client should wait out.
 */
class RegisterRefusalTest {

    @Test
    @DisplayName("register failing with ConnectionLimitException closes with 1013 'connection limit'")
    void connectionLimit() throws Exception {
        assertThat(closeWhenRegisterThrows(new ConnectionLimitException("limit reached")))
                .isEqualTo(CloseReason.CONNECTION_LIMIT.code() + " " + CloseReason.CONNECTION_LIMIT.text());
    }

    @Test
    @DisplayName("register failing with another TokException closes with 1011 'server error', not as a connection limit")
    void otherTokException() throws Exception {
        assertThat(closeWhenRegisterThrows(new TokException("something else broke")))
                .isEqualTo(CloseReason.SERVER_ERROR.code() + " " + CloseReason.SERVER_ERROR.text());
    }

    /** @return the close frame's "code text" the client receives */
    private static String closeWhenRegisterThrows(RuntimeException failure) throws Exception {
        HubConfig config = HubConfig.builder().actor((d, p) -> { }).noQueue()
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d"))).build();
        Transport real = new NettyWsProvider().create(Settings.of("transport '" + "netty-ws" + "'",
                Map.of("host", "127.0.0.1", "port", "0")));
        Transport refusing = RegisterInterceptor.around(real, (hub, device, adapter) -> {
            throw failure;
        });
        try (TokServer server = TokServer.builder(config).transport(refusing).build().start();
                Socket socket = new Socket()) {
            InetSocketAddress address = (InetSocketAddress) server.listeners().get(0).address();
            socket.connect(address, 10_000);
            socket.setSoTimeout(20_000);
            assertThat(RawWebSocket.upgrade(socket, address, "/ws?token=x")).startsWith("HTTP/1.1 101");
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int opcode = in.readUnsignedByte() & 0x0f;
            assertThat(opcode).as("a close frame").isEqualTo(0x8);
            int length = in.readUnsignedByte() & 0x7f;
            byte[] payload = new byte[length];
            in.readFully(payload);
            int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
            return code + " " + new String(payload, 2, length - 2, StandardCharsets.UTF_8);
        }
    }
}
