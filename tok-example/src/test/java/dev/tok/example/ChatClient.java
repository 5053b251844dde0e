package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real client of the example server (TCP socket or WebSocket), as the tests see it. */
abstract class ChatClient implements AutoCloseable {

    static final Duration PATIENCE = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String PING = "{\"type\":\"ping\"}";

    /** Frames received, in order, for clients whose reader threads put them here. */
    final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private volatile boolean keepPings;

    /** @return which transport this client uses */
    abstract String transport();

    /** Sends one frame / text message. */
    abstract void send(String json);

    /** Sends raw bytes as one frame / binary message. */
    abstract void sendBytes(byte[] payload);

    /** @return true once the server closed the connection (or it failed) */
    abstract boolean isClosed();

    /** Closes the connection from the client side. */
    @Override
    public abstract void close();

    /** @return the next frame within the timeout, or null; by default from {@link #inbox} */
    String poll(long timeoutNanos) throws InterruptedException {
        return inbox.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Server pings are returned by {@link #next()} too (by default they are skipped). */
    ChatClient keepPings() {
        keepPings = true;
        return this;
    }

    /** @return the next frame from the server (pings skipped unless kept); fails after 10 s */
    String next() {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            String f;
            try {
                f = poll(Math.max(0, deadline - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (f == null) {
                throw new AssertionError(transport() + " client: no frame within " + PATIENCE + (isClosed() ? " (closed)" : ""));
            }
            if (keepPings || !f.equals(PING)) {
                return f;
            }
        }
    }

    /** @return the next frame, parsed */
    JsonNode nextJson() {
        return parse(next());
    }

    /** Sends {"type":"online"} and returns the users of the answer. */
    JsonNode online() {
        send("{\"type\":\"online\"}");
        JsonNode n = nextJson();
        assertThat(n.path("type").asText()).as("reply to online: %s", n).isEqualTo("online");
        return n.get("users");
    }

    /**
     * Proves that nothing arrived before now: asks for the online list and expects its answer as
     * the very next frame (frames from the server to one connection keep their order).
     */
    void expectNothingPending() {
        send("{\"type\":\"online\"}");
        String f = next();
        while (f.equals(PING)) {
            f = next();
        }
        assertThat(f).as("the next frame should be the answer to online").startsWith("{\"type\":\"online\",");
    }

    /** Waits up to 10 s for the server to close the connection. */
    void awaitClosed() {
        org.awaitility.Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(this::isClosed);
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }
}
