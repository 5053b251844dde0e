package dev.tok.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Single sign-on: two devices of one user register at the same time. Exactly one connection
 * stays open and is the only one listed for the user; the other was closed with
 * {@link CloseReason#SSO_REPLACED}.
 *
 * <p>One hub for all instances, a user id per instance (see {@link TestHubs}); the arbiter
 * closes the surviving connection so the user's slot is retired.
 *
 * <p>Result: A open; B open; open connections listed for the user (closed ones count 10 each);
 * every closed connection was closed with {@code SSO_REPLACED} (1) or not (0).
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "B registered first and was replaced by A")
@Outcome(id = "0, 1, 1, 1", expect = ACCEPTABLE, desc = "A registered first and was replaced by B")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "both connections stay open")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "no connection stays open")
@Outcome(id = ".*", expect = FORBIDDEN, desc = "a closed connection is listed, the open one is not, or the close reason is wrong")
@State
public class SingleSignOnTest {
    private static final CoreHub HUB = new CoreHub(TestHubs.config().sso(true).noQueue().build());

    private final String uid = TestHubs.uid("sso-");
    private final InlineConnection a = new InlineConnection();
    private final InlineConnection b = new InlineConnection();

    @Actor
    public void registerA() {
        a.connection = HUB.register(Device.of(uid, "a"), a);
    }

    @Actor
    public void registerB() {
        b.connection = HUB.register(Device.of(uid, "b"), b);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        HubConnection ca = a.hubConnection();
        HubConnection cb = b.hubConnection();
        r.r1 = ca.isClosed() ? 0 : 1;
        r.r2 = cb.isClosed() ? 0 : 1;
        int listed = 0;
        UserSlot slot = HUB.slotIfPresent(uid);
        if (slot != null) {
            for (HubConnection c : slot.conns) {
                listed += c.isClosed() ? 10 : 1;
            }
        }
        r.r3 = listed;
        boolean reasonsRight = (!ca.isClosed() || a.closedWith == CloseReason.SSO_REPLACED)
                && (!cb.isClosed() || b.closedWith == CloseReason.SSO_REPLACED);
        r.r4 = reasonsRight ? 1 : 0;
        ca.close(CloseReason.KICKED);
        cb.close(CloseReason.KICKED);
    }
}
