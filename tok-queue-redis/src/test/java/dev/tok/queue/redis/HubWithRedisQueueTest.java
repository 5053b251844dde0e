package dev.tok.queue.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tok.api.BeforeSend;
import dev.tok.api.CacheFailedException;
import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.Queue;
import dev.tok.api.SendResult;
import dev.tok.api.TokException;
import dev.tok.api.TokServer;
import dev.tok.testkit.ClientConnection;
import dev.tok.testkit.FramedSocketClient;
import dev.tok.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real hub (tok-core) with the {@code redis} queue and the {@code tcp} transport, both found
 * by name and at test scope only, over real sockets, on a real redis-server with an append-only
 * file started for each test. Clients log in with {@code uid/deviceId}; in at-least-once mode
 * each message frame is {@code "<id> <text>"} (a {@link BeforeSend} puts the id in) and a client
 * acknowledges with {@code "ack <id>"}. {@code command-timeout} is 1 s.
 */
class HubWithRedisQueueTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Message frames carry their id in at-least-once mode; everything else goes as it is. */
    private static final BeforeSend ID_IN_FRAME = new BeforeSend() {
        @Override
        public byte[] beforeSend(Device device, byte[] payload) {
            return payload;
        }

        @Override
        public byte[] beforeSend(Device device, long id, byte[] payload) {
            return (id + " " + new String(payload, UTF_8)).getBytes(UTF_8);
        }
    };

    @TempDir
    Path dir;

    private RedisServer redis;
    private TestRedis.Inspector inspector;
    private final List<TokServer> servers = new ArrayList<>();
    private final List<ClientConnection> clients = new ArrayList<>();
    private final FramedSocketClient tcp = new FramedSocketClient();
    /** What the AcknowledgeHook was told: {@code "uid/deviceId upToId"}. */
    private final BlockingQueue<String> acknowledged = new LinkedBlockingQueue<>();

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start(dir, RedisServer.Persistence.APPEND_ONLY);
        inspector = new TestRedis.Inspector(redis);
    }

    @AfterEach
    void stopAll() {
        clients.forEach(ClientConnection::close);
        servers.forEach(TokServer::close);
        inspector.close();
        redis.stop();
    }

    // ---------------------------------------------------------------- helpers

    /** A message frame as the client saw it: its id (0 in at-most-once mode) and its text. */
    private record Received(long id, String text) {
    }

    private HubConfig config(DeliveryMode delivery) {
        return HubConfig.builder()
                .authenticator(request -> {
                    String[] token = new String(request.firstFrame().orElseThrow(), UTF_8).split("/", 2);
                    return CompletableFuture.completedFuture(Device.of(token[0], token[1]));
                })
                .actor((connection, payload) -> { // "ack <id>"
                    connection.acknowledge(Long.parseLong(new String(payload, UTF_8).substring("ack ".length())));
                })
                .beforeSend(ID_IN_FRAME)
                .delivery(delivery)
                .acknowledgeHook((device, upToId) -> acknowledged.add(device.uid() + "/" + device.deviceId() + " " + upToId))
                .readTimeout(Duration.ofMinutes(1))
                .build();
    }

    /** Starts a hub with the {@code redis} queue chosen by name, as an application does. */
    private TokServer start(DeliveryMode delivery) {
        return start(TokServer.builder(config(delivery))
                .queue("redis", Map.of("uri", redis.uri(), "command-timeout", "1s")));
    }

    private TokServer start(TokServer.Builder builder) {
        TokServer server = builder.transport("tcp", Map.of("host", "127.0.0.1", "port", "0")).build().start();
        servers.add(server);
        return server;
    }

    private ClientConnection connect(TokServer server, String token) throws IOException {
        ClientConnection c = tcp.connect(server.address("tcp").orElseThrow(), token);
        clients.add(c);
        return c;
    }

    private static SendResult send(TokServer server, String uid, String text) throws Exception {
        return server.hub().send(uid, text.getBytes(UTF_8), Duration.ofMinutes(10)).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Received receive(ClientConnection c, DeliveryMode delivery) throws IOException {
        String frame = new String(c.receive(WAIT).orElseThrow(() -> new AssertionError("nothing received")), UTF_8);
        if (delivery == DeliveryMode.AT_MOST_ONCE) {
            return new Received(0, frame);
        }
        int space = frame.indexOf(' ');
        return new Received(Long.parseLong(frame.substring(0, space)), frame.substring(space + 1));
    }

    /** Receives {@code count} message frames (at-least-once: with ids). */
    private static List<Received> receive(ClientConnection c, int count) throws IOException {
        List<Received> r = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            r.add(receive(c, DeliveryMode.AT_LEAST_ONCE));
        }
        return r;
    }

    private static List<String> texts(List<Received> received) {
        return received.stream().map(Received::text).toList();
    }

    private static List<Long> ids(List<Received> received) {
        return received.stream().map(Received::id).toList();
    }

    /** Acknowledges up to {@code id} for the connection's device and waits until the queue stored the cursor. */
    private void acknowledge(ClientConnection c, String device, long id) throws Exception {
        c.send(("ack " + id).getBytes(UTF_8));
        assertThat(acknowledged.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(device + " " + id);
    }

    private static void expectNothingMore(ClientConnection c) throws IOException {
        assertThat(c.receive(Duration.ofMillis(300))).as("no further frame").isEmpty();
    }

    /** @return the length of the user's message log in Redis (default key prefix) */
    private long logLength(String uid) {
        return inspector.sync().xlen("tok:{" + uid + "}:log");
    }

    // ---------------------------------------------------------------- tests

    @Test
    @DisplayName("at-most-once: messages for an offline user wait in Redis and arrive in order at login, then leave Redis")
    void atMostOnceOfflineMessagesWaitInRedis() throws Exception {
        TokServer server = start(DeliveryMode.AT_MOST_ONCE);
        for (int i = 1; i <= 3; i++) {
            assertThat(send(server, "alice", "m" + i).status()).isEqualTo(SendResult.Status.QUEUED);
        }
        assertThat(logLength("alice")).isEqualTo(3);

        ClientConnection phone = connect(server, "alice/phone");
        for (int i = 1; i <= 3; i++) {
            assertThat(receive(phone, DeliveryMode.AT_MOST_ONCE).text()).isEqualTo("m" + i);
        }
        expectNothingMore(phone);
        await().atMost(WAIT).until(() -> logLength("alice") == 0);
    }

    @Test
    @DisplayName("at-least-once: what a device did not acknowledge comes again on its next connection with the same ids, before newer messages; another device gets all it did not acknowledge")
    void atLeastOnceRedeliveryAndCursorsPerDevice() throws Exception {
        TokServer server = start(DeliveryMode.AT_LEAST_ONCE);
        ClientConnection laptop = connect(server, "bob/laptop"); // known from now on: owed every later message
        await().atMost(WAIT).until(() -> inspector.sync().hexists("tok:{bob}:cursors", "laptop"));
        laptop.close();
        for (int i = 1; i <= 3; i++) {
            assertThat(send(server, "bob", "m" + i).queued()).isTrue();
        }

        ClientConnection phone = connect(server, "bob/phone");
        List<Received> first = receive(phone, 3);
        assertThat(texts(first)).containsExactly("m1", "m2", "m3");
        assertThat(ids(first)).isSorted().doesNotHaveDuplicates().allMatch(id -> id > 0);
        acknowledge(phone, "bob/phone", first.get(0).id());
        phone.close(); // m2, m3 not acknowledged

        assertThat(send(server, "bob", "m4").queued()).isTrue();
        phone = connect(server, "bob/phone");
        CompletableFuture<SendResult> live = server.hub().send("bob", "m5".getBytes(UTF_8), Duration.ofMinutes(10))
                .toCompletableFuture();
        List<Received> again = receive(phone, 4);
        assertThat(texts(again)).containsExactly("m2", "m3", "m4", "m5");
        assertThat(again.subList(0, 2)).containsExactlyElementsOf(first.subList(1, 3)); // same ids
        assertThat(ids(again)).isSorted().doesNotHaveDuplicates();
        live.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        expectNothingMore(phone);
        long last = again.get(3).id();
        acknowledge(phone, "bob/phone", last);
        phone.close();

        laptop = connect(server, "bob/laptop");
        List<Received> all = receive(laptop, 5);
        assertThat(texts(all)).containsExactly("m1", "m2", "m3", "m4", "m5");
        assertThat(all.get(0)).isEqualTo(first.get(0));
        assertThat(all.subList(1, 5)).containsExactlyElementsOf(again);
        expectNothingMore(laptop);
        acknowledge(laptop, "bob/laptop", last);
        await("every known device acknowledged everything: the log is empty").atMost(WAIT)
                .until(() -> logLength("bob") == 0);
    }

    @Test
    @DisplayName("at-least-once across a hub restart on the same Redis: unacknowledged messages come again with the same ids, ids keep increasing")
    void atLeastOnceAcrossHubRestart() throws Exception {
        TokServer before = start(DeliveryMode.AT_LEAST_ONCE);
        send(before, "carol", "m1");
        send(before, "carol", "m2");
        ClientConnection phone = connect(before, "carol/phone");
        List<Received> first = receive(phone, 2);
        assertThat(texts(first)).containsExactly("m1", "m2");
        acknowledge(phone, "carol/phone", first.get(0).id());
        before.close();

        TokServer after = start(DeliveryMode.AT_LEAST_ONCE); // a new hub and a new queue on the same Redis
        send(after, "carol", "m3");
        phone = connect(after, "carol/phone");
        List<Received> again = receive(phone, 2);
        assertThat(again.get(0)).isEqualTo(first.get(1));
        assertThat(again.get(1).text()).isEqualTo("m3");
        assertThat(again.get(1).id()).isGreaterThan(first.get(1).id());
        expectNothingMore(phone);
        acknowledge(phone, "carol/phone", again.get(1).id());
        await().atMost(WAIT).until(() -> logLength("carol") == 0);
    }

    @Test
    @DisplayName("Redis restarted between a send and the login: the message still arrives; while Redis is down an offline send fails with CacheFailed within command-timeout and online sends still work")
    void redisRestartedBetweenSendAndLogin() throws Exception {
        // the queue opened here (the hub owns and closes it), so that the test can see when it reconnected
        Queue queue = TestRedis.open(redis, "command-timeout", "1s");
        TokServer server = start(TokServer.builder(config(DeliveryMode.AT_MOST_ONCE).toBuilder().queue(queue).build()));
        ClientConnection eve = connect(server, "eve/phone");
        await().atMost(WAIT).until(() -> server.hub().online().contains("eve"));
        assertThat(send(server, "dave", "before").status()).isEqualTo(SendResult.Status.QUEUED);

        redis.stop();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> send(server, "dave", "while down"))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(CacheFailedException.class)
                .hasStackTraceContaining(redis.uri());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("within command-timeout (1s) and some slack")
                .isLessThan(Duration.ofSeconds(4));
        assertThat(send(server, "eve", "live").status()).as("an online user does not need the queue")
                .isEqualTo(SendResult.Status.DELIVERED);
        assertThat(receive(eve, DeliveryMode.AT_MOST_ONCE).text()).isEqualTo("live");

        redis.restart(); // same port and append-only file
        await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(TokException.class)
                .until(() -> queue.size("dave") >= 1);
        ClientConnection dave = connect(server, "dave/phone");
        assertThat(receive(dave, DeliveryMode.AT_MOST_ONCE).text()).isEqualTo("before");
        await().atMost(WAIT).ignoreExceptionsInstanceOf(TokException.class).until(() -> queue.size("dave") == 0);
    }
}
