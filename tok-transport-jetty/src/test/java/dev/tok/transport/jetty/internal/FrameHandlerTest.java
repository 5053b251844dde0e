package dev.tok.transport.jetty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokException;
import dev.tok.api.spi.ConAdapter;
import dev.tok.api.spi.Connection;
import dev.tok.api.spi.Settings;
import dev.tok.api.spi.TransportContext;
import dev.tok.api.spi.WriteListener;
import dev.tok.transport.support.WsSettings;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link JettyWsConnection} as Jetty's frame handler, against a recording {@link CoreSession}:
 * demand and the hub's pause, joined fragments, UTF-8, write stages and abort.
 */
class FrameHandlerTest {

    private final AtomicInteger demands = new AtomicInteger();
    private final AtomicInteger aborts = new AtomicInteger();
    private final List<Frame> sent = new ArrayList<>();
    private final List<Callback> sendCallbacks = new ArrayList<>();
    private final List<byte[]> received = new ArrayList<>();
    private final List<CloseReason> closed = new ArrayList<>();
    private JettyWsCore core;
    private JettyWsConnection connection;

    @BeforeEach
    void open() {
        Map<String, String> raw = new HashMap<>(Map.of("max-message-size", "100"));
        core = new JettyWsCore(WsSettings.parse(Settings.of("transport 'jetty-ws'", raw), WsSettings.COMMON_NAMES),
                () -> new InetSocketAddress(0));
        HubConfig config = HubConfig.builder().actor((d, p) -> { }).noQueue()
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d"))).build();
        core.start(new TransportContext() {
            @Override
            public HubConfig config() {
                return config;
            }

            @Override
            public CompletionStage<Device> authenticate(dev.tok.api.AuthRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Connection register(Device device, ConAdapter adapter) {
                return hubConnection(device);
            }
        });
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        connection = core.newConnection(Device.of("u", "d"), remote, core.guard().admit(remote));
        connection.onOpen(session(), Callback.NOOP);
    }

    @AfterEach
    void stop() {
        core.stop();
    }

    private Connection hubConnection(Device device) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
            switch (m.getName()) {
                case "device":
                    return device;
                case "onFrame":
                    received.add((byte[]) args[0]);
                    return null;
                case "onClosed":
                    closed.add((CloseReason) args[0]);
                    return null;
                default:
                    return null;
            }
        });
    }

    private CoreSession session() {
        return (CoreSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CoreSession.class}, (p, m, args) -> {
            switch (m.getName()) {
                case "demand":
                    demands.incrementAndGet();
                    return null;
                case "abort":
                    aborts.incrementAndGet();
                    return null;
                case "sendFrame":
                    if (args.length == 3) {
                        sent.add((Frame) args[0]);
                        sendCallbacks.add((Callback) args[1]);
                    }
                    return null;
                case "hashCode":
                    return System.identityHashCode(p);
                case "equals":
                    return p == args[0];
                default:
                    return defaultValue(m.getReturnType());
            }
        });
    }

    private static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return Boolean.FALSE;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    private static Frame text(String s, boolean fin) {
        return new Frame(OpCode.TEXT, fin, ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("each message demands the next frame; while the hub paused reading the demand waits for resume")
    void demandFollowsPauseAndResume() {
        assertThat(demands).as("the first frame, on open").hasValue(1);
        connection.onFrame(text("a", true), Callback.NOOP);
        assertThat(demands).hasValue(2);
        connection.pauseReading();
        connection.onFrame(text("b", true), Callback.NOOP);
        assertThat(received).hasSize(2);
        assertThat(demands).as("withheld while paused").hasValue(2);
        connection.resumeReading();
        assertThat(demands).as("demanded on resume").hasValue(3);
        connection.resumeReading();
        assertThat(demands).as("a resume without a withheld demand demands nothing").hasValue(3);
    }

    @Test
    @DisplayName("fragments are joined into one message; a text message that is not UTF-8 fails the frame (Jetty closes with 1007)")
    void fragmentsAndUtf8() {
        connection.onFrame(text("hel", false), Callback.NOOP);
        connection.onFrame(new Frame(OpCode.CONTINUATION, true, ByteBuffer.wrap("lo".getBytes(StandardCharsets.UTF_8))),
                Callback.NOOP);
        assertThat(received).singleElement().satisfies(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("hello"));
        List<Throwable> failures = new ArrayList<>();
        connection.onFrame(new Frame(OpCode.TEXT, true, ByteBuffer.wrap(new byte[] {(byte) 0xc3, 0x28})),
                Callback.from(() -> { }, failures::add));
        assertThat(failures).singleElement().isInstanceOf(BadPayloadException.class);
        assertThat(received).hasSize(1);
    }

    @Test
    @DisplayName("a write is one frame whose callback completes the stage, with success or failure")
    void writeStages() {
        CompletionStage<Void> ok = connection.write("hi".getBytes(StandardCharsets.UTF_8));
        CompletionStage<Void> failed = connection.write(new byte[] {(byte) 0xff});
        assertThat(sent).extracting(Frame::getOpCode).containsExactly(OpCode.TEXT, OpCode.BINARY);
        sendCallbacks.get(0).succeeded();
        sendCallbacks.get(1).failed(new java.io.IOException("broken pipe"));
        assertThat(ok.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(failed.toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    @DisplayName("a write with a listener: Jetty's callback tells the listener once, null when written, a TokException "
            + "naming the user when not; after an abort the listener is told at once, nothing is sent")
    void listenerWrites() {
        List<Throwable> outcomes = new ArrayList<>();
        WriteListener listener = f -> outcomes.add(f == null ? new Throwable("written") : f);
        connection.write("hi".getBytes(StandardCharsets.UTF_8), listener);
        connection.write("there".getBytes(StandardCharsets.UTF_8), listener);
        assertThat(outcomes).as("nothing before Jetty's callbacks").isEmpty();
        sendCallbacks.get(0).succeeded();
        sendCallbacks.get(1).failed(new java.io.IOException("broken pipe"));
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes.get(0)).hasMessage("written");
        assertThat(outcomes.get(1)).isInstanceOf(TokException.class).hasMessageContaining("write to u failed")
                .hasRootCauseMessage("broken pipe");
        connection.abort(CloseReason.KICKED);
        int before = sent.size();
        connection.write("late".getBytes(StandardCharsets.UTF_8), listener);
        assertThat(sent).hasSize(before);
        assertThat(outcomes).hasSize(3);
        assertThat(outcomes.get(2)).isInstanceOf(TokException.class).hasMessage("connection of u is closed");
    }

    @Test
    @DisplayName("abort with writes pending drops the connection at once; the close reports the abort's reason")
    void abortWithPendingWrites() {
        connection.write("x".getBytes(StandardCharsets.UTF_8));
        connection.abort(CloseReason.KICKED);
        assertThat(aborts).hasValue(1);
        assertThat(connection.write("y".getBytes(StandardCharsets.UTF_8)).toCompletableFuture()).isCompletedExceptionally();
        connection.onClosed(new CloseStatus(CloseStatus.NO_CLOSE, "aborted"), Callback.NOOP);
        connection.onClosed(new CloseStatus(CloseStatus.NO_CLOSE, "aborted"), Callback.NOOP);
        assertThat(closed).containsExactly(CloseReason.KICKED);
    }
}
