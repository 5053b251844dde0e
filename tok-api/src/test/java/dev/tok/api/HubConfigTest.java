package dev.tok.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HubConfigTest {

    private static HubConfig.Builder valid() {
        return HubConfig.builder().actor((d, p) -> { }).readTimeout(Duration.ofSeconds(90));
    }

    @Test
    void defaultsAreGoTokDefaults() {
        HubConfig c = valid().build();
        assertThat(c.sso()).isTrue();
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.authTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.writeTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.partialSendPolicy()).isEqualTo(PartialSendPolicy.CACHE_ON_ANY_FAILURE);
        assertThat(c.pingEnabled()).isFalse();
        assertThat(c.queue()).isEmpty();
        assertThat(c.noQueue()).isFalse();
    }

    @Test
    @DisplayName("the smallest configuration builds: without server pings the read timeout defaults to 90s")
    void theSmallestConfigurationBuilds() {
        HubConfig c = HubConfig.builder().actor((d, p) -> { }).build();
        assertThat(c.pingEnabled()).isFalse();
        assertThat(c.readTimeout()).isEqualTo(HubConfig.DEFAULT_READ_TIMEOUT).isEqualTo(Duration.ofSeconds(90));
        // pings turned off explicitly: the default read timeout applies too
        assertThat(HubConfig.builder().actor((d, p) -> { }).pingGenerator(() -> new byte[0]).pingInterval(Duration.ZERO)
                .build().readTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    @DisplayName("with server pings the read timeout defaults to off, as in Go tok; a set one is kept")
    void withPingsTheReadTimeoutDefaultsToOff() {
        HubConfig pings = HubConfig.builder().actor((d, p) -> { }).pingGenerator(() -> new byte[0]).build();
        assertThat(pings.pingEnabled()).isTrue();
        assertThat(pings.readTimeout()).isZero();
        assertThat(HubConfig.builder().actor((d, p) -> { }).pingGenerator(() -> new byte[0]).readTimeout(Duration.ofSeconds(7))
                .build().readTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    @DisplayName("no tracer by default; one set is kept by toBuilder, and a second replaces it")
    void tracer() {
        assertThat(valid().build().tracer()).isEmpty();
        HubTracer first = new HubTracer() { };
        HubTracer second = new HubTracer() { };
        HubConfig c = valid().tracer(first).build();
        assertThat(c.tracer()).containsSame(first);
        assertThat(c.toBuilder().build().tracer()).containsSame(first);
        assertThat(c.toBuilder().tracer(second).build().tracer()).containsSame(second);
        assertThatThrownBy(() -> valid().tracer(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("tracer");
    }

    @Test
    @DisplayName("toBuilder keeps a read timeout that was never set unset: adding pings later turns it off")
    void toBuilderKeepsTheDefaultADefault() {
        HubConfig plain = HubConfig.builder().actor((d, p) -> { }).build();
        assertThat(plain.toBuilder().pingGenerator(() -> new byte[0]).build().readTimeout()).isZero();
        HubConfig set = HubConfig.builder().actor((d, p) -> { }).readTimeout(Duration.ofSeconds(90)).build();
        assertThat(set.toBuilder().pingGenerator(() -> new byte[0]).build().readTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    @DisplayName("an explicit read timeout of zero without server pings is refused, as Go tok refuses it")
    void bothPingAndReadTimeoutOffIsRejected() {
        assertThatThrownBy(() -> HubConfig.builder().actor((d, p) -> { }).readTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("server ping and read timeout are both off")
                .hasMessageContaining("pingGenerator").hasMessageContaining("readTimeout");
        assertThatThrownBy(() -> HubConfig.builder().actor((d, p) -> { }).pingGenerator(() -> new byte[0])
                .pingInterval(Duration.ZERO).readTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("server ping and read timeout are both off");
        assertThatThrownBy(() -> HubConfig.builder().actor((d, p) -> { }).settings(Map.of("read-timeout", "0")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("server ping and read timeout are both off");
        assertThat(HubConfig.builder().actor((d, p) -> { }).pingGenerator(() -> new byte[0]).readTimeout(Duration.ZERO)
                .build().pingEnabled()).isTrue();
    }

    @Test
    void anActorIsRequired() {
        assertThatThrownBy(() -> HubConfig.builder().build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("actor is required");
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> valid().authTimeout(Duration.ZERO).build()).hasMessageContaining("authTimeout");
        assertThatThrownBy(() -> valid().writeTimeout(Duration.ofSeconds(-1)).build()).hasMessageContaining("writeTimeout");
        assertThatThrownBy(() -> valid().maxConnectionsPerUser(0).build()).hasMessageContaining("maxConnectionsPerUser");
        assertThatThrownBy(() -> valid().maxPendingFrames(0).build()).hasMessageContaining("maxPendingFrames");
        assertThatThrownBy(() -> valid().userRateLimitFrames(-1, 10).build())
                .hasMessageContaining("user-rate-limit-frames-per-second").hasMessageContaining("0 (off) or positive");
        assertThatThrownBy(() -> valid().userRateLimitBytes(1024, 0).build())
                .hasMessageContaining("user-rate-limit-bytes-burst").hasMessageContaining("at least 1");
    }

    @Test
    void userRateLimitsAreOffByDefaultAndReadFromStrings() {
        HubConfig d = valid().build();
        assertThat(d.userRateLimitFramesPerSecond()).isZero();
        assertThat(d.userRateLimitBytesPerSecond()).isZero();
        assertThat(d.userRateLimitFramesBurst()).isEqualTo(1000);
        assertThat(d.userRateLimitBytesBurst()).isEqualTo(8L * 1024 * 1024);
        HubConfig c = valid().settings(Map.of("user-rate-limit-frames-per-second", "50", "user-rate-limit-frames-burst", "200",
                "user-rate-limit-bytes-per-second", "1MiB", "user-rate-limit-bytes-burst", "16MiB")).build();
        assertThat(c.userRateLimitFramesPerSecond()).isEqualTo(50);
        assertThat(c.userRateLimitFramesBurst()).isEqualTo(200);
        assertThat(c.userRateLimitBytesPerSecond()).isEqualTo(1024 * 1024);
        assertThat(c.userRateLimitBytesBurst()).isEqualTo(16L * 1024 * 1024);
        assertThat(c.toBuilder().build().userRateLimitBytesBurst()).isEqualTo(16L * 1024 * 1024);
    }

    @Test
    void settingsFromStrings() {
        HubConfig c = valid().settings(Map.of("sso", "false", "ping-interval", "10s", "read-timeout", "PT2M",
                "partial-send-policy", "cache-when-all-failed", "max-connections-per-user", "4")).build();
        assertThat(c.sso()).isFalse();
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.partialSendPolicy()).isEqualTo(PartialSendPolicy.CACHE_WHEN_ALL_FAILED);
        assertThat(c.maxConnectionsPerUser()).isEqualTo(4);

        assertThatThrownBy(() -> valid().settings(Map.of("ssso", "true")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'ssso' for hub (did you mean 'sso'?); known: [");
        assertThatThrownBy(() -> valid().settings(Map.of("partial-send-policy", "sometimes")))
                .hasMessageContaining("expected one of [cache-on-any-failure, cache-when-all-failed, never-cache]");
    }

    @Test
    void atLeastOnceSettings() {
        HubConfig defaults = valid().build();
        assertThat(defaults.delivery()).isEqualTo(DeliveryMode.AT_MOST_ONCE);
        assertThat(defaults.maxInflightMessages()).isEqualTo(256);
        assertThat(defaults.maxInflightBytes()).isEqualTo(1024 * 1024);
        assertThat(defaults.zeroTtlRetention()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.clientIdWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.maxClientIdsPerDevice()).isEqualTo(1024);
        assertThat(defaults.acknowledgeHook()).isEmpty();

        HubConfig c = valid().settings(Map.of("delivery", "at-least-once", "max-inflight-messages", "8",
                "max-inflight-bytes", "64KiB", "zero-ttl-retention", "30s", "client-id-window", "1m",
                "max-client-ids-per-device", "16")).build();
        assertThat(c.delivery()).isEqualTo(DeliveryMode.AT_LEAST_ONCE);
        assertThat(c.maxInflightMessages()).isEqualTo(8);
        assertThat(c.maxInflightBytes()).isEqualTo(64 * 1024);
        assertThat(c.zeroTtlRetention()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.clientIdWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.maxClientIdsPerDevice()).isEqualTo(16);
        AcknowledgeHook hook = (d, id) -> { };
        HubConfig copy = c.toBuilder().acknowledgeHook(hook).build().toBuilder().build();
        assertThat(copy.delivery()).isEqualTo(DeliveryMode.AT_LEAST_ONCE);
        assertThat(copy.maxInflightBytes()).isEqualTo(64 * 1024);
        assertThat(copy.acknowledgeHook()).containsSame(hook);

        assertThatThrownBy(() -> valid().settings(Map.of("delivery", "exactly-once")))
                .hasMessageContaining("expected one of [at-most-once, at-least-once]");
        assertThatThrownBy(() -> valid().inflightWindow(0, 10).build()).hasMessageContaining("max-inflight-messages");
        assertThatThrownBy(() -> valid().clientIds(Duration.ZERO, 1).build()).hasMessageContaining("client-id-window");
        assertThatThrownBy(() -> valid().clientIds(Duration.ofMinutes(1), 0).build()).hasMessageContaining("max-client-ids-per-device");
        assertThatThrownBy(() -> valid().delivery(DeliveryMode.AT_LEAST_ONCE).noQueue().build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("drop noQueue()");
    }

    @Test
    void toBuilderKeepsEverything() {
        HubConfig c = valid().sso(false).noQueue().build();
        HubConfig copy = c.toBuilder().build();
        assertThat(copy.sso()).isFalse();
        assertThat(copy.noQueue()).isTrue();
        assertThat(copy.actor()).isSameAs(c.actor());
    }

    @Test
    void sessionPolicyShorthandsAndPrecedence() {
        assertThat(valid().build().sessionPolicy()).isSameAs(SessionPolicy.singleSignOn());
        assertThat(valid().sso(false).maxConnectionsPerUser(5).build().sessionPolicy()).hasToString("SessionPolicy.shareAll(5)");
        assertThat(valid().settings(Map.of("sso", "false")).build().sessionPolicy()).hasToString("SessionPolicy.shareAll(16)");
        SessionPolicy custom = SessionPolicy.onePerKind(d -> d.deviceId());
        HubConfig c = valid().sessionPolicy(custom).sso(false).maxConnectionsPerUser(2).build();
        assertThat(c.sessionPolicy()).as("an explicit policy wins over the shorthands").isSameAs(custom);
        assertThat(c.sso()).isFalse();
        assertThat(c.toBuilder().sso(true).build().sessionPolicy()).isSameAs(custom);
        ConnectHook hook = connection -> { };
        assertThat(valid().connectHook(hook).build().toBuilder().build().connectHook()).containsSame(hook);
        assertThat(valid().build().connectHook()).isEmpty();
        assertThatThrownBy(() -> valid().sessionPolicy(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("sessionPolicy");
    }

    @Test
    void attributeKeysCompareByIdentity() {
        AttributeKey<String> a = AttributeKey.of("x");
        assertThat(a).isNotEqualTo(AttributeKey.of("x")).isEqualTo(a).hasToString("AttributeKey[x]");
        assertThatThrownBy(() -> AttributeKey.of("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deviceValidatesAndCopies() {
        java.util.HashMap<String, String> meta = new java.util.HashMap<>(Map.of("k", "v"));
        Device d = new Device("u", "d", meta);
        meta.put("k2", "v2");
        assertThat(d.metadata()).containsOnlyKeys("k");
        assertThatThrownBy(() -> Device.of("", "d")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Device.of(null, "d")).isInstanceOf(NullPointerException.class).hasMessageContaining("uid");
    }

    @Test
    void authRequestReadsQueryHeadersAndCookies() {
        AuthRequest r = AuthRequest.builder("jetty-ws", new java.net.InetSocketAddress("127.0.0.1", 5))
                .uri(java.net.URI.create("/ws?token=alice%2Fphone&x"))
                .header("Authorization", "Bearer abc").cookie("sid", "1").build();
        assertThat(r.queryParameter("token")).contains("alice/phone");
        assertThat(r.queryParameter("x")).contains("");
        assertThat(r.queryParameter("nope")).isEmpty();
        assertThat(r.header("authorization")).contains("Bearer abc");
        assertThat(r.cookies()).containsEntry("sid", "1");
        assertThat(r.firstFrame()).isEmpty();
    }
}
