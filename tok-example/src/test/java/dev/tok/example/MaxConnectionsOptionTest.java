package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code --max-connections}: every transport the example starts holds at most that many
 * connections (the default, 20000, is in {@link OptionsTest}).
 */
class MaxConnectionsOptionTest {

    @Test
    @DisplayName("--max-connections 2: on tcp, jetty-ws and netty-ws two users log in, a third connection is refused")
    void appliedToEveryTransport() throws Exception {
        try (ChatServer server = Servers.start(Map.of(), "--max-connections", "2")) {
            for (String transport : Servers.TRANSPORTS) {
                List<ChatClient> clients = new ArrayList<>();
                try {
                    clients.add(Servers.login(server, transport, Servers.user("max")));
                    clients.add(Servers.login(server, transport, Servers.user("max")));
                    if (transport.equals("tcp")) {
                        assertThat(refusedAtAccept(server.address("tcp"), Servers.user("max")))
                                .as("a third tcp connection is closed at accept").isTrue();
                    } else {
                        assertThatThrownBy(() -> Servers.connect(server, transport, Servers.user("max")).close())
                                .as("a third %s connection is refused", transport)
                                .isInstanceOf(AssertionError.class);
                    }
                } finally {
                    clients.forEach(ChatClient::close);
                }
            }
        }
    }

    /** Connects, sends the token and reports whether the server closed the socket instead of keeping it. */
    private static boolean refusedAtAccept(InetSocketAddress address, String token) throws IOException {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            try {
                byte[] t = token.getBytes(StandardCharsets.UTF_8);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(t.length);
                out.write(t);
                out.flush();
            } catch (java.net.SocketException closedAlready) {
                return true;
            }
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            try {
                return in.read() == -1;
            } catch (java.net.SocketTimeoutException stillOpen) {
                return false;
            } catch (java.net.SocketException reset) {
                return true;
            }
        }
    }
}
