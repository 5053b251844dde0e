package dev.tok.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A second connection of a user registers while the user's first connection comes and goes
 * (single sign-on off): the first one registers and its peer closes it at once, so the second
 * registration may land before, between or after those steps, also while the user's slot is
 * being retired because it went empty. Afterwards the user's slot lists exactly the second
 * connection, open, and the hub's metrics say one connection of one user is online.
 *
 * <p>The metrics are hub-wide, so every instance builds a hub of its own (see {@link TestHubs})
 * and closes it in the arbiter, after reading the results.
 *
 * <p>Result: open connections listed for the user; closed connections listed; the online
 * connections metric; the online users metric.
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "the second connection alone is listed and counted")
@Outcome(id = ".*", expect = FORBIDDEN, desc = "a closed connection is listed, the open one is not, or the metrics disagree with the slot")
@State
public class RegisterVsConnectionCloseTest {
    private static final HubConfig CONFIG = TestHubs.config().noQueue().build();

    private final CoreHub hub = new CoreHub(CONFIG);
    private final InlineConnection second = new InlineConnection();

    /** The first connection: registers, then its peer goes away. */
    @Actor
    public void firstComesAndGoes() {
        InlineConnection first = InlineConnection.register(hub, Device.of("u", "first"));
        first.peerClose();
    }

    @Actor
    public void secondRegisters() {
        second.connection = hub.register(Device.of("u", "second"), second);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        int openListed = 0;
        int closedListed = 0;
        UserSlot slot = hub.slotIfPresent("u");
        if (slot != null) {
            for (HubConnection c : slot.conns) {
                if (c.isClosed()) {
                    closedListed++;
                } else if (c == second.connection) {
                    openListed++;
                }
            }
        }
        r.r1 = openListed;
        r.r2 = closedListed;
        r.r3 = (int) hub.metrics.onlineConnections();
        r.r4 = (int) hub.metrics.onlineUsers();
        hub.close();
    }
}
