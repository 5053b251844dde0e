package dev.tok.api;

import java.util.Objects;

/**
 * The typed key of a {@link ConnectionContext} attribute, as Netty's {@code AttributeKey}: the
 * type parameter makes {@link ConnectionContext#attribute(AttributeKey)} return the value's type
 * without a cast.
 *
 * <p>Keys compare by identity: two keys made with the same name are different keys. Make each
 * key once and keep it in a {@code static final} field:
 *
 * <!-- sample: ApiJavadocSamples.java#attribute-key -->
 * <pre>{@code
 * static final AttributeKey<Session> SESSION = AttributeKey.of("session");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the type of the attribute's values
 * @since 0.1
 */
public final class AttributeKey<T> {

    private final String name;

    private AttributeKey(String name) {
        this.name = name;
    }

    /**
     * Makes a new key.
     *
     * @param name a name for diagnostics ({@link #toString()}); not null, not empty; it does not
     *             identify the key
     * @param <T>  the type of the attribute's values
     * @return a key equal only to itself
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static <T> AttributeKey<T> of(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        return new AttributeKey<>(name);
    }

    /** @return the name given to {@link #of(String)} */
    public String name() {
        return name;
    }

    /** @return {@code AttributeKey[<name>]} */
    @Override
    public String toString() {
        return "AttributeKey[" + name + "]";
    }
}
