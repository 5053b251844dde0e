package dev.tok.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tok.api.Device;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Inbound backpressure (issue 11, item 3): an I/O thread hands frames to
 * {@link HubConnection#onFrame} while the actor executor drains the connection's inbox. With
 * {@code maxPendingFrames = 1} the I/O side pauses reading when a second frame is pending; the
 * drain resumes it when the inbox is empty again. Invariant: once every frame reached the
 * {@code Actor}, reading is not paused (pauses minus resumes is 0). A connection left paused with
 * nothing left to deliver never reads again: a deaf zombie (tcp even skips its read timeout
 * while paused).
 *
 * <p>Set-up: the first frame arrives while the state is built, so a drain is scheduled; the
 * {@code drain} actor runs it (it is the actor executor) while the {@code io} actor hands over
 * the second frame. A drain scheduled later (the second frame found the inbox empty) runs in the
 * arbiter, as an executor would run it eventually. The actor marks each delivered frame by
 * setting its first byte.
 */
@JCStressTest
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "both frames delivered; reading not paused, or paused and resumed")
@Outcome(id = "2, 1", expect = FORBIDDEN, desc = "both frames delivered and reading left paused: the connection is deaf")
@Outcome(id = ".*", expect = FORBIDDEN, desc = "a frame was lost or reading was resumed more often than paused")
@State
public class PauseResumeTest {

    /**
     * The actor executor of the shared hub: it hands the drain to the test instance whose
     * thread scheduled it (through {@link #MAILBOX}), so each instance has an actor executor of
     * its own without a hub of its own.
     */
    private static final ThreadLocal<ArrayDeque<Runnable>> MAILBOX = new ThreadLocal<>();
    private static final Executor ROUTER = task -> {
        ArrayDeque<Runnable> mailbox = MAILBOX.get();
        if (mailbox == null) {
            throw new RejectedExecutionException("no test instance on this thread");
        }
        synchronized (mailbox) {
            mailbox.addLast(task);
        }
    };

    /**
     * One hub for every instance (see {@link TestHubs}); connections are built directly and
     * never registered, since frames do not need a registration. The actor marks each frame
     * delivered.
     */
    private static final CoreHub HUB = new CoreHub(TestHubs.config()
            .actor((connection, payload) -> payload[0] = 1)
            .actorExecutor(ROUTER)
            .maxPendingFrames(1)
            .noQueue()
            .build());
    private static final Device DEVICE = Device.of("pause", "d");

    private final ArrayDeque<Runnable> mailbox = new ArrayDeque<>(2);
    private final InlineConnection adapter = new InlineConnection();
    private final HubConnection conn = new HubConnection(HUB, DEVICE, adapter);
    private final byte[] first = new byte[1];
    private final byte[] second = new byte[1];

    public PauseResumeTest() {
        MAILBOX.set(mailbox);
        try {
            conn.onFrame(first);
        } finally {
            MAILBOX.remove();
        }
    }

    /** The transport's I/O thread: the second frame arrives. */
    @Actor
    public void io() {
        MAILBOX.set(mailbox);
        try {
            conn.onFrame(second);
        } finally {
            MAILBOX.remove();
        }
    }

    /** The actor executor: runs the drain scheduled by the first frame. */
    @Actor
    public void drain() {
        runScheduled();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        runScheduled(); // whatever the second frame scheduled
        r.r1 = first[0] + second[0];
        r.r2 = adapter.pauses.get() - adapter.resumes.get();
    }

    private void runScheduled() {
        while (true) {
            Runnable task;
            synchronized (mailbox) {
                task = mailbox.pollFirst();
            }
            if (task == null) {
                return;
            }
            task.run();
        }
    }
}
