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
 * control frames, and stop reading (slow consumer).
 */
final class RawWebSocket implements AutoCloseable {

    /** One frame as read from the server. */
    static final class Frame {
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

        int closeStatus() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    static final int CONTINUATION = 0;
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;

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
     * Sends an upgrade request and reads the response head.
     *
     * @param receiveBuffer the socket's receive buffer size, 0 for the default
     */
    static RawWebSocket open(InetSocketAddress server, String target, Map<String, String> extraHeaders, int receiveBuffer)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
        s.setSoTimeout(10_000);
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
        s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String statusLine = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        String[] parts = statusLine.split(" ");
        int status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        return new RawWebSocket(s, status, headers);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new EOFException("connection closed before a full HTTP response head");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends one masked frame. */
    void send(boolean fin, int opcode, byte[] payload) throws IOException {
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

    /** Reads one frame; throws EOFException at the end of the stream. */
    Frame read() throws IOException {
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

    /** Reads frames until a data frame arrives (answering pings), or null at the end of the stream or on timeout. */
    Frame readData(int timeoutMillis) throws IOException {
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

    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket
        }
    }
}
