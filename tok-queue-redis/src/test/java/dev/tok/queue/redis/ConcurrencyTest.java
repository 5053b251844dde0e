package dev.tok.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Device;
import dev.tok.api.Queue;
import dev.tok.api.QueuedMessage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scripts are atomic: producers enqueue to one user from several threads while each of the
 * user's devices reads after its cursor and acknowledges from its own thread. Every device gets
 * every message once, in id order; messages go once every device acknowledged them.
 */
class ConcurrencyTest {

    @Test
    @DisplayName("concurrent enqueues and per-device acknowledgements: each device sees every message once, in order; all are removed at the end")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void enqueueAndAcknowledgeConcurrently() throws Exception {
        int producers = 4;
        int perProducer = 400;
        int devices = 3;
        try (Queue q = TestRedis.open(TestRedis.shared(), "key-prefix", TestRedis.uniquePrefix())) {
            for (int d = 0; d < devices; d++) {
                q.cursor(Device.of("alice", "d" + d));
            }
            ExecutorService pool = Executors.newFixedThreadPool(producers + devices);
            AtomicBoolean producing = new AtomicBoolean(true);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> producerFutures = new ArrayList<>();
            List<Future<List<Long>>> deviceFutures = new ArrayList<>();
            try {
                for (int p = 0; p < producers; p++) {
                    int producer = p;
                    producerFutures.add(pool.submit(() -> {
                        start.await();
                        long last = 0;
                        for (int i = 0; i < perProducer; i++) {
                            long id = q.enqueue("alice", ByteBuffer.allocate(8).putInt(producer).putInt(i).array(),
                                    Instant.now().plusSeconds(3600));
                            assertThat(id).isGreaterThan(last);
                            last = id;
                        }
                        return null;
                    }));
                }
                for (int d = 0; d < devices; d++) {
                    Device device = Device.of("alice", "d" + d);
                    deviceFutures.add(pool.submit(() -> {
                        start.await();
                        List<Long> seen = new ArrayList<>();
                        while (true) {
                            boolean more = producing.get();
                            List<QueuedMessage> batch = q.read("alice", q.cursor(device), 1 + seen.size() % 17);
                            for (QueuedMessage m : batch) {
                                seen.add(m.id());
                            }
                            if (!batch.isEmpty()) {
                                q.acknowledge(device, batch.get(batch.size() - 1).id());
                            } else if (!more) {
                                return seen;
                            }
                        }
                    }));
                }
                start.countDown();
                for (Future<?> f : producerFutures) {
                    f.get(100, TimeUnit.SECONDS);
                }
                producing.set(false);
                for (Future<List<Long>> f : deviceFutures) {
                    List<Long> seen = f.get(100, TimeUnit.SECONDS);
                    assertThat(seen).hasSize(producers * perProducer).isSorted().doesNotHaveDuplicates();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(q.size("alice")).isZero();
        }
    }
}
