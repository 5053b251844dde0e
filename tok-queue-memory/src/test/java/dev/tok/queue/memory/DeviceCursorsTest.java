package dev.tok.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-user device cursors: registration, forward-only moves, the minimum, growth. */
class DeviceCursorsTest {

    @Test
    @DisplayName("devices register at 0, move only forward, and the minimum covers every device, however many")
    void cursors() {
        DeviceCursors d = new DeviceCursors();
        assertThat(d.min()).isEqualTo(Long.MAX_VALUE);
        for (int i = 0; i < 100; i++) {
            assertThat(d.getOrRegister("device-" + i)).isZero();
        }
        assertThat(d.size()).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            assertThat(d.advance("device-" + i, 1000 + i)).isEqualTo(1000 + i);
        }
        assertThat(d.min()).isEqualTo(1000);
        assertThat(d.advance("device-0", 5)).as("never backward").isEqualTo(1000);
        assertThat(d.advance("device-0", 5000)).isEqualTo(5000);
        assertThat(d.min()).isEqualTo(1001);
        assertThat(d.advance("new", 7)).as("registered by its acknowledgement").isEqualTo(7);
        assertThat(d.min()).isEqualTo(7);
        assertThat(d.getOrRegister("")).as("an empty device id is a device too").isZero();
        assertThat(d.min()).isZero();
        assertThat(d.size()).isEqualTo(102);
    }
}
