/**
 * tok's public contracts and its service-provider interface.
 *
 * <p>Applications compile against this module alone: {@link dev.tok.api.Hub#create} and
 * {@link dev.tok.api.TokServer} locate the hub implementation, the queues and the transports
 * with {@link java.util.ServiceLoader}.
 *
 * @uses dev.tok.api.spi.HubProvider
 * @uses dev.tok.api.spi.QueueProvider
 * @uses dev.tok.api.spi.TransportProvider
 * @uses dev.tok.api.spi.ClusterProvider
 */
module dev.tok.api {
    exports dev.tok.api;
    exports dev.tok.api.spi;

    uses dev.tok.api.spi.HubProvider;
    uses dev.tok.api.spi.QueueProvider;
    uses dev.tok.api.spi.TransportProvider;
    uses dev.tok.api.spi.ClusterProvider;
}
