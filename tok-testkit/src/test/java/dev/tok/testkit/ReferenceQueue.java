package dev.tok.testkit;

import dev.tok.api.Queue;
import dev.tok.api.QueueFullException;
import dev.tok.api.QueuedMessage;
import dev.tok.api.TokException;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A deliberately simple queue (one lock, optionally an append-only log file) used to check the
 * kits themselves: the correct variant must pass them, each {@link Flaw} must make some kit test
 * fail.
 */
final class ReferenceQueue implements Queue {

    /** Bugs the kits must catch. */
    enum Flaw {
        LIFO, DESTRUCTIVE_PEEK, NON_CUMULATIVE_ACK, IGNORES_EXPIRY, COUNTS_EXPIRED, UNBOUNDED,
        IDS_RESTART_WHEN_EMPTY, FORGETS_ACKS_ON_REOPEN, SECOND_PRECISION_EXPIRY, COPIES_PAYLOAD_TRUNCATED
    }

    private record Entry(long id, byte[] payload, Instant expiresAt) {
    }

    private static final byte ENQ = 1;
    private static final byte ACK = 2;

    private final int maxPerUser;
    private final long maxTotalBytes;
    private final Set<Flaw> flaws;
    private final Map<String, ArrayDeque<Entry>> users = new HashMap<>();
    private final Path log;
    private DataOutputStream out;
    private long nextId = 1;
    private long bytes;
    private boolean closed;

