package dev.tok.benchmarks.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.SendResult;
import org.junit.jupiter.api.Test;

/**
 * The JMH fixtures do what the benchmarks claim, run once without JMH: a send reaches the
 * in-memory connection and completes before it returns; a login kicks the previous connection;
 * a queue round trip drains what it enqueued.
 */
class BenchmarkFixturesTest {

    @Test
    void hubSendReachesTheInMemoryConnectionSynchronously() throws Exception {
        HubSendBenchmark b = new HubSendBenchmark();
        b.recipients = 3;
        b.payloadBytes = 100;
        b.setup();
        try {
            long[] before = new long[b.adapters.length];
            for (int i = 0; i < before.length; i++) {
                before[i] = b.adapters[i].framesWritten(); // setup's own sends (it waits for the direct path)
            }
            HubSendBenchmark.Cursor c = new HubSendBenchmark.Cursor();
            for (int i = 0; i < 6; i++) {
                var stage = b.send1Thread(c).toCompletableFuture();
                assertThat(stage).isCompleted();
                assertThat(stage.get().status()).isEqualTo(SendResult.Status.DELIVERED);
            }
            for (int i = 0; i < before.length; i++) {
                assertThat(b.adapters[i].framesWritten() - before[i]).isEqualTo(2);
                assertThat(b.adapters[i].bytesWritten()).isEqualTo(100 * b.adapters[i].framesWritten());
            }
        } finally {
            b.tearDown();
        }
    }

    @Test
    void loginChurnKicksThePreviousConnection() {
        LoginChurnBenchmark b = new LoginChurnBenchmark();
        b.users = 2;
        b.setup();
        try {
            LoginChurnBenchmark.Cursor c = new LoginChurnBenchmark.Cursor();
            c.next = 0;
            b.login1Thread(c);
            b.login1Thread(c);
            assertThat(b.hub.metrics().onlineConnections()).isEqualTo(2);
            b.login1Thread(c);
            b.login1Thread(c);
            assertThat(b.hub.metrics().onlineConnections()).isEqualTo(2);
            assertThat(b.hub.online()).containsExactlyInAnyOrder("user-0", "user-1");
        } finally {
            b.tearDown();
        }
    }

    @Test
    void memoryQueueRoundTripDrainsTheBatch() throws Exception {
        QueueBenchmark b = new QueueBenchmark();
        b.queue = "memory";
        b.payloadBytes = 4096;
        b.setup();
        try {
            assertThat(b.enqueueAndDrain()).isEqualTo(QueueBenchmark.BATCH);
            assertThat(b.q.size("user-0")).isZero();
        } finally {
            b.tearDown();
        }
    }
}
