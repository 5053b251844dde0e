package dev.tok.queue.chronicle;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The in-memory index frozen at one journal position, so that a restart replays only the records
 * written after it. Written to a temporary file, fsync'ed, then atomically renamed; a CRC32 over
 * the content guards against a torn or damaged file.
 *
 * <p>Versions: 1 holds messages only; 2 (written since at-least-once delivery) adds each user's
 * device cursors after the user's entries. Version 1 files still load (as users without devices);
 * a newer version than this tok knows is refused with an {@link IOException} naming both
 * versions, and the queue then replays the journal instead.
 *
 * @param position   every record at or before this journal position is reflected
 * @param nextId     the next message id to hand out
 * @param cycles     per-cycle bookkeeping
 * @param users      per-user entries (uid, stride-four id/expiry/position/bytes) and device cursors
 */
record Snapshot(long position, long nextId, List<CycleStats.Frozen> cycles, List<User> users) {

    static final String FILE = "tok-index.snapshot";
    private static final long MAGIC = 0x544F4B534E415031L; // "TOKSNAP1"
    /** The version written. */
    static final int VERSION = 2;
    /** The oldest version read: messages only, no device cursors. */
    static final int VERSION_WITHOUT_CURSORS = 1;

    /**
     * One user's entries and devices.
     *
     * @param uid       the user
     * @param entries   stride four: id, expiry, position, bytes
     * @param deviceIds the user's devices
     * @param cursors   stride two, per device: cursor, position of its latest CURSOR record
     */
    record User(String uid, long[] entries, String[] deviceIds, long[] cursors) {
    }

    static Path file(Path directory) {
        return directory.resolve(FILE);
    }

    void write(Path directory) throws IOException {
        write(directory, VERSION);
    }

