package dev.tok.queue.chronicle;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The in-memory index frozen at one journal position, so that a restart replays only the records
 * written after it. Written to a temporary file, fsync'ed, then atomically renamed; a CRC32 over
 * the content guards against a torn or damaged file.
 *
 * @param position   every record at or before this journal position is reflected
 * @param nextId     the next message id to hand out
 * @param cycles     per-cycle bookkeeping
 * @param users      per-user entries (uid, stride-four id/expiry/position/bytes)
 */
record Snapshot(long position, long nextId, List<CycleStats.Frozen> cycles, List<User> users) {

    static final String FILE = "tok-index.snapshot";
    private static final long MAGIC = 0x544F4B534E415031L; // "TOKSNAP1"
    private static final int VERSION = 1;

    /** One user's entries. */
    record User(String uid, long[] entries) {
    }

    static Path file(Path directory) {
        return directory.resolve(FILE);
    }

    void write(Path directory) throws IOException {
        Path target = file(directory);
        Path tmp = directory.resolve(FILE + ".tmp");
        CRC32 crc = new CRC32();
        try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16))) {
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(position);
            out.writeLong(nextId);
            out.writeInt(cycles.size());
            for (CycleStats.Frozen c : cycles) {
                out.writeInt(c.cycle());
                out.writeLong(c.live());
                out.writeLong(c.maxExpiry());
                out.writeLong(c.maxPosition());
                out.writeLong(c.bytes());
            }
            out.writeInt(users.size());
            for (User u : users) {
                byte[] uid = u.uid().getBytes(StandardCharsets.UTF_8);
                out.writeInt(uid.length);
                out.write(uid);
                out.writeInt(u.entries().length);
                for (long v : u.entries()) {
                    out.writeLong(v);
                }
            }
            out.flush();
            long sum = crc.getValue();
            raw.write(new byte[] {
                (byte) (sum >>> 56), (byte) (sum >>> 48), (byte) (sum >>> 40), (byte) (sum >>> 32),
                (byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum});
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
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
        long size;
        try {
            size = Files.size(f);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (size < 8) {
            throw new IOException(f + " is truncated (" + size + " bytes)");
        }
        CRC32 crc = new CRC32();
        try (InputStream raw = Files.newInputStream(f)) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(
                    new CheckedInputStream(new LimitedInputStream(raw, size - 8), crc), 1 << 16));
            if (in.readLong() != MAGIC) {
                throw new IOException(f + " is not a tok index snapshot");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(f + " has version " + version + "; this tok reads version " + VERSION);
            }
            long position = in.readLong();
            long nextId = in.readLong();
            int cycleCount = in.readInt();
            List<CycleStats.Frozen> cycles = new ArrayList<>(Math.min(cycleCount, 1 << 16));
            for (int i = 0; i < cycleCount; i++) {
                cycles.add(new CycleStats.Frozen(in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong()));
            }
            int userCount = in.readInt();
            List<User> users = new ArrayList<>(Math.min(userCount, 1 << 20));
            for (int i = 0; i < userCount; i++) {
                byte[] uid = new byte[in.readInt()];
                in.readFully(uid);
                long[] entries = new long[in.readInt()];
                for (int j = 0; j < entries.length; j++) {
                    entries[j] = in.readLong();
                }
                users.add(new User(new String(uid, StandardCharsets.UTF_8), entries));
            }
            if (in.read() != -1) {
                throw new IOException(f + " has trailing bytes");
            }
            long expected = new DataInputStream(raw).readLong();
            if (expected != crc.getValue()) {
                throw new IOException(f + " fails its checksum");
            }
            return new Snapshot(position, nextId, cycles, users);
        } catch (EOFException | NegativeArraySizeException e) {
            throw new IOException(f + " is truncated or damaged", e);
        }
    }

    /** Reads at most {@code limit} bytes of the underlying stream, leaving the rest unread. */
    private static final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInputStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
