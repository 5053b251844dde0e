package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tok.api.CloseReason;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.WriteListener;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConAdapter#write(byte[], WriteListener)} on real loopback connections, plain and TLS:
 * the pooled writes behind it are settled exactly once each (a pooled object settled twice, or
 * reused while still queued, would tell some listener twice, another never, or mix up frames).
 * The writers are Netty threads, where the pool is used.
 */
class ListenerWriteTest {

    private static final int WRITERS = 4;

    @TempDir
    static Path dir;
    static TestCertificates pki;

    /**
     * The writers: plain threads and Netty threads in turn (a hub's senders run on its workers and,
     * with an inline actor, on event loops); both take pooled writes, from their own stripes.
     */
    private final ExecutorService threads = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();
        private final ThreadFactory netty = new DefaultThreadFactory("listener-writers-netty");

        @Override
        public Thread newThread(Runnable r) {
            return n.getAndIncrement() % 2 == 0 ? new Thread(r, "listener-writers-plain") : netty.newThread(r);
        }
    });

    @BeforeAll
    static void certificates() throws Exception {
        pki = new TestCertificates();
        TestCertificates.writeChain(pki.server, dir.resolve("server.pem"));
        TestCertificates.writeKey(pki.server, dir.resolve("server.key"));
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** One write's listener: how often it was told, and what. */
    private static final class Outcome implements WriteListener {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        @Override
        public void writeCompleted(Throwable f) {
            failure.set(f);
            calls.incrementAndGet();
        }
    }

    private static byte[] payload(int writer, int seq) {
        return ByteBuffer.allocate(8).putInt(writer).putInt(seq).array();
    }

    @Test
    @DisplayName("plain: writers on several threads, each listener told once with success, every frame once in each writer's order")
    void concurrentListenersPlain() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of());
                FrameClient c = FrameClient.login(f.address, "plain")) {
            concurrentWriters(f, c, "plain");
        }
    }

    @Test
    @DisplayName("TLS: the pooled promises pass through Netty's SslHandler: each listener told once, frames in order")
    void concurrentListenersTls() throws Exception {
        Map<String, String> tls = Map.of("tls-cert", dir.resolve("server.pem").toString(),
                "tls-key", dir.resolve("server.key").toString());
        try (TransportFixture f = TransportFixture.start(tls);
                FrameClient c = TlsTest.tlsClient(f.address, pki.clientContext(null))) {
            c.send("uid:secure");
            concurrentWriters(f, c, "secure");
        }
    }

    private void concurrentWriters(TransportFixture f, FrameClient c, String uid) throws Exception {
        int perWriter = 2000;
        await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection(uid) != null);
        ConAdapter adapter = f.context.connection(uid).adapter;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Outcome>>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            writers.add(threads.submit(() -> {
                go.await();
                List<Outcome> mine = new ArrayList<>(perWriter);
                for (int i = 0; i < perWriter; i++) {
                    Outcome o = new Outcome();
                    mine.add(o);
                    if (i % 2 == 0) {
                        adapter.write(payload(id, i), o);
                    } else {
                        adapter.write(payload(id, i)).whenComplete((v, e) -> o.writeCompleted(e)); // both methods mixed
                    }
                }
                return mine;
            }));
        }
        go.countDown();
        int[] next = new int[WRITERS];
        for (int n = 0; n < WRITERS * perWriter; n++) {
            ByteBuffer frame = ByteBuffer.wrap(c.readFrame());
            int writer = frame.getInt();
            assertThat(frame.getInt()).as("writer %d's frames once each, in order", writer).isEqualTo(next[writer]++);
        }
        List<Outcome> all = new ArrayList<>();
        for (Future<List<Outcome>> w : writers) {
            all.addAll(w.get(10, TimeUnit.SECONDS));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> all.stream().allMatch(o -> o.calls.get() >= 1));
        assertThat(c.staysOpenFor(Duration.ofMillis(200))).as("no frame twice").isTrue();
        assertThat(all).allSatisfy(o -> {
            assertThat(o.calls.get()).as("told once").isEqualTo(1);
            assertThat(o.failure.get()).isNull();
        });
        assertThat(((TcpConnection) adapter).pendingBytes()).isZero();
    }

    @Test
    @DisplayName("a listener that writes the next frame from inside its call (the pooled object is reused at once): 2,000 in order")
    void listenerWritesAgain() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of());
                FrameClient c = FrameClient.login(f.address, "chain")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("chain") != null);
            ConAdapter adapter = f.context.connection("chain").adapter;
            int total = 2000;
            AtomicInteger told = new AtomicInteger();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            WriteListener chain = new WriteListener() {
                @Override
                public void writeCompleted(Throwable failure) {
                    if (failure != null) {
                        failed.set(failure);
                        return;
                    }
                    int n = told.incrementAndGet();
                    if (n < total) {
                        adapter.write(payload(0, n), this);
                    }
                }
            };
            adapter.write(payload(0, 0), chain);
            for (int i = 0; i < total; i++) {
                ByteBuffer frame = ByteBuffer.wrap(c.readFrame());
                assertThat(frame.getInt()).isZero();
                assertThat(frame.getInt()).isEqualTo(i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> told.get() == total);
            assertThat(failed.get()).isNull();
        }
    }

    @Test
    @DisplayName("abort with the socket buffers full: every listener is told exactly once; the failures say why; "
            + "the peer receives exactly the frames reported written; later writes fail at once")
    void abortTellsEveryListenerOnce() throws Exception {
        int frameBytes = 16 * 1024;
        try (TransportFixture f = TransportFixture.start(Map.of("high-water-mark", "64KiB", "write-timeout", "1m",
                "max-pending-bytes", "256MiB"));
                FrameClient c = FrameClient.login(f.address, "gone")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("gone") != null);
            ConAdapter adapter = f.context.connection("gone").adapter;
            List<Outcome> all = new ArrayList<>();
            threads.submit(() -> {
                for (int i = 0; i < 2048; i++) { // 32 MiB: more than loopback socket buffers hold; the client does not read
                    Outcome o = new Outcome();
                    all.add(o);
                    adapter.write(new byte[frameBytes], o);
                }
            }).get(10, TimeUnit.SECONDS);
            Outcome last = all.get(all.size() - 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> last.calls.get() == 0);
            adapter.abort(CloseReason.KICKED);
            await().atMost(Duration.ofSeconds(2)).until(() -> all.stream().allMatch(o -> o.calls.get() >= 1));
            assertThat(all).allSatisfy(o -> assertThat(o.calls.get()).as("told once").isEqualTo(1));
            List<Throwable> failures = all.stream().map(o -> o.failure.get()).filter(e -> e != null).toList();
            assertThat(failures).isNotEmpty().allSatisfy(e -> assertThat(e).hasMessageContaining("not written")
                    .hasMessageContaining("kicked"));
            int received = 0;
            try {
                while (true) {
                    assertThat(c.readFrame()).hasSize(frameBytes);
                    received++;
                }
            } catch (IOException e) {
                // the end of the connection
            }
            assertThat(received).as("frames received = writes reported written").isEqualTo(all.size() - failures.size());
            Outcome late = new Outcome();
            adapter.write(new byte[] {1}, late);
            assertThat(late.calls.get()).as("told before write returned").isEqualTo(1);
            assertThat(late.failure.get()).hasMessageContaining("not written");
        }
    }
}
