package dev.tok.transport.support;

/**
 * The inbound rate limit of one connection: two token buckets, one counting frames and one
 * counting payload bytes, each refilled at its rate per second up to its burst. A frame passes
 * when both buckets hold enough; a frame that does not pass means the connection is closed as
 * {@code RATE_LIMITED}. A rate of 0 turns its bucket off.
 *
 * <p>Not thread-safe, and needs no lock: a transport calls {@link #tryAcquire} for one connection
 * at a time, from the thread reading it (an event loop, or the Jetty thread that the previous
 * message's demand handed the next one to). No allocation per call.
 */
public final class InboundRate {

    private static final double NANOS_PER_SECOND = 1e9;

    private final double framesPerNano;
    private final double framesBurst;
    private final double bytesPerNano;
    private final double bytesBurst;
    private double frames;
    private double bytes;
    private long last;

    InboundRate(int framesPerSecond, int framesBurst, long bytesPerSecond, long bytesBurst) {
        this.framesPerNano = framesPerSecond / NANOS_PER_SECOND;
        this.framesBurst = framesBurst;
        this.bytesPerNano = bytesPerSecond / NANOS_PER_SECOND;
        this.bytesBurst = bytesBurst;
        this.frames = framesBurst;
        this.bytes = bytesBurst;
        this.last = System.nanoTime();
    }

    /**
     * Takes one frame of {@code length} payload bytes from the buckets.
     *
     * @param length the frame's payload length
     * @return true if it is within the limit; false if the connection exceeded it (nothing is
     *         taken then)
     */
    public boolean tryAcquire(int length) {
        return tryAcquire(length, System.nanoTime());
    }

    /**
     * As {@link #tryAcquire(int)}, at a given time.
     *
     * @param length the frame's payload length
     * @param now    {@link System#nanoTime()}
     * @return true if it is within the limit
     */
    boolean tryAcquire(int length, long now) {
        long elapsed = now - last;
        last = now;
        double f = frames;
        double b = bytes;
        if (elapsed > 0) {
            f = Math.min(framesBurst, f + elapsed * framesPerNano);
            b = Math.min(bytesBurst, b + elapsed * bytesPerNano);
        }
        boolean framesOk = framesPerNano == 0 || f >= 1;
        boolean bytesOk = bytesPerNano == 0 || b >= length;
        if (framesOk && bytesOk) {
            f = framesPerNano == 0 ? f : f - 1;
            b = bytesPerNano == 0 ? b : b - length;
        }
        frames = f;
        bytes = b;
        return framesOk && bytesOk;
    }
}
