package dev.tok.benchmarks.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code drain}: K messages are sent to a user who is offline (each with a cid, so the server
 * acknowledges once it queued it); once all K are acknowledged the user logs in, and the
 * scenario times connect-to-last-message.
 */
final class DrainScenario {

    record Result(int queued, long errors, double drainMillis, double msgsPerSecond, long received, boolean inOrder) {
    }

    private final Client client;
    private final Users.Dispatch dispatch;
    private final LongAdder acks = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final AtomicLong lastSeq = new AtomicLong(-1);
    private volatile boolean ordered = true;

    DrainScenario(Client client, Users.Dispatch dispatch) {
        this.client = client;
        this.dispatch = dispatch;
        dispatch.handler = (conn, in, arrival) -> {
            if (in.is("ack")) {
                acks.increment();
            } else if (in.is("error")) {
                errors.increment();
            } else if (in.is("msg") && in.s >= 0) {
                received.increment();
                if (lastSeq.getAndSet(in.s) >= in.s) {
                    ordered = false;
                }
            }
        };
    }

    Result run(String round, int k, int payloadBytes, double timeoutSeconds) throws InterruptedException {
        String sender = "drain-sender-" + round;
        String target = "drain-target-" + round;
        Client.Conn s = Users.connect(client, new String[] {sender}, dispatch, 1, 30)[0];
        acks.reset();
        errors.reset();
        received.reset();
        lastSeq.set(-1);
        ordered = true;
        int window = 500;
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        for (int i = 0; i < k; i++) {
            while (i - acks.sum() - errors.sum() >= window && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
            s.send(Frames.send(target, 0, i, payloadBytes, "c" + i, 3600));
        }
        while (acks.sum() + errors.sum() < k && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        int queued = (int) acks.sum();
        long t0 = System.nanoTime();
        Client.Conn r = client.connect(target, dispatch).join();
        long end = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        while (received.sum() < queued && System.nanoTime() < end) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        long got = received.sum();
        s.close();
        r.close();
        return new Result(queued, errors.sum(), ms, got / (ms / 1000), got, ordered && got == queued);
    }
}
