import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import dev.tok.api.TokServer;
import dev.tok.api.spi.HubProvider;
import dev.tok.api.spi.TransportProvider;
import java.lang.module.ModuleDescriptor;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Run by verify.sh with the plugin jar on the module path next to tok-api, tok-core and
 * tok-queue-memory, and only {@code --add-modules dev.tok.api} as a root:
 *
 * <pre>
 * java -p target/module-path:target/tok-transport-unix-1.0.0-SNAPSHOT.jar --add-modules dev.tok.api check/ModulePathCheck.java
 * </pre>
 *
 * Nothing requires the plugin: the module system resolves it because tok-api {@code uses}
 * TransportProvider and the plugin {@code provides} it (service binding). The check shows that
 * ServiceLoader finds it by name as that named module, then serves a real client through it
 * with a TokServer that names only "unix". Exit status 0 means every check passed.
 */
public class ModulePathCheck {

    public static void main(String[] args) throws Exception {
        String expected = "com.example.tok.transport.unix";

        // 1. ServiceLoader finds a TransportProvider named "unix", and it is the named module
        TransportProvider unix = ServiceLoader.load(TransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("unix")).findFirst()
                .orElseThrow(() -> new AssertionError("ServiceLoader found no TransportProvider named 'unix'"));
        Module module = unix.getClass().getModule();
        check(module.isNamed() && module.getName().equals(expected), "the provider's module is " + module);
        check(module.getLayer() == ModuleLayer.boot(), "the module is in the boot layer (module path)");
        ModuleDescriptor descriptor = module.getDescriptor();
        check(!descriptor.isAutomatic(), "the module is explicit (module-info.class), not automatic");
        check(descriptor.exports().isEmpty(), "the module exports nothing");
        check(descriptor.provides().stream().anyMatch(p -> p.service().equals(TransportProvider.class.getName())
                && p.providers().contains(unix.getClass().getName())), "module-info provides " + unix.getClass().getName());
        check(!System.getProperty("java.class.path", "").contains("tok-transport-unix"), "the plugin is not on the class path");
        Module core = ServiceLoader.load(HubProvider.class).findFirst().orElseThrow().getClass().getModule();
        System.out.println("found TransportProvider 'unix' in module " + module.getName() + " (" + descriptor.toNameAndVersion()
                + "), hub implementation in module " + core.getName());

        // 2. tok-api resolves "unix" by name itself: a server with that transport serves a client
        Path socket = Files.createTempDirectory("tok-module-path-check").resolve("tok.sock");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        HubConfig config = HubConfig.builder()
                .actor((connection, payload) -> received.add(connection.device().uid() + ">" + new String(payload, StandardCharsets.UTF_8)))
                .authenticator(request -> CompletableFuture.completedFuture(
                        Device.of(new String(request.firstFrame().orElseThrow(), StandardCharsets.UTF_8), "cli")))
                .readTimeout(Duration.ofMinutes(1))
                .build();
        try (TokServer server = TokServer.builder(config).transport("unix", Map.of("path", socket.toString())).build().start();
                SocketChannel client = SocketChannel.open(server.address("unix").orElseThrow())) {
            SocketAddress address = server.address("unix").orElseThrow();
            Hub hub = server.hub();
            write(client, "alice");
            write(client, "hello hub");
            check("alice>hello hub".equals(received.poll(20, TimeUnit.SECONDS)), "a frame from the client reached the actor");
            hub.send("alice", "hello alice".getBytes(StandardCharsets.UTF_8), Duration.ZERO).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            check("hello alice".equals(read(client)), "a frame from the hub reached the client");
            System.out.println("served a client through transport 'unix' on " + address + ": frames both ways");
        }
        check(Files.notExists(socket), "stopping removed the socket file");
        System.out.println("OK: " + List.of(expected, core.getName()) + " discovered on the module path through ServiceLoader");
    }

    private static void write(SocketChannel channel, String payload) throws Exception {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).flip();
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    private static String read(SocketChannel channel) throws Exception {
        ByteBuffer header = ByteBuffer.allocate(4);
        readFully(channel, header);
        ByteBuffer payload = ByteBuffer.allocate(header.getInt(0));
        readFully(channel, payload);
        return new String(payload.array(), StandardCharsets.UTF_8);
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws Exception {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new AssertionError("the server closed the connection");
            }
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("check failed: " + what);
        }
        System.out.println("ok   " + what);
    }
}
