package dev.tok.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.Device;
import dev.tok.api.spi.ConAdapter;
import dev.tok.testkit.InMemoryConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 7: no global lock or dispatcher on the send path. A send to Alice is held inside
 * her connection's write; a send to Bob from another thread must still complete.
 */
class ParallelSendTest {
    private final HubFixture fx = new HubFixture();

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
    }

    @Test
    void aSendHeldOnOneUserDoesNotHoldSendsToOthers() throws Exception {
        CoreHub hub = fx.hub(HubFixture.config().build());
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ConAdapter stuck = new ConAdapter() {
            @Override
            public CompletionStage<Void> write(byte[] frame) {
                inWrite.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close(dev.tok.api.CloseReason reason) {
            }

            @Override
            public String transport() {
                return "test";
            }

            @Override
            public SocketAddress remoteAddress() {
                return new InetSocketAddress(0);
            }
        };
        hub.register(Device.of("alice", "d"), stuck);
        InMemoryConnection bob = fx.connect(hub, "bob");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> toAlice = pool.submit(() -> hub.send("alice", "a".getBytes(UTF_8), Duration.ZERO));
            assertThat(inWrite.await(5, TimeUnit.SECONDS)).isTrue();

            Future<?> toBob = pool.submit(() -> hub.send("bob", "b".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join());
            toBob.get(5, TimeUnit.SECONDS);
            assertThat(bob.texts()).containsExactly("b");
            assertThat(release.getCount()).as("alice's write is still held").isEqualTo(1);
            assertThat(hub.online()).containsExactlyInAnyOrder("alice", "bob");
        } finally {
            release.countDown();
            pool.shutdown();
        }
    }
}
