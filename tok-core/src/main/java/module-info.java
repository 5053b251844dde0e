/**
 * The hub implementation. Exports nothing: applications reach it through
 * {@code dev.tok.api.Hub#create} and {@code dev.tok.api.TokServer}.
 *
 * @provides dev.tok.api.spi.HubProvider
 */
module dev.tok.core {
    requires dev.tok.api;
    requires org.slf4j;

    provides dev.tok.api.spi.HubProvider with dev.tok.core.CoreHubProvider;
}
