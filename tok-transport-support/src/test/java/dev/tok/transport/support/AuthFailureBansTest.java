package dev.tok.transport.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tiered ban table on a fake clock: limit and window, growing bans, forgetting, the memory bound. */
class AuthFailureBansTest {

    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000_000 * MS);

    private AuthFailureBans bans(int trackedIps) {
        // 3 failures in 1 s; bans of 100 ms doubling up to 1 s
        return new AuthFailureBans(3, 1000 * MS, 100 * MS, 1000 * MS, trackedIps, now::get);
    }

    private static InetAddress ip(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    }

    @Test
    @DisplayName("limit failures within the window ban the address; failures spread beyond the window do not")
    void limitWithinWindow() throws Exception {
        AuthFailureBans b = bans(100);
        InetAddress a = ip(1);
        assertThat(b.failed(a)).isZero();
        assertThat(b.failed(a)).isZero();
        assertThat(b.banned(a)).isZero();
        assertThat(b.failed(a)).isEqualTo(100 * MS);
        assertThat(b.banned(a)).isEqualTo(100 * MS);
        assertThat(b.banned(ip(2))).as("other addresses are not banned").isZero();

        InetAddress slow = ip(3);
        for (int i = 0; i < 10; i++) {
            assertThat(b.failed(slow)).isZero();
            assertThat(b.failed(slow)).isZero();
            now.addAndGet(1001 * MS); // two failures per window never reach three
        }
        assertThat(b.banned(slow)).isZero();
    }

    @Test
    @DisplayName("a ban expires; each repeated ban lasts twice the one before, up to the maximum; a quiet address is forgotten")
    void tiers() throws Exception {
        AuthFailureBans b = bans(100);
        InetAddress a = ip(1);
        long[] expected = {100, 200, 400, 800, 1000, 1000};
        for (long ban : expected) {
            b.failed(a);
            b.failed(a);
            assertThat(b.failed(a)).isEqualTo(ban * MS);
            now.addAndGet(ban * MS - 1);
            assertThat(b.banned(a)).as("still banned just before the end of %d ms", ban).isPositive();
            assertThat(b.failed(a)).as("failures while banned are not counted").isZero();
            now.addAndGet(1);
            assertThat(b.banned(a)).as("the ban of %d ms expired", ban).isZero();
        }
        now.addAndGet(1001 * MS); // quiet for longer than the longest ban: forgotten at the next clean-up
        b.failed(ip(2));
        b.failed(a);
        b.failed(a);
        assertThat(b.failed(a)).as("still remembered: nothing needed room").isEqualTo(1000 * MS);
    }

    @Test
    @DisplayName("memory is bounded: 100,000 distinct failing addresses leave at most trackedIps entries; "
            + "forgotten and merely counting entries make room first, running bans are kept")
    void bounded() throws Exception {
        AuthFailureBans b = bans(1000);
        InetAddress banned = ip(999_999);
        b.failed(banned);
        b.failed(banned);
        b.failed(banned);
        for (int i = 0; i < 100_000; i++) {
            b.failed(ip(i));
            assertThat(b.size()).isLessThanOrEqualTo(1000);
        }
        assertThat(b.banned(banned)).as("a running ban survives the flood").isPositive();

        now.addAndGet(2000 * MS); // every entry is quiet beyond the longest ban
        int fresh = 1000 - b.size() + 1; // fills the table, then needs room once
        for (int i = 0; i < fresh; i++) {
            b.failed(ip(200_000 + i));
        }
        assertThat(b.size()).as("forgotten entries were dropped to make room, the fresh ones kept").isEqualTo(fresh);
    }
}
