package dev.tok.api.spi;

/**
 * The version of tok's service-provider interface, checked between tok-api and every provider
 * it loads (as SLF4J checks its providers).
 *
 * <p>Every provider ({@link HubProvider}, {@link QueueProvider}, {@link TransportProvider},
 * {@link ClusterProvider})
 * implements its {@code spiVersion()} method as {@code return Spi.VERSION;}. {@link #VERSION} is
 * a compile-time constant, so the compiler copies its value into the provider's class: the
 * provider reports the version of the tok-api it was <em>compiled</em> against, whatever tok-api
 * it later runs with. tok-api refuses a provider whose version differs from its own with a
 * sentence naming the provider, its jar and both versions, instead of failing later with an
 * {@link AbstractMethodError}. A provider compiled before this check existed (it has no
 * {@code spiVersion()} method) is refused the same way.
 *
 * <p>The version changes whenever the SPI changes incompatibly for providers; use tok artifacts
 * of one version, as {@code dev.tok:tok-bom} lists them.
 *
 * @since 0.1
 */
public final class Spi {

    /**
     * The SPI version this tok-api defines. Providers return this constant from their
     * {@code spiVersion()} method; the value is inlined at their compile time.
     */
    public static final String VERSION = "1";

    private Spi() {
    }
}
