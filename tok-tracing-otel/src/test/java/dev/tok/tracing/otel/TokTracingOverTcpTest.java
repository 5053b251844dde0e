package dev.tok.tracing.otel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.OfflineException;
import dev.tok.api.TokServer;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The spans over a real TCP server, exported by the SDK to an {@link InMemorySpanExporter}. The
 * actor forwards {@code "uid:text"} to that uid with a one-minute ttl (queued when the uid is
 * offline, in the memory queue), and throws on {@code "boom"}; clients authenticate with
 * {@code uid/deviceId}.
 */
class TokTracingOverTcpTest {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private SdkTracerProvider tracerProvider;
    private OpenTelemetrySdk openTelemetry;
    private TokServer server;
    private final FramedSocketClient client = new FramedSocketClient();

    @BeforeAll
    static void patience() {
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(60));
    }

    @BeforeEach
    void sdk() {
        tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        tracerProvider.close();
    }

    private SocketAddress start(TokTracing tracing, UnaryOperator<HubConfig.Builder> more) {
        HubConfig.Builder config = HubConfig.builder()
                .authenticator(request -> {
                    String[] token = new String(request.firstFrame().orElseThrow(), UTF_8).split("/", 2);
                    return CompletableFuture.completedFuture(Device.of(token[0], token[1]));
                })
                .actor((connection, payload) -> {
                    String text = new String(payload, UTF_8);
                    if (text.equals("boom")) {
                        throw new IllegalStateException("the actor failed");
                    }
                    connection.hub().send(text.split(":", 2)[0], payload, Duration.ofMinutes(1));
                })
                .sso(false)
                .readTimeout(Duration.ofMinutes(1))
                .tracer(tracing);
        server = TokServer.builder(more.apply(config).build())
                .queue("memory", Map.of())
                .transport("tcp", Map.of("host", "127.0.0.1", "port", "0")).build().start();
        return server.address("tcp").orElseThrow();
    }

    private SocketAddress start(TokTracing tracing) {
        return start(tracing, UnaryOperator.identity());
    }

    private static String receive(ClientConnection c) throws Exception {
        return new String(c.receive(Duration.ofSeconds(20)).orElseThrow(() -> new AssertionError("nothing received")), UTF_8);
    }

    /** Waits until {@code count} spans named {@code name} ended, and returns them. */
    private List<SpanData> spans(String name, int count) {
        await().until(() -> named(name).size() >= count);
        List<SpanData> spans = named(name);
        assertThat(spans).as(name).hasSize(count);
        return spans;
    }

    private List<SpanData> named(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    private static void assertChildOf(SpanData child, SpanData parent) {
        assertThat(child.getTraceId()).as(child.getName() + "'s trace").isEqualTo(parent.getTraceId());
        assertThat(child.getParentSpanId()).as(child.getName() + "'s parent").isEqualTo(parent.getSpanId());
    }

    private void assertNoUid() {
        assertThat(exporter.getFinishedSpanItems()).isNotEmpty()
                .allSatisfy(s -> assertThat(s.getAttributes().get(TokTracing.UID)).as(s.getName()).isNull());
    }

    @Test
    @DisplayName("the actor's tok.receive is the parent of the tok.send it makes, with a tok.write per connection")
    void receiveSendAndWrites() throws Exception {
        SocketAddress address = start(TokTracing.create(openTelemetry));
        try (ClientConnection alice = client.connect(address, "alice/phone");
                ClientConnection bobPhone = client.connect(address, "bob/phone");
                ClientConnection bobTablet = client.connect(address, "bob/tablet")) {
            await().until(() -> server.hub().connections("bob").size() == 2 && server.hub().isOnline("alice"));
            alice.send("bob:hello".getBytes(UTF_8));
            assertThat(receive(bobPhone)).isEqualTo("bob:hello");
            assertThat(receive(bobTablet)).isEqualTo("bob:hello");

            SpanData receive = spans(TokTracing.RECEIVE, 1).get(0);
            SpanData send = spans(TokTracing.SEND, 1).get(0);
            List<SpanData> writes = spans(TokTracing.WRITE, 2);

            assertThat(receive.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(receive.getParentSpanContext().isValid()).as("receive is a root").isFalse();
            assertThat(receive.getAttributes().get(TokTracing.TRANSPORT)).isEqualTo("tcp");
            assertThat(receive.getAttributes().get(TokTracing.BODY_SIZE)).isEqualTo(9L);
            assertThat(receive.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

            assertChildOf(send, receive);
            assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(send.getAttributes().get(TokTracing.OUTCOME)).isEqualTo("delivered");
            assertThat(send.getAttributes().get(TokTracing.BODY_SIZE)).isEqualTo(9L);
            assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

            assertThat(writes).allSatisfy(w -> {
                assertChildOf(w, send);
                assertThat(w.getKind()).isEqualTo(SpanKind.INTERNAL);
                assertThat(w.getAttributes().get(TokTracing.TRANSPORT)).isEqualTo("tcp");
                assertThat(w.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
                assertThat(w.getEndEpochNanos()).as("a write ends before its send").isLessThanOrEqualTo(send.getEndEpochNanos());
            });
            assertThat(named(TokTracing.ENQUEUE)).isEmpty();
        }
        assertNoUid();
    }

    @Test
    @DisplayName("a send to an offline user has a tok.enqueue child with the message id; the login's tok.drain writes it")
    void enqueueAndDrain() throws Exception {
        SocketAddress address = start(TokTracing.create(openTelemetry));
        server.hub().send("carol", "later".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        SpanData send = spans(TokTracing.SEND, 1).get(0);
        SpanData enqueue = spans(TokTracing.ENQUEUE, 1).get(0);
        assertThat(send.getParentSpanContext().isValid()).as("sent outside an actor: a root").isFalse();
        assertThat(send.getAttributes().get(TokTracing.OUTCOME)).isEqualTo("queued");
        assertChildOf(enqueue, send);
        assertThat(enqueue.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(enqueue.getAttributes().get(TokTracing.MESSAGE_ID)).isEqualTo("1");
        assertThat(send.getAttributes().get(TokTracing.MESSAGE_ID)).isEqualTo("1");
        assertThat(named(TokTracing.WRITE)).isEmpty();

        try (ClientConnection carol = client.connect(address, "carol/phone")) {
            assertThat(receive(carol)).isEqualTo("later");
            SpanData drain = spans(TokTracing.DRAIN, 1).get(0);
            SpanData write = spans(TokTracing.WRITE, 1).get(0);
            assertThat(drain.getParentSpanContext().isValid()).isFalse();
            assertThat(drain.getKind()).isEqualTo(SpanKind.INTERNAL);
            assertThat(drain.getAttributes().get(TokTracing.MESSAGES)).isEqualTo(1L);
            assertChildOf(write, drain);
            assertThat(write.getAttributes().get(TokTracing.TRANSPORT)).isEqualTo("tcp");
        }
        assertNoUid();
    }

    @Test
    @DisplayName("at-least-once: every send has a tok.enqueue into the log, and a login's tok.resume writes what the device missed")
    void enqueueAndResumeAtLeastOnce() throws Exception {
        SocketAddress address = start(TokTracing.create(openTelemetry), c -> c.delivery(DeliveryMode.AT_LEAST_ONCE));
        server.hub().send("carol", "later".getBytes(UTF_8), Duration.ofMinutes(1)).toCompletableFuture().join();
        SpanData send = spans(TokTracing.SEND, 1).get(0);
        SpanData enqueue = spans(TokTracing.ENQUEUE, 1).get(0);
        assertChildOf(enqueue, send);
        assertThat(send.getAttributes().get(TokTracing.OUTCOME)).isEqualTo("queued");
        assertThat(send.getAttributes().get(TokTracing.MESSAGE_ID)).isEqualTo("1");

        try (ClientConnection carol = client.connect(address, "carol/phone")) {
            assertThat(receive(carol)).isEqualTo("later");
            SpanData resume = spans(TokTracing.RESUME, 1).get(0);
            SpanData write = spans(TokTracing.WRITE, 1).get(0);
            assertThat(resume.getAttributes().get(TokTracing.TRANSPORT)).isEqualTo("tcp");
            assertThat(resume.getAttributes().get(TokTracing.MESSAGES)).isEqualTo(1L);
            assertChildOf(write, resume);

            carol.send("carol:echo".getBytes(UTF_8)); // online: appended to the log, then written
            assertThat(receive(carol)).isEqualTo("carol:echo");
            SpanData receive = spans(TokTracing.RECEIVE, 1).get(0);
            SpanData live = spans(TokTracing.SEND, 2).stream().filter(s -> s != send && !s.getSpanId().equals(send.getSpanId()))
                    .findFirst().orElseThrow();
            assertChildOf(live, receive);
            assertThat(live.getAttributes().get(TokTracing.OUTCOME)).isEqualTo("delivered");
            assertThat(live.getAttributes().get(TokTracing.MESSAGE_ID)).isEqualTo("2");
            assertThat(spans(TokTracing.WRITE, 2)).anySatisfy(w -> assertChildOf(w, live));
            assertThat(spans(TokTracing.ENQUEUE, 2)).anySatisfy(e -> assertChildOf(e, live));
        }
        assertNoUid();
    }

    @Test
    @DisplayName("tok.uid is recorded only when the application opts in")
    void uidWhenOptedIn() throws Exception {
        SocketAddress address = start(TokTracing.builder(openTelemetry).recordUid(true).build());
        try (ClientConnection alice = client.connect(address, "alice/phone");
                ClientConnection bob = client.connect(address, "bob/phone")) {
            await().until(() -> server.hub().online().size() == 2);
            alice.send("bob:hi".getBytes(UTF_8));
            assertThat(receive(bob)).isEqualTo("bob:hi");
            assertThat(spans(TokTracing.RECEIVE, 1).get(0).getAttributes().get(TokTracing.UID)).isEqualTo("alice");
            assertThat(spans(TokTracing.SEND, 1).get(0).getAttributes().get(TokTracing.UID)).isEqualTo("bob");
            assertThat(spans(TokTracing.DRAIN, 2)).extracting(s -> s.getAttributes().get(TokTracing.UID))
                    .containsExactlyInAnyOrder("alice", "bob");
        }
    }

    @Test
    @DisplayName("a failed send and a failing actor end their spans with status ERROR and the exception recorded")
    void errors() throws Exception {
        SocketAddress address = start(TokTracing.create(openTelemetry));
        assertThatThrownBy(() -> server.hub().send("dave", "x".getBytes(UTF_8), Duration.ZERO).toCompletableFuture().join())
                .hasCauseInstanceOf(OfflineException.class);
        SpanData send = spans(TokTracing.SEND, 1).get(0);
        assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(send.getAttributes().get(TokTracing.OUTCOME)).isEqualTo("offline");
        assertThat(send.getEvents()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("exception");
            assertThat(e.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("exception.type")))
                    .isEqualTo(OfflineException.class.getName());
        });

        try (ClientConnection alice = client.connect(address, "alice/phone")) {
            alice.send("boom".getBytes(UTF_8));
            SpanData receive = spans(TokTracing.RECEIVE, 1).get(0);
            assertThat(receive.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(receive.getEvents()).extracting(e -> e.getName()).contains("exception");
            // the scope was closed: the next frame's span is a root again, not a child of the failed one
            alice.send("alice:again".getBytes(UTF_8));
            assertThat(receive(alice)).isEqualTo("alice:again");
            List<SpanData> receives = spans(TokTracing.RECEIVE, 2);
            assertThat(receives).allSatisfy(r -> assertThat(r.getParentSpanContext().isValid()).isFalse());
        }
        assertNoUid();
    }
}
