/**
 * A tok transport over Unix domain sockets, named {@code unix}: Go tok's length-prefixed frames
 * (4-byte unsigned big-endian length, then the payload; the first frame is the auth payload) on
 * a socket file, for clients on the same machine (a local gateway, sidecars, tests).
 *
 * <p>Exports nothing: tok finds the transport by name through {@link java.util.ServiceLoader}.
 *
 * @provides dev.tok.api.spi.TransportProvider the {@code unix} transport
 */
// tag::module[]
module com.example.tok.transport.unix {
    requires dev.tok.api;

    provides dev.tok.api.spi.TransportProvider with com.example.tok.transport.unix.UnixTransportProvider;
}
// end::module[]
