package dev.tok.api;

import java.util.Map;
import java.util.Objects;

/**
 * One authenticated device of a user: the identity a connection carries once the
 * {@link Authenticator} accepted it.
 *
 * <p>Several devices may share a {@code uid}; messages sent with {@link Hub#send} go to every
 * online connection of that uid.
 *
 * @param uid      the user id; never empty
 * @param deviceId the device id, unique among the devices of one user; may be empty
 * @param metadata free-form string metadata; copied, immutable
 * @since 0.1
 */
public record Device(String uid, String deviceId, Map<String, String> metadata) {

    /**
     * Validates and copies the components.
     *
     * @param uid      the user id; never empty
     * @param deviceId the device id
     * @param metadata free-form string metadata
     *
     * @throws NullPointerException     if any component is null
     * @throws IllegalArgumentException if {@code uid} is empty
     */
    public Device {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(metadata, "metadata");
        if (uid.isEmpty()) {
            throw new IllegalArgumentException("uid must not be empty");
        }
        metadata = Map.copyOf(metadata);
    }

    /**
     * A device with no metadata.
     *
     * @param uid      the user id
     * @param deviceId the device id
     * @return the device
     */
    public static Device of(String uid, String deviceId) {
        return new Device(uid, deviceId, Map.of());
    }
}
