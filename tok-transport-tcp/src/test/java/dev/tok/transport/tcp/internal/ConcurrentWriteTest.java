package dev.tok.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Many threads writing to one connection at once, over real loopback sockets: frames queued off
 * the event loop arrive exactly once and in each writer's order, every stage settles, and a close
 * while frames wait fails what was not written instead of leaving it hanging.
 */
class ConcurrentWriteTest {

    private static final int WRITERS = 4;
    /** The writer id of frames written on the event loop. */
    private static final int LOOP_WRITER = 99;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("writers on several threads and on the event loop: every frame arrives once, in each writer's order")
    void concurrentWritersKeepTheirOrder() throws Exception {
        int perWriter = 3000;
        int loopFrames = 500;
        try (TransportFixture f = TransportFixture.start(Map.of());
                FrameClient c = FrameClient.login(f.address, "busy")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("busy") != null);
            RecordingContext.RecordingConnection conn = f.context.connection("busy");
            TcpConnection tcp = (TcpConnection) conn.adapter;
            List<CompletableFuture<Void>> loopWrites = new CopyOnWriteArrayList<>();
            AtomicInteger loopSeq = new AtomicInteger();
            // every inbound frame makes the event loop itself write one, between the other writers' frames
            conn.frameHook = frame -> loopWrites.add(conn.adapter.write(payload(LOOP_WRITER, loopSeq.getAndIncrement()))
                    .toCompletableFuture());

            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<CompletableFuture<Void>>>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                writers.add(threads.submit(() -> {
                    go.await();
                    List<CompletableFuture<Void>> mine = new ArrayList<>(perWriter);
                    for (int i = 0; i < perWriter; i++) {
                        mine.add(conn.adapter.write(payload(id, i)).toCompletableFuture());
                    }
                    return mine;
                }));
            }
            Future<?> loopTrigger = threads.submit(() -> {
                go.await();
                for (int i = 0; i < loopFrames; i++) {
                    c.send(new byte[] {1});
                }
                return null;
            });
            go.countDown();

