package dev.tok.transport.support.netty;

import io.netty.channel.epoll.Epoll;
import java.util.Locale;

/**
 * Whether the Netty transports run on the native epoll transport, and the one log line both
 * give about it. The transports' module descriptors require the native epoll modules (one per
 * CPU architecture), so the module path resolves them without {@code --add-modules}; where epoll
 * is still unavailable (another OS or architecture) the line says why.
 */
public final class NativeEpoll {

    private NativeEpoll() {
    }

    /** @return whether Netty's native epoll transport can be used */
    public static boolean available() {
        return Epoll.isAvailable();
    }

    /**
     * @param transport the transport's name
     * @return the INFO line: {@code transport 'tcp' uses the native epoll transport}, or
     *         {@code transport 'tcp' uses NIO: native epoll is unavailable (cause)} with, on
     *         Linux, what to add
     */
    public static String describe(String transport) {
        if (Epoll.isAvailable()) {
            return "transport '" + transport + "' uses the native epoll transport";
        }
        return "transport '" + transport + "' uses NIO: native epoll is unavailable (" + Epoll.unavailabilityCause() + ")"
                + (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                        ? "; put io.netty:netty-transport-native-epoll:linux-" + System.getProperty("os.arch")
                                + " on the class or module path (tok ships linux-x86_64 and linux-aarch_64; on the module "
                                + "path add --add-modules io.netty.transport.epoll.linux.<arch> for another one)"
                        : "");
    }
}
