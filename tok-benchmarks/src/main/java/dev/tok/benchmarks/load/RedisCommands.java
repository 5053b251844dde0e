package dev.tok.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Counts the commands a Redis server executed, from {@code INFO commandstats} (the {@code calls=}
 * of every {@code cmdstat_<name>} line), over a plain socket: the load tool needs no Redis client.
 * The counts are the whole server's (every database); the {@code INFO} and {@code AUTH} calls of
 * this class are left out of them.
 */
final class RedisCommands {

    /**
     * Commands executed between two snapshots.
     *
     * @param seconds   time between the snapshots
     * @param byCommand calls per command name (lower case, {@code info} left out)
     */
    record Delta(double seconds, Map<String, Long> byCommand) {
        long total() {
            return byCommand.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * @param delivered messages delivered per second in the same phase
         * @return e.g. {@code publish=2.000 hgetall=0.01000}, per delivered message (4 significant digits), largest first
         */
        String perMessage(double delivered) {
            if (delivered <= 0) {
                return "";
            }
            return byCommand.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                    .map(e -> String.format(Locale.ROOT, "%s=%.4g", e.getKey(), e.getValue() / (delivered * seconds)))
                    .collect(Collectors.joining(" "));
        }
    }

    /** A pair of snapshots taken at two given times on a thread of its own. */
    interface Probe {
        /** @return the commands between the two times; waits until the second snapshot was taken */
        Delta await();
    }

    private final String host;
    private final int port;
    private final String user;
    private final String password;

    /**
     * @param uri {@code redis://[[user]:password@]host[:port][/db]} (not TLS)
     */
    RedisCommands(String uri) {
        URI u = URI.create(uri);
        if (!"redis".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("--redis-uri must look like redis://host:port, was '" + uri + "'");
        }
        host = u.getHost();
        port = u.getPort() < 0 ? 6379 : u.getPort();
        String info = u.getRawUserInfo();
        if (info == null) {
            user = null;
            password = null;
        } else {
            int colon = info.indexOf(':');
            String us = colon < 0 ? "" : URLDecoder.decode(info.substring(0, colon), StandardCharsets.UTF_8);
            user = us.isEmpty() ? null : us;
            password = URLDecoder.decode(colon < 0 ? info : info.substring(colon + 1), StandardCharsets.UTF_8);
        }
    }

    /** @return calls per command so far ({@code info} left out) */
    Map<String, Long> snapshot() {
        String text = info();
        Map<String, Long> calls = new TreeMap<>();
        for (String line : text.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = line.substring("cmdstat_".length(), colon);
            if (name.equals("info") || name.equals("auth")) {
                continue; // our own
            }
            for (String kv : line.substring(colon + 1).split(",")) {
                if (kv.startsWith("calls=")) {
                    calls.put(name, Long.parseLong(kv.substring("calls=".length())));
                }
            }
        }
        return calls;
    }

    /**
     * Takes a snapshot at {@code fromNanos} and one at {@code toNanos} ({@link System#nanoTime()}),
     * on a daemon thread.
     */
    Probe probe(long fromNanos, long toNanos) {
        CompletableFuture<Delta> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                sleepUntil(fromNanos);
                long t0 = System.nanoTime();
                Map<String, Long> before = snapshot();
                sleepUntil(toNanos);
                long t1 = System.nanoTime();
                Map<String, Long> after = snapshot();
                Map<String, Long> delta = new TreeMap<>();
                after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
                result.complete(new Delta((t1 - t0) / 1e9, delta));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "redis-commandstats");
        t.setDaemon(true);
        t.start();
        return () -> {
            try {
                return result.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("INFO commandstats failed: " + e, e);
            }
        };
    }

    private static void sleepUntil(long nanos) {
        long d;
        while ((d = nanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(d);
        }
    }

    private String info() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (password != null) {
                write(out, user == null ? new String[] {"AUTH", password} : new String[] {"AUTH", user, password});
                String ok = line(in);
                if (!ok.startsWith("+")) {
                    throw new IOException("AUTH: " + ok);
                }
            }
            write(out, new String[] {"INFO", "commandstats"});
            String head = line(in);
            if (!head.startsWith("$")) {
                throw new IOException("INFO: " + head);
            }
            return new String(in.readNBytes(Integer.parseInt(head.substring(1))), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis at " + host + ":" + port + " did not answer INFO commandstats", e);
        }
    }

    private static void write(OutputStream out, String[] args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] v = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + v.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(v);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(b.toByteArray());
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