    /** Writes in the given format version; tests write version 1 to check that it still loads. */
    void write(Path directory, int version) throws IOException {
        Path target = file(directory);
        Path tmp = directory.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            Out out = new Out(ch);
            out.putLong(MAGIC);
            out.putInt(version);
            out.putLong(position);
            out.putLong(nextId);
            out.putInt(cycles.size());
            for (CycleStats.Frozen c : cycles) {
                out.putInt(c.cycle());
                out.putLong(c.live());
                out.putLong(c.maxExpiry());
                out.putLong(c.maxPosition());
                out.putLong(c.bytes());
            }
            out.putInt(users.size());
            for (User u : users) {
                byte[] uid = u.uid().getBytes(StandardCharsets.UTF_8);
                out.putInt(uid.length);
                out.put(uid);
                out.putInt(u.entries().length);
                for (long v : u.entries()) {
                    out.putLong(v);
                }
                if (version >= 2) {
                    out.putInt(u.deviceIds().length);
                    for (int d = 0; d < u.deviceIds().length; d++) {
                        byte[] device = u.deviceIds()[d].getBytes(StandardCharsets.UTF_8);
                        out.putInt(device.length);
                        out.put(device);
                        out.putLong(u.cursors()[d * 2]);
                        out.putLong(u.cursors()[d * 2 + 1]);
                    }
                }
            }
            out.finish();
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(directory);
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can fsync a directory (Windows); the rename is still atomic
        }
    }

    /**
     * @return the snapshot, or {@code null} when there is none
     * @throws IOException when it exists but is damaged
     */
    static Snapshot read(Path directory) throws IOException {
        Path f = file(directory);
        FileChannel ch;
        try {
            ch = FileChannel.open(f, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
        try (ch) {
            In in = new In(ch, ch.size());
            if (in.getLong() != MAGIC) {
                throw new IOException(f + " is not a tok index snapshot");
            }
            int version = in.getInt();
            if (version < VERSION_WITHOUT_CURSORS || version > VERSION) {
                throw new IOException(f + " has format version " + version + "; this tok reads versions "
                        + VERSION_WITHOUT_CURSORS + " to " + VERSION + " (a newer tok wrote it?)");
            }
            long position = in.getLong();
            long nextId = in.getLong();
            int cycleCount = in.count();
            List<CycleStats.Frozen> cycles = new ArrayList<>(Math.min(cycleCount, 1 << 16));
            for (int i = 0; i < cycleCount; i++) {
                cycles.add(new CycleStats.Frozen(in.getInt(), in.getLong(), in.getLong(), in.getLong(), in.getLong()));
            }
            int userCount = in.count();
            List<User> users = new ArrayList<>(Math.min(userCount, 1 << 20));
            for (int i = 0; i < userCount; i++) {
                String uid = in.string();
                long[] entries = new long[in.count()];
                for (int j = 0; j < entries.length; j++) {
                    entries[j] = in.getLong();
                }
                int deviceCount = version >= 2 ? in.count() : 0;
                String[] deviceIds = new String[deviceCount];
                long[] cursors = new long[deviceCount * 2];
                for (int d = 0; d < deviceCount; d++) {
                    deviceIds[d] = in.string();
                    cursors[d * 2] = in.getLong();
                    cursors[d * 2 + 1] = in.getLong();
                }
                users.add(new User(uid, entries, deviceIds, cursors));
            }
            in.verifyEnd(f);
            return new Snapshot(position, nextId, cycles, users);
        } catch (BufferUnderflowException e) {
            throw new IOException(f + " is truncated or damaged", e);
        }
    }

    /** Writes through a 1 MiB buffer, checksumming what it writes; {@link #finish} appends the CRC. */
    private static final class Out {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        private final CRC32 crc = new CRC32();

        Out(FileChannel ch) {
            this.ch = ch;
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                flush();
            }
        }

        private void flush() throws IOException {
            buf.flip();
            crc.update(buf.array(), 0, buf.limit());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }

        void putLong(long v) throws IOException {
            room(8);
            buf.putLong(v);
        }

        void putInt(int v) throws IOException {
            room(4);
            buf.putInt(v);
        }

        void put(byte[] b) throws IOException {
            int off = 0;
            while (off < b.length) {
                room(1);
                int n = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, n);
                off += n;
            }
        }

        void finish() throws IOException {
            flush();
            buf.putLong(crc.getValue());
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    /** Reads the content (all but the 8-byte CRC trailer) through a 1 MiB buffer, checksumming it. */
    private static final class In {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        private final CRC32 crc = new CRC32();
        private long contentLeft;

        In(FileChannel ch, long size) throws IOException {
            if (size < 8) {
                throw new IOException("snapshot is truncated (" + size + " bytes)");
            }
            this.ch = ch;
            this.contentLeft = size - 8;
            buf.limit(0);
        }

        private void need(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            buf.compact();
            while (buf.position() < n || (buf.hasRemaining() && contentLeft > 0)) {
                if (contentLeft <= 0) {
                    throw new BufferUnderflowException();
                }
                int start = buf.position();
                int want = (int) Math.min(buf.remaining(), contentLeft);
                ByteBuffer slice = buf.duplicate();
                slice.limit(start + want);
                int r = ch.read(slice);
                if (r < 0) {
                    throw new BufferUnderflowException();
                }
                crc.update(buf.array(), start, r);
                buf.position(start + r);
                contentLeft -= r;
            }
            buf.flip();
        }

        long getLong() throws IOException {
            need(8);
            return buf.getLong();
        }

        int getInt() throws IOException {
            need(4);
            return buf.getInt();
        }

        /** @return a non-negative count, else the file is damaged */
        int count() throws IOException {
            int n = getInt();
            if (n < 0) {
                throw new BufferUnderflowException();
            }
            return n;
        }

        /** @return a string written as a byte count and UTF-8 bytes */
        String string() throws IOException {
            byte[] b = new byte[count()];
            get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        void get(byte[] b) throws IOException {
            int off = 0;
            while (off < b.length) {
                need(1);
                int n = Math.min(buf.remaining(), b.length - off);
                buf.get(b, off, n);
                off += n;
            }
        }

        void verifyEnd(Path f) throws IOException {
            if (buf.hasRemaining() || contentLeft > 0) {
                throw new IOException(f + " has trailing bytes");
            }
            ByteBuffer trailer = ByteBuffer.allocate(8);
            while (trailer.hasRemaining()) {
                if (ch.read(trailer) < 0) {
                    throw new IOException(f + " is truncated");
                }
            }
            trailer.flip();
            if (trailer.getLong() != crc.getValue()) {
                throw new IOException(f + " fails its checksum");
            }
        }
    }
}
