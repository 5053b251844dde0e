package dev.tok.transport.tcp.internal;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.TransportContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub side of the transport contract without tok-core, for tests of the transport alone:
 * it authenticates on its own worker thread (as the hub does) and records every request,
 * registration, frame and close.
 *
 * <p>Auth payloads (UTF-8): {@code uid:<name>} accepts as device ({@code <name>}, "d");
 * {@code hang} never completes; anything else is rejected with {@link AuthenticationException}.
 */
final class RecordingContext implements TransportContext, AutoCloseable {

    private final HubConfig config;
    private final ExecutorService authWorker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-auth-worker");
        t.setDaemon(true);
        return t;
    });
    final List<AuthRequest> authRequests = new CopyOnWriteArrayList<>();
    final Map<String, RecordingConnection> connections = new ConcurrentHashMap<>();
    final AtomicInteger registrations = new AtomicInteger();
    volatile TokException registerFailure;
    /** Makes register() pause reading before it returns, as the hub may. */
    volatile boolean pauseOnRegister;

    RecordingContext(HubConfig config) {
        this.config = config;
    }

    /** A context whose hub has no read timeout (pings on, which the transport ignores). */
    static RecordingContext withoutReadTimeout() {
        return new RecordingContext(HubConfig.builder().actor((d, p) -> { }).pingGenerator(() -> new byte[0]).build());
    }

    /** A context whose hub closes silent connections after {@code readTimeout}. */
    static RecordingContext withReadTimeout(Duration readTimeout) {
        return new RecordingContext(HubConfig.builder().actor((d, p) -> { }).readTimeout(readTimeout).build());
    }

    /** A context with the given hub auth and write timeouts. */
    static RecordingContext withTimeouts(Duration authTimeout, Duration writeTimeout) {
        return new RecordingContext(HubConfig.builder().actor((d, p) -> { }).pingGenerator(() -> new byte[0])
                .authTimeout(authTimeout).writeTimeout(writeTimeout).build());
    }

    @Override
    public HubConfig config() {
        return config;
    }

    @Override
    public CompletionStage<Device> authenticate(AuthRequest request) {
        authRequests.add(request);
        String payload = new String(request.firstFrame().orElseThrow(), StandardCharsets.UTF_8);
        if (payload.equals("hang")) {
            return new CompletableFuture<>();
        }
        return CompletableFuture.supplyAsync(() -> {
            if (payload.startsWith("uid:")) {
                return Device.of(payload.substring(4), "d");
            }
            throw new AuthenticationException("bad credentials");
        }, authWorker);
    }

    @Override
    public Connection register(Device device, ConAdapter adapter) {
        TokException failure = registerFailure;
        if (failure != null) {
            throw failure;
        }
        registrations.incrementAndGet();
        RecordingConnection c = new RecordingConnection(device, adapter);
        if (pauseOnRegister) {
            adapter.pauseReading();
        }
        connections.put(device.uid(), c);
        return c;
    }

    RecordingConnection connection(String uid) {
        return connections.get(uid);
    }

    @Override
    public void close() {
        authWorker.shutdownNow();
    }

    /** What the hub would see of one registered connection. */
    static final class RecordingConnection implements Connection {
        final Device device;
        final ConAdapter adapter;
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger framesReceived = new AtomicInteger();
        volatile Thread frameThread;
        /** Runs on the I/O thread for every frame after it was recorded; null for none. */
        volatile java.util.function.Consumer<byte[]> frameHook;

        RecordingConnection(Device device, ConAdapter adapter) {
            this.device = device;
            this.adapter = adapter;
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public void onFrame(byte[] frame) {
            frameThread = Thread.currentThread();
            framesReceived.incrementAndGet();
            frames.add(frame);
            java.util.function.Consumer<byte[]> hook = frameHook;
            if (hook != null) {
                hook.accept(frame);
            }
        }

        /** The reason of the first {@link #onClosed}; null while open. */
        volatile dev.tok.api.CloseReason reason;
        final AtomicInteger activity = new AtomicInteger();

        @Override
        public void onActivity() {
            activity.incrementAndGet();
        }

        @Override
        public void onClosed(dev.tok.api.CloseReason why) {
            if (closes.getAndIncrement() == 0) {
                reason = why;
            }
        }

        byte[] nextFrame() throws InterruptedException {
            byte[] f = frames.poll(10, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame from " + device.uid() + " within 10 s");
            }
            return f;
        }

        boolean closed() {
            return closes.get() > 0;
        }
    }
}
