package dev.tok.benchmarks.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code fanout}: one sender sends one message to each of U users, as fast as it can write them
 * (one batch, one flush); a round ends when every recipient got its message. Latency is from
 * the start of the round to each arrival.
 */
final class FanoutScenario {

    record Result(int recipients, int rounds, double msgsPerSecond, Histogram latency, Histogram roundMillis, long missing,
            Histogram roundMicros) {
        /** @return time per delivered message: the median round time (µs precision) over the recipients, in µs */
        double microsPerMessage() {
            return roundMicros.getValueAtPercentile(50) / (double) recipients;
        }
    }

    private final Client.Conn sender;
    private final String[] recipients;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder received = new LongAdder();
    private volatile long roundStart;

    FanoutScenario(Client.Conn sender, String[] recipients, Users.Dispatch dispatch) {
        this.sender = sender;
        this.recipients = recipients;
        dispatch.handler = (conn, in, arrival) -> {
            if (in.is("msg") && in.t == roundStart) {
                received.increment();
                recorder.recordValue(Math.max(0, (arrival - in.t) / 1000));
            }
        };
    }

    Result run(int rounds, int payloadBytes, double timeoutSeconds) {
        Histogram roundTimes = new Histogram(3);
        Histogram roundMicros = new Histogram(3);
        long totalNanos = 0;
        long missing = 0;
        recorder.reset();
        int done = 0;
        for (int r = 0; r < rounds; r++) {
            received.reset();
            long t0 = System.nanoTime();
            roundStart = t0;
            byte[][] frames = new byte[recipients.length][];
            Client.Conn[] conns = new Client.Conn[recipients.length];
            for (int i = 0; i < recipients.length; i++) {
                frames[i] = Frames.send(recipients[i], t0, i, payloadBytes, null, -1);
                conns[i] = sender;
            }
            Client.sendBatch(conns, frames, frames.length);
            long deadline = t0 + (long) (timeoutSeconds * 1e9);
            while (received.sum() < recipients.length && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
            long took = System.nanoTime() - t0;
            totalNanos += took;
            roundTimes.recordValue(Math.max(1, took / 1_000_000));
            roundMicros.recordValue(Math.max(1, took / 1_000));
            missing += recipients.length - received.sum();
            done++;
            // let stragglers of this round land before the next one starts
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        double rate = (double) recipients.length * done / (totalNanos / 1e9);
        return new Result(recipients.length, done, rate, recorder.getIntervalHistogram(), roundTimes, missing, roundMicros);
    }
}
