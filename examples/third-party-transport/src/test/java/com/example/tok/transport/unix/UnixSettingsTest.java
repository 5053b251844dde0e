package com.example.tok.transport.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.ConfigurationException;
import dev.tok.api.Device;
import dev.tok.api.HubConfig;
import dev.tok.api.TokException;
import dev.tok.api.TokServer;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the kit does not check: this transport's own settings and its socket file. */
class UnixSettingsTest {

    @TempDir
    Path dir;

    private static TokServer.Builder server(Map<String, String> settings) {
        HubConfig config = HubConfig.builder().actor((d, p) -> { })
                .authenticator(r -> CompletableFuture.completedFuture(Device.of("u", "d")))
                .readTimeout(Duration.ofMinutes(1)).build();
        return TokServer.builder(config).transport("unix", settings);
    }

    @Test
    @DisplayName("malformed, missing and unknown settings are refused when the server is built, naming the setting")
    void strictSettings() {
        String path = dir.resolve("t.sock").toString();
        for (Map.Entry<String, String> bad : Map.of("max-frame-length", "0", "high-water-mark", "lots", "write-timeout", "0",
                "auth-timeout", "soon", "max-connections", "-1", "shutdown-grace-period", "later").entrySet()) {
            Map<String, String> settings = new HashMap<>(Map.of("path", path));
            settings.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> server(settings).build()).as(bad.toString())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining(bad.getKey());
        }
        assertThatThrownBy(() -> server(Map.of()).build()).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'path'").hasMessageContaining("required");
        assertThatThrownBy(() -> server(Map.of("path", dir.resolve("no/such/dir/t.sock").toString())).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("existing directory");
        assertThatThrownBy(() -> server(Map.of("path", dir.resolve("x".repeat(120)).toString())).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("107 bytes");
        assertThatThrownBy(() -> server(Map.of("path", path, "port", "9000")).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("unknown setting 'port'");
    }

    @Test
    @DisplayName("the socket file is created on start and removed on stop; an existing file fails the start and is left alone")
    void socketFile() throws Exception {
        Path socket = dir.resolve("tok.sock");
        try (TokServer server = server(Map.of("path", socket.toString())).build().start()) {
            assertThat(server.address("unix")).hasValue(UnixDomainSocketAddress.of(socket));
            assertThat(socket).exists();
            TokServer second = server(Map.of("path", socket.toString())).build();
            assertThatThrownBy(second::start).isInstanceOf(TokException.class)
                    .hasMessageContaining(socket.toString()).hasMessageContaining("remove it or choose another 'path'");
            assertThat(socket).as("the running server's socket file").exists();
        }
        assertThat(socket).doesNotExist();

        Files.writeString(socket, "not a socket");
        assertThatThrownBy(() -> server(Map.of("path", socket.toString())).build().start()).isInstanceOf(TokException.class);
        assertThat(socket).hasContent("not a socket");
    }
}
