package dev.tok.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code --edge-limits}: off (the default), a local server takes more connections from one
 * address than a transport's per-IP cap; on, the cap (256 on tcp) refuses the rest at accept.
 */
class EdgeLimitsOptionTest {
    private static final int CONNECTIONS = 270;

    /**
     * Opens TCP connections that log in as distinct users, 16 at a time, each batch waiting until
     * the hub lists its users or {@code cap} users are online (so the logins in progress stay under
     * the unauthenticated-per-IP cap of 32); the caller closes them.
     */
    private static List<Socket> logins(ChatServer server, String prefix, int cap) throws IOException {
        InetSocketAddress address = server.address("tcp");
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket s = new Socket(address.getAddress(), address.getPort());
            sockets.add(s);
            byte[] token = (prefix + i).getBytes(UTF_8);
            try {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(token.length);
                out.write(token);
                out.flush();
            } catch (java.net.SocketException refusedAtAccept) {
                // beyond a cap the server closed it before the token went out: counted as refused below
            }
            if (sockets.size() % 16 == 0 || i == CONNECTIONS - 1) {
                int want = Math.min(sockets.size(), cap);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
                        .until(() -> server.hub().online().size() >= want);
            }
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing: nothing to do
            }
        }
    }

    /** @return true when the server closed the socket (end of stream or a reset within a short read) */
    private static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(50);
        InputStream in = s.getInputStream();
        try {
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (java.net.SocketException reset) {
            return true; // closed at accept with unread data: the peer resets
        }
    }

    @Test
    @DisplayName("off (default): 270 connections from 127.0.0.1 all log in, past the transports' per-IP cap of 256")
    void offByDefault() throws Exception {
        try (ChatServer server = Servers.start(Map.of())) {
            List<Socket> sockets = logins(server, "off", CONNECTIONS);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> server.hub().online().size() == CONNECTIONS);
            } finally {
                closeAll(sockets);
            }
        }
    }

    @Test
    @DisplayName("on: the tcp transport refuses connections from one address beyond 256 at accept")
    void onRefusesBeyondThePerIpCap() throws Exception {
        try (ChatServer server = Servers.start(Map.of(), "--edge-limits", "on")) {
            List<Socket> sockets = logins(server, "on", 256);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> server.hub().online().size() == 256);
                int refused = 0;
                for (Socket s : sockets.subList(256, CONNECTIONS)) { // the first 256 logged in, batch by batch
                    if (closedByServer(s)) {
                        refused++;
                    }
                }
                assertThat(refused).isEqualTo(CONNECTIONS - 256);
                assertThat(server.hub().online()).hasSize(256);
            } finally {
                closeAll(sockets);
            }
        }
    }
}
