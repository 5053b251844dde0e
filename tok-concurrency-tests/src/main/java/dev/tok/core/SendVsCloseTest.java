package dev.tok.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tok.api.Device;
import dev.tok.api.SendResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code Hub.send} to a user whose only connection closes at the same time. The send's stage
 * completes: delivered (the write won), queued (the user was offline, or the write failed and
 * the message was cached) or failed; it is never left incomplete. The connection completes its
 * writes inline, so a send written directly is complete when the actor returns; a send that
 * went through the user's chain completes on a hub worker, so the arbiter waits for it, at most
 * {@link #WAIT_SECONDS} seconds (a hop takes microseconds; a stage never completed by then
 * counts as never).
 *
 * <p>One hub for all instances, a user id per instance (see {@link TestHubs}). The state waits
 * until the login's drain finished, so that the send may take the fast path while the
 * connection is still open.
 *
 * <p>Result: 1 delivered, 2 queued, 3 failed, 0 not complete; closed connections still listed.
 */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "delivered before the connection closed")
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "queued: the user was offline, or the write failed and was cached")
@Outcome(id = "3, 0", expect = ACCEPTABLE_INTERESTING, desc = "failed")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "the send's stage never completed")
@Outcome(id = ".*", expect = FORBIDDEN, desc = "the closed connection is still listed")
@State
public class SendVsCloseTest {
    static final int WAIT_SECONDS = 10;
    private static final CoreHub HUB = new CoreHub(TestHubs.config().queue(new TestHubs.AcceptingQueue()).build());
    private static final byte[] PAYLOAD = {1};
    private static final Duration TTL = Duration.ofMinutes(1);

    private final String uid = TestHubs.uid("send-");
    private final InlineConnection conn = InlineConnection.register(HUB, Device.of(uid, "d"));
    private volatile CompletableFuture<SendResult> sent;

    public SendVsCloseTest() {
        // Bounded: should the drain never end, the send goes through the chain, still a race worth running.
        UserSlot slot = HUB.slotIfPresent(uid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (int spins = 0; slot != null && !idle(slot) && System.nanoTime() < deadline; spins++) {
            if (spins > 100) {
                Thread.yield();
            }
        }
    }

    private static boolean idle(UserSlot slot) {
        synchronized (slot) {
            return slot.fastPathOpen();
        }
    }

    @Actor
    public void send() {
        sent = HUB.send(uid, PAYLOAD, TTL).toCompletableFuture();
    }

    @Actor
    public void close() {
        conn.peerClose();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        try {
            SendResult result = sent.get(WAIT_SECONDS, TimeUnit.SECONDS);
            r.r1 = result.status() == SendResult.Status.DELIVERED ? 1 : 2;
        } catch (ExecutionException e) {
            r.r1 = 3;
        } catch (TimeoutException e) {
            r.r1 = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.r1 = 0;
        }
        int closedListed = 0;
        UserSlot slot = HUB.slotIfPresent(uid);
        if (slot != null) {
            for (HubConnection c : slot.conns) {
                if (c.isClosed()) {
                    closedListed++;
                }
            }
        }
        r.r2 = closedListed;
    }
}
