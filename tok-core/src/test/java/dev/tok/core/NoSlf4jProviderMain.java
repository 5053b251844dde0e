package dev.tok.core;

import dev.tok.api.Device;
import dev.tok.api.Hub;
import dev.tok.api.HubConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Run by {@link LoggingTest} in a child JVM without logback: creates two hubs, so that the
 * no-provider line must appear once, not twice. Refers to no logback type.
 */
public final class NoSlf4jProviderMain {
    private NoSlf4jProviderMain() {
    }

    /** @return a hub configuration without queue */
    static HubConfig config() {
        return HubConfig.builder().actor((device, payload) -> { }).readTimeout(Duration.ofSeconds(30))
                .authenticator(request -> CompletableFuture.completedFuture(Device.of("u", "d"))).noQueue().build();
    }

    /** @param args ignored */
    public static void main(String[] args) {
        Hub.create(config()).close();
        Hub.create(config()).close();
        System.out.println("hubs created: 2");
    }
}
