package dev.tok.api;

import java.util.Map;
import java.util.Objects;

/**
 * The settings of one transport, with the name of the provider they are for: what
 * {@link TokServer.Builder#transport(TransportSettings)} takes. The typed builders that transport
 * modules publish implement it, so a misspelled setting fails at compile time:
 *
 * <!-- sample: ApiJavadocSamples.java#transport-settings -->
 * <pre>{@code
 * TokServer.builder(config)
 *         .transport(TcpTransport.settings().port(9000).maxFrameLength(64 * 1024))
 *         .build();
 * }</pre>
 *
 * <p>{@link #asMap()} is the same string form that {@link TokServer.Builder#transport(String, Map)}
 * and the {@code tok.transport.<name>.<key>} properties take, so both forms are checked by the
 * same code, with the same messages. A builder that implements this interface may be changed
 * after it was passed on: the server keeps a copy of {@link #asMap()} made at that call.
 *
 * @since 0.1
 */
public interface TransportSettings {

    /** @return the name of the transport provider, for example {@code tcp} */
    String transport();

    /**
     * @return the settings as the provider reads them: lowercase-dash keys, string values (see
     *         the transport's README); never null
     */
    Map<String, String> asMap();

    /**
     * Settings given as strings, for a transport without a typed builder.
     *
     * @param transport the name of the transport provider
     * @param settings  its settings; copied
     * @return immutable settings
     */
    static TransportSettings of(String transport, Map<String, String> settings) {
        Objects.requireNonNull(transport, "transport");
        Map<String, String> copy = Map.copyOf(settings);
        return new TransportSettings() {
            @Override
            public String transport() {
                return transport;
            }

            @Override
            public Map<String, String> asMap() {
                return copy;
            }

            @Override
            public String toString() {
                return transport + copy;
            }
        };
    }
}
