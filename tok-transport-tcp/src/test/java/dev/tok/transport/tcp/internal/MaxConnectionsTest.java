package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A flood beyond max-connections: the extra connections are closed at once, the others carry on. */
class MaxConnectionsTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("observed");

    @Test
    @DisplayName("connections beyond max-connections are closed immediately; existing ones are unaffected")
    void floodBeyondMaxConnections() throws Exception {
        List<FrameClient> members = new ArrayList<>();
        try (TransportFixture f = TransportFixture.start(Map.of("max-connections", "5"))) {
            try {
                for (int i = 0; i < 5; i++) {
                    members.add(FrameClient.login(f.address, "member" + i));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> f.context.registrations.get() == 5);

                long maxMillis = 0;
                for (int i = 0; i < 50; i++) {
                    try (FrameClient extra = FrameClient.connect(f.address)) {
                        try {
                            extra.send("uid:intruder" + i);
                        } catch (java.net.SocketException alreadyClosed) {
                            // closed before we could even write: refused as well
                        }
                        maxMillis = Math.max(maxMillis, extra.awaitClosedByServer(Duration.ofSeconds(10)).toMillis());
                    }
                }
                LOG.info("max-connections 5: 50 extra connections each closed by the server, slowest after {} ms; "
                        + "registrations {}", maxMillis, f.context.registrations.get());
                assertThat(f.context.authRequests).hasSize(5);
                assertThat(f.context.registrations).hasValue(5);

                for (int i = 0; i < 5; i++) {
                    RecordingContext.RecordingConnection m = f.context.connection("member" + i);
                    assertThat(m.closed()).isFalse();
                    members.get(i).send("still here " + i);
                    assertThat(new String(m.nextFrame(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("still here " + i);
                    m.adapter.write(FrameClient.utf8("ack " + i));
                    assertThat(members.get(i).readString()).isEqualTo("ack " + i);
                }

                // a freed slot is usable again
                members.remove(0).close();
                await().atMost(Duration.ofSeconds(10)).until(() -> f.transport.openConnections() == 4);
                members.add(FrameClient.login(f.address, "newcomer"));
                await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("newcomer") != null);
            } finally {
                for (FrameClient m : members) {
                    m.close();
                }
            }
        }
    }
}
