package dev.tok.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tok.api.Device;
import dev.tok.api.HubClosedException;
import dev.tok.api.HubConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A connection registers while the hub closes ({@link CoreHub#close()}). Either the hub refused
 * it ({@link HubClosedException}) or it was registered and then closed by the hub; never is a
 * registered connection left open, nor is a closed one still listed, and the online metrics
 * count exactly the open listed connections (none).
 *
 * <p>The invariant is about the whole hub, so every instance builds a hub of its own (see
 * {@link TestHubs} for why the other tests share one): a hub starts no thread until the
 * registration's drain, and its close stops that thread before the arbiter runs.
 *
 * <p>Result: registered (1) or refused (0); the connection is open (1); closed connections
 * still listed for the user; online connections in the metric minus open listed ones, plus the
 * online users in the metric (0 once every connection is closed).
 */
@JCStressTest
@Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "registered, then closed by the hub's close")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "refused: the hub was already closing")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "registered and still open after the hub closed")
@Outcome(id = ".*", expect = FORBIDDEN, desc = "a closed connection is listed, or the metrics count connections that are gone")
@State
public class RegisterVsHubCloseTest {
    private static final HubConfig CONFIG = TestHubs.config().noQueue().build();

    private final CoreHub hub = new CoreHub(CONFIG);
    private final Device device = Device.of("u", "d");
    private final InlineConnection adapter = new InlineConnection();
    private volatile boolean registered;

    @Actor
    public void register() {
        try {
            adapter.connection = hub.register(device, adapter);
            registered = true;
        } catch (HubClosedException e) {
            registered = false;
        }
    }

    @Actor
    public void close() {
        hub.close();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = registered ? 1 : 0;
        r.r2 = registered && !adapter.hubConnection().isClosed() ? 1 : 0;
        int closedListed = 0;
        int openListed = 0;
        UserSlot slot = hub.slotIfPresent(device.uid());
        if (slot != null) {
            for (HubConnection c : slot.conns) {
                if (c.isClosed()) {
                    closedListed++;
                } else {
                    openListed++;
                }
            }
        }
        r.r3 = closedListed;
        r.r4 = (int) (hub.metrics.onlineConnections() - openListed) + (int) hub.metrics.onlineUsers();
    }
}
