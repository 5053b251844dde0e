package dev.tok.transport.support;

import dev.tok.api.TokException;
import java.net.BindException;
import java.util.Locale;

/**
 * The error of a transport that could not listen, worded alike by every built-in transport:
 * {@code transport 'tcp' could not bind 127.0.0.1:9000: address already in use; choose another
 * 'port' (tok.transport.tcp.port) or stop the process using it}.
 */
public final class BindFailure {

    private BindFailure() {
    }

    /**
     * @param transport the transport's name, such as {@code netty-ws}
     * @param host      the host or address it tried to bind
     * @param port      the port it tried to bind
     * @param cause     what the socket layer threw (Netty's, Jetty's or the JDK's exception, or one
     *                  wrapping it)
     * @return the exception to fail the start with, with {@code cause} as its cause
     */
    public static TokException of(String transport, String host, int port, Throwable cause) {
        String where = "transport '" + transport + "' could not bind " + host + ":" + port + ": ";
        if (addressInUse(cause)) {
            return new TokException(where + "address already in use; choose another 'port' (tok.transport." + transport
                    + ".port) or stop the process using it", cause);
        }
        return new TokException(where + cause.getMessage() + "; check 'host' (tok.transport." + transport + ".host) and 'port' "
                + "(tok.transport." + transport + ".port); port 0 picks a free one", cause);
    }

    /**
     * @param failure an exception and its causes
     * @return whether one of them says the address is in use: a {@link BindException} or Netty's
     *         native {@code bind(..) failed: Address already in use}
     */
    static boolean addressInUse(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("address already in use") || t instanceof BindException && message.contains("in use")) {
                return true;
            }
        }
        return false;
    }
}
