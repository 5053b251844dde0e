package dev.tok.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately minimal WebSocket client over a plain socket, for what the JDK client cannot
 * do: read the HTTP status of a refused upgrade, offer extensions, send hand-made fragments and
 * control frames, read each frame as it came (opcode, fin, payload), and stop reading (slow
 * consumer). {@link #upgrade} alone does the handshake on a socket made elsewhere (a
 * benchmark's, say).
 *
 * <p>Threads: blocking; one thread at a time. Nulls: no parameter may be null; only
 * {@link #header} and {@link #readData} return null, as they say.
 *
 * @since 0.1
 */
public final class RawWebSocket implements AutoCloseable {

    /**
     * One frame as read from the server.
     *
     * @since 0.1
     */
    public static final class Frame {
        final boolean fin;
        final boolean rsv1;
        final int opcode;
        final byte[] payload;

        Frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
            this.fin = fin;
            this.rsv1 = rsv1;
            this.opcode = opcode;
            this.payload = payload;
        }

        /** @return whether this is the last frame of its message */
        public boolean fin() {
            return fin;
        }

        /** @return the RSV1 bit (set on a compressed message's first frame) */
        public boolean rsv1() {
            return rsv1;
        }

        /** @return the opcode: {@link #TEXT}, {@link #BINARY}, {@link #CLOSE}, ... */
        public int opcode() {
            return opcode;
        }

        /** @return the payload, unmasked; the array itself, not a copy */
        public byte[] payload() {
            return payload;
        }

        /** @return a close frame's status code; 1005 (no status) if it carries none */
        public int closeStatus() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        /** @return a close frame's reason, the UTF-8 text after the status; empty if none */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    /** Opcode of a continuation frame. */
    public static final int CONTINUATION = 0;
    /** Opcode of a text frame. */
    public static final int TEXT = 1;
    /** Opcode of a binary frame. */
    public static final int BINARY = 2;
    /** Opcode of a close frame. */
    public static final int CLOSE = 8;
    /** Opcode of a ping. */
    public static final int PING = 9;
    /** Opcode of a pong. */
    public static final int PONG = 10;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    final int status;
    final Map<String, String> headers;

    private RawWebSocket(Socket socket, int status, Map<String, String> headers) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.status = status;
        this.headers = headers;
    }

    /**
     * Connects to {@code 127.0.0.1} at the server's port, sends a WebSocket upgrade request for
     * {@code target} and reads the response head; the socket reads with a 10-s timeout.
     *
     * @param server the server (its port is used)
     * @param target the request target, such as {@code /ws?token=x}
     * @return the client, upgraded or not: see {@link #status()}
     * @throws IOException if the connection fails or closes before the response head ends
     */
    public static RawWebSocket open(InetSocketAddress server, String target) throws IOException {
        return open(server, target, Map.of(), 0);
    }

    /**
     * Like {@link #open(InetSocketAddress, String)}, with more request headers and a receive buffer.
     *
     * @param extraHeaders  more headers of the upgrade request; an {@code Upgrade} header replaces
     *                      the usual four upgrade headers (an empty value leaves them all out)
     * @param receiveBuffer the socket's receive buffer size, 0 for the default
     */
    public static RawWebSocket open(InetSocketAddress server, String target, Map<String, String> extraHeaders, int receiveBuffer)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        try {
            s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
            s.setSoTimeout(10_000);
            String[] lines = exchange(s, server, target, extraHeaders).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
                            (a, b) -> a + ", " + b);
                }
            }
            String[] parts = lines[0].split(" ");
            int status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
            return new RawWebSocket(s, status, headers);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Sends a WebSocket upgrade request for {@code target} on a connected socket and reads the
     * response head; what follows on the socket are the server's frames.
     *
     * @param socket a socket connected to the server
     * @param server the server (its port goes into the {@code Host} header)
     * @param target the request target, such as {@code /ws?token=x}
     * @return the response's status line and headers, each line ending in CRLF, without the blank line
     * @throws IOException if writing fails or the connection closes before the response head ends
     */
    public static String upgrade(Socket socket, InetSocketAddress server, String target) throws IOException {
        return exchange(socket, server, target, Map.of());
    }

    private static String exchange(Socket socket, InetSocketAddress server, String target, Map<String, String> extraHeaders)
            throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        StringBuilder req = new StringBuilder();
        req.append("GET ").append(target).append(" HTTP/1.1\r\n");
        req.append("Host: 127.0.0.1:").append(server.getPort()).append("\r\n");
        if (!extraHeaders.containsKey("Upgrade")) {
            req.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
            req.append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
            req.append("Sec-WebSocket-Version: 13\r\n");
        }
        extraHeaders.forEach((k, v) -> {
            if (!k.equals("Upgrade") || !v.isEmpty()) {
                req.append(k).append(": ").append(v).append("\r\n");
            }
        });
        req.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return head(socket.getInputStream());
    }

    /** Reads up to and including the blank line; returns what came before the blank line. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before a full HTTP response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 2);
    }

    /** @return the HTTP status of the upgrade response: 101 when upgraded */
    public int status() {
        return status;
    }

    /**
     * @param name a header name, any case
     * @return the upgrade response's header (repeated headers joined with ", "), or null
     */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Sends one masked frame, as given (a test may send what a client must not).
     *
     * @param fin     whether it is the last frame of its message
     * @param opcode  its opcode
     * @param payload its payload, unmasked; not null
     * @throws IOException if writing fails
     */
    public void send(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >>> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /**
     * Reads one frame, whatever its kind.
     *
     * @return the frame
     * @throws EOFException at the end of the stream
     * @throws java.net.SocketTimeoutException when nothing arrives within the socket's timeout
     * @throws IOException if reading fails, or the frame is longer than 64 MiB
     */
    public Frame read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException();
        }
        int b1 = readByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = (readByte() << 8) | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte();
            }
        }
        if (len > 64L * 1024 * 1024) {
            throw new IOException("frame too large for the test client: " + len);
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length != len) {
            throw new EOFException("truncated frame");
        }
        return new Frame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, payload);
    }

    /**
     * Reads frames until a data or close frame arrives, answering pings and skipping pongs.
     *
     * @param timeoutMillis the socket's read timeout from now on
     * @return the frame, or null at the end of the stream or on timeout
     * @throws IOException if reading fails
     */
    public Frame readData(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            while (true) {
                Frame f = read();
                if (f.opcode == PING) {
                    send(true, PONG, f.payload);
                    continue;
                }
                if (f.opcode == PONG) {
                    continue;
                }
                return f;
            }
        } catch (EOFException | SocketTimeoutException e) {
            return null;
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    /**
     * @param millis the socket's read timeout from now on; 0 waits forever
     * @throws IOException if the socket is closed
     */
    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Closes the socket, without a close frame (send one first for a clean close). */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket
        }
    }
}
