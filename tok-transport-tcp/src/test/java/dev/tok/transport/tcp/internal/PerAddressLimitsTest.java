package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The per-address limits count each client address on its own: clients bound to 127.0.0.2 and
 * 127.0.0.3 (loopback on Linux) are not refused for what 127.0.0.1 did.
 */
class PerAddressLimitsTest {

    private static FrameClient from(String local, SocketAddress server, String auth) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(local, 0));
        s.connect(server, 10_000);
        FrameClient c = new FrameClient(s);
        c.send(auth);
        return c;
    }

    @Test
    @DisplayName("max-connections-per-ip refuses a third connection from 127.0.0.1 only; 127.0.0.2 connects")
    void perAddressCap() throws Exception {
        List<FrameClient> open = new ArrayList<>();
        try (TransportFixture f = TransportFixture.start(Map.of("max-connections-per-ip", "2"))) {
            try {
                open.add(from("127.0.0.1", f.address, "uid:a1"));
                open.add(from("127.0.0.1", f.address, "uid:a2"));
                await().atMost(Duration.ofSeconds(10)).until(() -> f.context.registrations.get() == 2);
                try (FrameClient refused = from("127.0.0.1", f.address, "uid:a3")) {
                    refused.awaitClosedByServer(Duration.ofSeconds(10));
                }
                open.add(from("127.0.0.2", f.address, "uid:b1"));
                await().atMost(Duration.ofSeconds(10)).until(() -> f.context.registrations.get() == 3);
                assertThat(f.context.authRequests).hasSize(3);
            } finally {
                for (FrameClient c : open) {
                    c.close();
                }
            }
        }
    }

    @Test
    @DisplayName("an address banned after auth-failure-limit rejections is refused at accept; another address is not")
    void banIsPerAddress() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of("auth-failure-limit", "2", "auth-failure-ban", "1m"))) {
            for (int i = 0; i < 2; i++) {
                try (FrameClient bad = from("127.0.0.3", f.address, "wrong password")) {
                    bad.awaitClosedByServer(Duration.ofSeconds(10));
                }
            }
            try (FrameClient banned = from("127.0.0.3", f.address, "uid:now-honest")) {
                banned.awaitClosedByServer(Duration.ofSeconds(10));
            }
            assertThat(f.context.authRequests).as("the banned address never reached the authenticator").hasSize(2);
            try (FrameClient other = from("127.0.0.4", f.address, "uid:neighbour")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> f.context.registrations.get() == 1);
            }
        }
    }
}
