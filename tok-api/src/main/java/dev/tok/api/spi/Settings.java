package dev.tok.api.spi;

import dev.tok.api.internal.Suggestions;
import dev.tok.api.ConfigurationException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A provider's settings: string values by lowercase-dash key, read through typed getters that
 * reject malformed values with a {@link ConfigurationException} naming the key, the owner and
 * the expected form. Immutable.
 *
 * <p>Forms: durations {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, ISO-8601
 * ({@code PT30S}) or {@code 0}; sizes {@code 4194304}, {@code 64KiB}, {@code 4MiB},
 * {@code 1GiB}; booleans {@code true}/{@code false}; lists comma-separated.
 *
 * @since 0.1
 */
public final class Settings {

    private final String owner;
    private final Map<String, String> values;

    private Settings(String owner, Map<String, String> values) {
        this.owner = owner;
        this.values = values;
    }

    /**
     * @param owner  who reads them, for messages: {@code "transport 'tcp'"}
     * @param values key to value; copied
     * @return the settings
     */
    public static Settings of(String owner, Map<String, String> values) {
        Objects.requireNonNull(owner, "owner");
        Map<String, String> copy = new TreeMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value of " + k).trim()));
        return new Settings(owner, java.util.Collections.unmodifiableMap(copy));
    }

    /** @return who reads these settings */
    public String owner() {
        return owner;
    }

    /** @return every key and value, sorted by key */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * @param known the keys the owner understands
     * @throws ConfigurationException naming the first unknown key, the closest known key when
     *         the unknown one looks like a typo of it ("did you mean 'port'?"), and the known ones
     */
    public void requireKnown(Set<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new ConfigurationException("unknown setting '" + key + "' for " + owner
                        + Suggestions.didYouMean(key, known) + "; known: " + new TreeSet<>(known));
            }
        }
    }

    /**
     * @param key the key
     * @return the raw value, or empty when absent or blank
     */
    public Optional<String> string(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /**
     * @param key          the key
     * @param defaultValue used when absent
     * @return the value
     */
    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /**
     * @param key          the key
     * @param defaultValue used when absent
     * @return the value as an int
     */
    public int integer(String key, int defaultValue) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw malformed(key, v.get(), "an integer such as 16");
        }
    }

    /**
     * @param key          the key
     * @param defaultValue used when absent
     * @return the value as a boolean
     */
    public boolean bool(String key, boolean defaultValue) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw malformed(key, v.get(), "true or false");
        }
    }

    /**
     * @param key          the key
     * @param defaultValue used when absent
     * @return the value as a duration
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        Duration d = parseDuration(v.get());
        if (d == null) {
            throw malformed(key, v.get(), "a duration such as 250ms, 30s, 5m, 1h, 2d or PT30S");
        }
        return d;
    }

    /**
     * @param key          the key
     * @param defaultValue used when absent
     * @return the value as a byte count
     */
    public long bytes(String key, long defaultValue) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        String s = v.get().replace("_", "");
        long unit = 1;
        String[][] units = {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}, {"B", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(s);
            if (n < 0) {
                throw malformed(key, v.get(), "a non-negative size such as 65536, 64KiB or 4MiB");
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw malformed(key, v.get(), "a size such as 65536, 64KiB or 4MiB");
        }
    }

    /**
     * @param key the key
     * @return the value as a path, or empty when absent
     */
    public Optional<Path> path(String key) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(v.get()));
        } catch (InvalidPathException e) {
            throw malformed(key, v.get(), "a file system path");
        }
    }

    /**
     * @param key the key
     * @return the comma-separated values, trimmed, without empty ones; empty when absent
     */
    public List<String> list(String key) {
        List<String> out = new ArrayList<>();
        for (String part : string(key).orElse("").split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Reads an enum constant, given as its name or in lowercase-dash form
     * ({@code cache-on-any-failure}).
     *
     * @param key          the key
     * @param type         the enum type
     * @param defaultValue used when absent
     * @param <E>          the enum type
     * @return the constant
     */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        String name = v.get().trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw malformed(key, v.get(), "one of " + names);
    }

    /**
     * Builds the exception for a value that parsed but is out of range or inconsistent.
     *
     * @param key      the key
     * @param value    the offending value
     * @param expected what would be accepted
     * @return the exception to throw
     */
    public ConfigurationException malformed(String key, String value, String expected) {
        return new ConfigurationException("setting '" + key + "' for " + owner + " is '" + value + "'; expected " + expected);
    }

    static Duration parseDuration(String raw) {
        String s = raw.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i == s.length()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            return null;
        }
        switch (s.substring(i).trim()) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            case "d":
                return Duration.ofDays(n);
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return "Settings[" + owner + " " + values + "]";
    }
}