            int[] next = new int[LOOP_WRITER + 1];
            int total = WRITERS * perWriter + loopFrames;
            for (int n = 0; n < total; n++) {
                ByteBuffer frame = ByteBuffer.wrap(c.readFrame());
                assertThat(frame.remaining()).isEqualTo(8);
                int writer = frame.getInt();
                int seq = frame.getInt();
                assertThat(seq).as("frame %d of writer %d: each frame once, in the writer's order", seq, writer)
                        .isEqualTo(next[writer]);
                next[writer]++;
            }
            loopTrigger.get(10, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> all = new ArrayList<>(loopWrites);
            for (Future<List<CompletableFuture<Void>>> w : writers) {
                all.addAll(w.get(10, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(total);
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            for (int w = 0; w < WRITERS; w++) {
                assertThat(next[w]).isEqualTo(perWriter);
            }
            assertThat(next[LOOP_WRITER]).isEqualTo(loopFrames);
            assertThat(c.staysOpenFor(Duration.ofMillis(200))).as("no frame twice").isTrue();
            assertThat(tcp.pendingBytes()).isZero();
            assertThat(conn.closed()).isFalse();
        }
    }

    @Test
    @DisplayName("ConAdapter.close while other threads write: what was written arrives in order, the rest fails, nothing hangs")
    void closeWhileOtherThreadsWrite() throws Exception {
        try (TransportFixture f = TransportFixture.start(Map.of());
                FrameClient c = FrameClient.login(f.address, "leaving")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("leaving") != null);
            RecordingContext.RecordingConnection conn = f.context.connection("leaving");
            TcpConnection tcp = (TcpConnection) conn.adapter;
            CountDownLatch closeCalled = new CountDownLatch(1);
            List<Future<List<CompletableFuture<Void>>>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                writers.add(threads.submit(() -> {
                    List<CompletableFuture<Void>> mine = new ArrayList<>();
                    // until a write fails (the close); a writer done with its 50,000 frames first waits for the close
                    for (int i = 0; ; i++) {
                        if (i == 50_000) {
                            assertThat(closeCalled.await(10, TimeUnit.SECONDS)).isTrue();
                        }
                        CompletableFuture<Void> s = conn.adapter.write(payload(id, i)).toCompletableFuture();
                        mine.add(s);
                        if (s.isCompletedExceptionally()) {
                            return mine;
                        }
                    }
                }));
            }
            int[] next = new int[WRITERS];
            int received = 0;
            // the close comes from another thread while the writers are busy
            for (; received < 1000; received++) {
                receive(c, next);
            }
            threads.submit(() -> {
                conn.adapter.close(dev.tok.api.CloseReason.KICKED);
                closeCalled.countDown();
            });
            try {
                while (true) {
                    receive(c, next);
                    received++;
                }
            } catch (EOFException | SocketException e) {
                // closed by the server after the queued frames
            }

            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> w : writers) {
                all.addAll(w.get(10, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
            long ok = all.stream().filter(s -> !s.isCompletedExceptionally()).count();
            assertThat(all.size() - ok).as("writes after the close fail").isPositive();
            assertThat(received).as("every write that completed reached the client").isEqualTo(ok);
            await().atMost(Duration.ofSeconds(10)).until(conn::closed);
            assertThat(tcp.pendingBytes()).isZero();
        }
    }

    @Test
    @DisplayName("client gone while frames wait in the queue of a busy event loop: every write settles, none hangs")
    void peerResetWhileFramesAreQueued() throws Exception {
        int perWriter = 2000;
        try (TransportFixture f = TransportFixture.start(Map.of());
                FrameClient c = FrameClient.login(f.address, "gone")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("gone") != null);
            RecordingContext.RecordingConnection conn = f.context.connection("gone");
            TcpConnection tcp = (TcpConnection) conn.adapter;
            CountDownLatch loopHeld = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // holds the event loop, so that the writers' frames can only queue up
            conn.frameHook = frame -> {
                loopHeld.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            c.send(new byte[] {1});
            assertThat(loopHeld.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<List<CompletableFuture<Void>>>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                writers.add(threads.submit(() -> {
                    List<CompletableFuture<Void>> mine = new ArrayList<>(perWriter);
                    for (int i = 0; i < perWriter; i++) {
                        mine.add(conn.adapter.write(payload(id, i)).toCompletableFuture());
                    }
                    return mine;
                }));
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> w : writers) {
                all.addAll(w.get(10, TimeUnit.SECONDS));
            }
            assertThat(all).as("nothing is written while the event loop is held").noneMatch(CompletableFuture::isDone);
            assertThat(tcp.pendingBytes()).isEqualTo((long) WRITERS * perWriter * (4 + 8));
            c.socket.setSoLinger(true, 0); // close with a reset
            c.close();
            release.countDown();

            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
            assertThat(all).allMatch(CompletableFuture::isDone);
            await().atMost(Duration.ofSeconds(10)).until(conn::closed);
            assertThat(all).as("writes behind the reset fail").anyMatch(CompletableFuture::isCompletedExceptionally);
            assertThat(tcp.pendingBytes()).isZero();
            assertThat(conn.adapter.write(payload(0, perWriter)).toCompletableFuture()).isCompletedExceptionally();
        }
    }

    @Test
    @DisplayName("a write on the event loop goes behind the frames other threads queued before it")
    void eventLoopWriteWaitsBehindQueuedFrames() throws Exception {
        int queued = 100;
        try (TransportFixture f = TransportFixture.start(Map.of());
                FrameClient c = FrameClient.login(f.address, "mixed")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> f.context.connection("mixed") != null);
            RecordingContext.RecordingConnection conn = f.context.connection("mixed");
            CountDownLatch loopHeld = new CountDownLatch(1);
            CountDownLatch written = new CountDownLatch(1);
            List<CompletableFuture<Void>> writes = new CopyOnWriteArrayList<>();
            // one writer: frames 0..99 from a test thread while the event loop is held, then frame 100 on the loop
            conn.frameHook = frame -> {
                loopHeld.countDown();
                try {
                    assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                writes.add(conn.adapter.write(payload(0, queued)).toCompletableFuture());
            };
            c.send(new byte[] {1});
            assertThat(loopHeld.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < queued; i++) {
                writes.add(conn.adapter.write(payload(0, i)).toCompletableFuture());
            }
            written.countDown();
            int[] next = new int[1];
            for (int i = 0; i <= queued; i++) {
                receive(c, next);
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            assertThat(writes).hasSize(queued + 1);
        }
    }

    private static void receive(FrameClient c, int[] next) throws IOException {
        ByteBuffer frame = ByteBuffer.wrap(c.readFrame());
        int writer = frame.getInt();
        int seq = frame.getInt();
        assertThat(seq).as("frame %d of writer %d: each frame once, in the writer's order", seq, writer).isEqualTo(next[writer]);
        next[writer]++;
    }

    private static byte[] payload(int writer, int seq) {
        return ByteBuffer.allocate(8).putInt(writer).putInt(seq).array();
    }
}
