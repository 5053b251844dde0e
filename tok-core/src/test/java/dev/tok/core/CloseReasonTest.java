package dev.tok.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.testkit.InMemoryConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The close hook and the adapter learn why a connection closed. */
class CloseReasonTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    @DisplayName("single sign-on, kick, the peer and Hub.close each give the hook and the adapter their own reason")
    void eachCloseHasItsReason() {
        Map<String, CloseReason> seen = new ConcurrentHashMap<>();
        CoreHub hub = fx.hub(HubFixture.config().closeHook((d, r) -> seen.put(d.uid() + "/" + d.deviceId(), r)).build());
        InMemoryConnection replaced = fx.connect(hub, Device.of("alice", "old"));
        fx.connect(hub, Device.of("alice", "new"));
        InMemoryConnection kicked = fx.connect(hub, Device.of("bob", "d"));
        hub.kick("bob");
        InMemoryConnection gone = fx.connect(hub, Device.of("carol", "d"));
        gone.peerClose();
        InMemoryConnection shut = fx.connect(hub, Device.of("dave", "d"));
        await().until(() -> seen.size() == 3);
        hub.close();

        assertThat(seen).containsEntry("alice/old", CloseReason.SSO_REPLACED)
                .containsEntry("bob/d", CloseReason.KICKED)
                .containsEntry("carol/d", CloseReason.PEER_CLOSED)
                .containsEntry("dave/d", CloseReason.SERVER_SHUTDOWN)
                .containsEntry("alice/new", CloseReason.SERVER_SHUTDOWN);
        assertThat(replaced.closedWith()).contains(CloseReason.SSO_REPLACED);
        assertThat(kicked.closedWith()).contains(CloseReason.KICKED);
        assertThat(gone.closedWith()).isEmpty();
        assertThat(shut.closedWith()).contains(CloseReason.SERVER_SHUTDOWN);
    }

    @Test
    @DisplayName("the hub's own reason wins over the transport's report of the close that followed")
    void hubReasonWins() {
        Map<String, CloseReason> seen = new ConcurrentHashMap<>();
        CoreHub hub = fx.hub(HubFixture.config().closeHook((d, r) -> seen.put(d.deviceId(), r)).build());
        InMemoryConnection c = fx.connect(hub, Device.of("erin", "d"));
        hub.kick("erin");
        c.connection().onClosed(CloseReason.IO_ERROR);
        await().until(() -> seen.containsKey("d"));
        assertThat(seen.get("d")).isEqualTo(CloseReason.KICKED);
    }
}
