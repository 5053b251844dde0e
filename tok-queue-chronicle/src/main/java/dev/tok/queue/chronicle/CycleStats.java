package dev.tok.queue.chronicle;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bookkeeping for one cycle file: how many of its messages still wait, the latest expiry among
 * them, the newest record position in it, and the record bytes written to it. A cycle file can
 * go once no message in it waits (all acknowledged, or all expired) and a snapshot covers it.
 */
final class CycleStats {

    final int cycle;
    final AtomicLong live = new AtomicLong();
    final AtomicLong maxExpiry = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong maxPosition = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong bytes = new AtomicLong();
    /**
     * Device cursors whose latest CURSOR record is in this cycle: they are written again in the
     * current cycle before the file is deleted, so the journal alone always holds every cursor.
     * Not in snapshots: recounted at open from the cursors' positions.
     */
    final AtomicLong cursors = new AtomicLong();

    /** An immutable copy, for snapshots. */
    record Frozen(int cycle, long live, long maxExpiry, long maxPosition, long bytes) {
    }

    CycleStats(int cycle) {
        this.cycle = cycle;
    }

    static CycleStats of(Frozen f) {
        CycleStats s = new CycleStats(f.cycle());
        s.live.set(f.live());
        s.maxExpiry.set(f.maxExpiry());
        s.maxPosition.set(f.maxPosition());
        s.bytes.set(f.bytes());
        return s;
    }

    void recordWritten(long position, int recordBytes) {
        maxPosition.accumulateAndGet(position, Math::max);
        bytes.addAndGet(recordBytes);
    }

    void messageAdded(long expiry) {
        live.incrementAndGet();
        maxExpiry.accumulateAndGet(expiry, Math::max);
    }

    Frozen freeze() {
        return new Frozen(cycle, live.get(), maxExpiry.get(), maxPosition.get(), bytes.get());
    }

    @Override
    public String toString() {
        return "cycle " + cycle + " live=" + live.get() + " bytes=" + bytes.get();
    }
}
