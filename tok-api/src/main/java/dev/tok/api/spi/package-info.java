/**
 * tok's service-provider interface, for hub implementations ({@link dev.tok.api.spi.HubProvider}),
 * queues ({@link dev.tok.api.spi.QueueProvider}) and transports
 * ({@link dev.tok.api.spi.TransportProvider}), found with {@link java.util.ServiceLoader}, and
 * clusters ({@link dev.tok.api.spi.ClusterProvider}, {@link dev.tok.api.spi.Cluster}: several hubs
 * acting as one; not used by the hub yet).
 *
 * <p>Every provider implements {@code spiVersion()} as {@code return Spi.VERSION;}; tok-api
 * refuses a provider built for another SPI version (see {@link dev.tok.api.spi.Spi}). Provider
 * names are lowercase-dash; the names {@code tcp}, {@code jetty-ws}, {@code netty-ws},
 * {@code memory}, {@code chronicle} and {@code redis} are reserved for tok's own providers and
 * refused for any other class.
 *
 * <p><b>Nulls.</b> As in {@link dev.tok.api}: no parameter accepts {@code null} unless its
 * documentation says so, and no method returns {@code null} (absent values are
 * {@link java.util.Optional#empty()}).
 *
 * @since 0.1
 */
package dev.tok.api.spi;
