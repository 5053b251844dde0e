package dev.tok.queue.memory;

import java.util.Arrays;

/**
 * The cursors of one user's devices (at-least-once mode): the last id each device acknowledged.
 * Two parallel arrays searched linearly: a user has a handful of devices, and
 * {@link MemoryQueue#acknowledge(dev.tok.api.Device, long)} needs the minimum over all of them
 * anyway, so a hash map would cost more memory (about 50 bytes per device instead of 12) without
 * changing the order of the work. Per device this keeps the device id string and 12 bytes of
 * array slots.
 *
 * <p>Devices are never removed: forgetting one would let the others' acknowledgements remove
 * messages it never received. Not thread-safe: guarded by the monitor of its {@code UserQueue}.
 */
final class DeviceCursors {

    private String[] ids = new String[2];
    private long[] cursors = new long[2];
    private int size;

    /** @return how many devices are known */
    int size() {
        return size;
    }

    /**
     * @param deviceId a device of the user
     * @return its cursor; 0 for a device seen for the first time, which is registered
     */
    long getOrRegister(String deviceId) {
        int i = indexOrRegister(deviceId); // first: it may replace the arrays
        return cursors[i];
    }

    /**
     * Moves a device's cursor forward to {@code upToId}, never backward, registering the device
     * if needed.
     *
     * @param deviceId a device of the user
     * @param upToId   the last id it acknowledged
     * @return the device's cursor now
     */
    long advance(String deviceId, long upToId) {
        int i = indexOrRegister(deviceId);
        if (upToId > cursors[i]) {
            cursors[i] = upToId;
        }
        return cursors[i];
    }

    /** @return the smallest cursor: every message up to it was acknowledged by every device */
    long min() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            min = Math.min(min, cursors[i]);
        }
        return min;
    }

    private int indexOrRegister(String deviceId) {
        for (int i = 0; i < size; i++) {
            if (ids[i].equals(deviceId)) {
                return i;
            }
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            cursors = Arrays.copyOf(cursors, size * 2);
        }
        ids[size] = deviceId;
        cursors[size] = 0;
        return size++;
    }
}