    ReferenceQueue(Map<String, String> settings, Path directory, Set<Flaw> flaws) {
        this.maxPerUser = Integer.parseInt(settings.getOrDefault("max-messages-per-user", "1000000"));
        this.maxTotalBytes = Long.parseLong(settings.getOrDefault("max-total-bytes", Long.toString(Long.MAX_VALUE)));
        this.flaws = flaws.isEmpty() ? EnumSet.noneOf(Flaw.class) : EnumSet.copyOf(flaws);
        this.log = directory == null ? null : directory.resolve("queue.log");
        if (log != null) {
            try {
                if (Files.exists(log)) {
                    replay();
                }
                out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(log,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void replay() throws IOException {
        try (InputStream raw = Files.newInputStream(log); DataInputStream in = new DataInputStream(raw)) {
            while (true) {
                byte kind;
                try {
                    kind = in.readByte();
                } catch (EOFException e) {
                    return;
                }
                String uid = in.readUTF();
                long id = in.readLong();
                if (kind == ENQ) {
                    long seconds = in.readLong();
                    int nanos = in.readInt();
                    byte[] payload = new byte[in.readInt()];
                    in.readFully(payload);
                    Instant expiresAt = Instant.ofEpochSecond(seconds, flaws.contains(Flaw.SECOND_PRECISION_EXPIRY) ? 0 : nanos);
                    users.computeIfAbsent(uid, k -> new ArrayDeque<>()).addLast(new Entry(id, payload, expiresAt));
                    bytes += payload.length;
                    if (!flaws.contains(Flaw.IDS_RESTART_WHEN_EMPTY)) {
                        nextId = Math.max(nextId, id + 1);
                    }
                } else if (!flaws.contains(Flaw.FORGETS_ACKS_ON_REOPEN)) {
                    ack(uid, id);
                }
            }
        }
    }

    private void write(byte kind, String uid, long id, Entry e) {
        if (out == null) {
            return;
        }
        try {
            out.writeByte(kind);
            out.writeUTF(uid);
            out.writeLong(id);
            if (e != null) {
                out.writeLong(e.expiresAt().getEpochSecond());
                out.writeInt(e.expiresAt().getNano());
                out.writeInt(e.payload().length);
                out.write(e.payload());
            }
            out.flush();
        } catch (IOException ex) {
            throw new TokException("write failed", ex);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new TokException("closed");
        }
    }

    private void purge(String uid, Instant now) {
        ArrayDeque<Entry> q = users.get(uid);
        if (q == null || flaws.contains(Flaw.IGNORES_EXPIRY)) {
            return;
        }
        if (!flaws.contains(Flaw.COUNTS_EXPIRED)) {
            Iterator<Entry> it = q.iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (!e.expiresAt().isAfter(now)) {
                    it.remove();
                    bytes -= e.payload().length;
                }
            }
        }
        if (q.isEmpty()) {
            users.remove(uid);
            if (flaws.contains(Flaw.IDS_RESTART_WHEN_EMPTY)) {
                nextId = 1;
            }
        }
    }

    @Override
    public synchronized long enqueue(String uid, byte[] payload, Instant expiresAt) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(expiresAt, "expiresAt");
        ensureOpen();
        purge(uid, Instant.now());
        if (!flaws.contains(Flaw.UNBOUNDED)) {
            if (users.getOrDefault(uid, new ArrayDeque<>()).size() >= maxPerUser) {
                throw new QueueFullException("max-messages-per-user " + maxPerUser + " reached");
            }
            if (bytes + payload.length > maxTotalBytes) {
                for (String u : new ArrayList<>(users.keySet())) {
                    purge(u, Instant.now());
                }
                if (bytes + payload.length > maxTotalBytes) {
                    throw new QueueFullException("max-total-bytes " + maxTotalBytes + " reached");
                }
            }
        }
        byte[] stored = flaws.contains(Flaw.COPIES_PAYLOAD_TRUNCATED) && payload.length > 0
                ? java.util.Arrays.copyOf(payload, payload.length - 1) : payload;
        Entry e = new Entry(nextId++, stored, expiresAt);
        users.computeIfAbsent(uid, k -> new ArrayDeque<>()).addLast(e);
        bytes += stored.length;
        write(ENQ, uid, e.id(), e);
        return e.id();
    }

    @Override
    public synchronized List<QueuedMessage> read(String uid, long afterId, int max) {
        List<QueuedMessage> out = new ArrayList<>();
        for (QueuedMessage m : peek(uid, Integer.MAX_VALUE)) {
            if (m.id() > afterId && out.size() < max) {
                out.add(m);
            }
        }
        return out;
    }

    // Device cursors: not called by the kits of this branch (the at-least-once cases are being
    // added to the kits separately, with a reference implementation of their own).
    @Override
    public long cursor(dev.tok.api.Device device) {
        throw new UnsupportedOperationException("device cursors are not part of the reference queue yet");
    }

    @Override
    public void acknowledge(dev.tok.api.Device device, long upToId) {
        throw new UnsupportedOperationException("device cursors are not part of the reference queue yet");
    }

    @Override
    public synchronized List<QueuedMessage> peek(String uid, int max) {
        Objects.requireNonNull(uid, "uid");
        if (max < 1) {
            throw new IllegalArgumentException("max " + max);
        }
        ensureOpen();
        purge(uid, Instant.now());
        ArrayDeque<Entry> q = users.get(uid);
        if (q == null) {
            return List.of();
        }
        List<QueuedMessage> result = new ArrayList<>();
        for (Entry e : q) {
            if (result.size() == max) {
                break;
            }
            result.add(new QueuedMessage(e.id(), e.payload(), e.expiresAt()));
        }
        if (flaws.contains(Flaw.LIFO)) {
            Collections.reverse(result);
        }
        if (flaws.contains(Flaw.DESTRUCTIVE_PEEK)) {
            for (int i = 0; i < result.size(); i++) {
                bytes -= q.pollFirst().payload().length;
            }
        }
        return result;
    }

    @Override
    public synchronized void acknowledge(String uid, long upToId) {
        Objects.requireNonNull(uid, "uid");
        ensureOpen();
        ack(uid, upToId);
        write(ACK, uid, upToId, null);
    }

    private void ack(String uid, long upToId) {
        ArrayDeque<Entry> q = users.get(uid);
        if (q == null) {
            return;
        }
        if (flaws.contains(Flaw.NON_CUMULATIVE_ACK)) {
            q.removeIf(e -> e.id() == upToId);
        } else {
            while (!q.isEmpty() && q.peekFirst().id() <= upToId) {
                bytes -= q.pollFirst().payload().length;
            }
        }
        if (q.isEmpty()) {
            users.remove(uid);
            if (flaws.contains(Flaw.IDS_RESTART_WHEN_EMPTY)) {
                nextId = 1;
            }
        }
    }

    @Override
    public synchronized int size(String uid) {
        Objects.requireNonNull(uid, "uid");
        ensureOpen();
        purge(uid, Instant.now());
        ArrayDeque<Entry> q = users.get(uid);
        return q == null ? 0 : q.size();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
