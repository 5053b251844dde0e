package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-connection token buckets: burst, refill, the byte bucket, off-switches. */
class InboundRateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    @DisplayName("frames: the burst passes at once, the next frame does not; the rate refills it")
    void frameBucket() {
        InboundRate r = new InboundRate(10, 5, 0, 1);
        long t = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(r.tryAcquire(100_000, t)).as("frame %d of the burst", i).isTrue();
        }
        assertThat(r.tryAcquire(1, t)).isFalse();
        assertThat(r.tryAcquire(1, t + SECOND / 10)).as("one frame refilled after 100 ms at 10/s").isTrue();
        assertThat(r.tryAcquire(1, t + SECOND / 10)).isFalse();
        assertThat(r.tryAcquire(1, t + 100 * SECOND)).as("a long pause refills the burst, no more").isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(r.tryAcquire(1, t + 100 * SECOND)).isTrue();
        }
        assertThat(r.tryAcquire(1, t + 100 * SECOND)).isFalse();
    }

    @Test
    @DisplayName("bytes: a frame passes while the bucket holds its length; a refused frame takes nothing")
    void byteBucket() {
        InboundRate r = new InboundRate(0, 1, 1000, 3000);
        long t = System.nanoTime();
        assertThat(r.tryAcquire(2000, t)).isTrue();
        assertThat(r.tryAcquire(2000, t)).isFalse();
        assertThat(r.tryAcquire(1000, t)).as("the refused frame took nothing").isTrue();
        assertThat(r.tryAcquire(1000, t + SECOND)).isTrue();
        assertThat(r.tryAcquire(0, t + SECOND)).as("empty frames pass a byte limit").isTrue();
    }

    @Test
    @DisplayName("both buckets must hold enough: frames within their limit but bytes over it are refused")
    void both() {
        InboundRate r = new InboundRate(100, 100, 1000, 1000);
        long t = System.nanoTime();
        assertThat(r.tryAcquire(600, t)).isTrue();
        assertThat(r.tryAcquire(600, t)).isFalse();
    }
}
