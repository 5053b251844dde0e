package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tok.api.DeliveryMode;
import dev.tok.api.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line and the token rules, without a server. */
class OptionsTest {

    @Test
    @DisplayName("no options: the documented defaults")
    void defaults() {
        Options o = Options.parse();
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.tcpPort()).isEqualTo(9000);
        assertThat(o.wsPort()).isEqualTo(8080);
        assertThat(o.nettyWsPort()).isEqualTo(8081);
        assertThat(o.queue()).isEqualTo("memory");
        assertThat(o.dataDir()).isEqualTo(Path.of("tok-data"));
        assertThat(o.redisUri()).isEmpty();
        assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.readTimeout()).isEqualTo(Duration.ZERO);
        assertThat(o.maxFrame()).isEqualTo(4194304);
        assertThat(o.sso()).isTrue();
        assertThat(o.metricsPort()).as("no metrics endpoint by default").isEmpty();
        assertThat(o.delivery()).isEqualTo(DeliveryMode.AT_MOST_ONCE);
        assertThat(o.edgeLimits()).isFalse();
        assertThat(o.maxConnections()).as("room for 18,000 idle connections on one transport").isEqualTo(20000);
        assertThat(o.cluster()).as("no cluster by default").isEmpty();
        assertThat(o.nodeId()).isEmpty();
        assertThat(o.lease()).isEmpty();
        assertThat(o.help()).isFalse();
    }

    @Test
    @DisplayName("--cluster redis: the queue defaults to redis, --redis-uri serves both; --node-id and --lease as given")
    void cluster() {
        Options o = Options.parse("--cluster", "redis", "--redis-uri", "redis://:pw@10.0.0.1:6380/2");
        assertThat(o.cluster()).contains("redis");
        assertThat(o.queue()).as("a queue every node shares").isEqualTo("redis");
        assertThat(o.redisUri()).contains("redis://:pw@10.0.0.1:6380/2");
        assertThat(o.nodeId()).as("generated when the server starts").isEmpty();
        assertThat(o.lease()).isEmpty();

        Options named = Options.parse("--cluster=redis", "--redis-uri=redis://127.0.0.1:6379", "--node-id", "chat-1.eu_west",
                "--lease=3");
        assertThat(named.nodeId()).contains("chat-1.eu_west");
        assertThat(named.lease()).contains(Duration.ofSeconds(3));
        assertThat(Options.parse("--cluster", "none").cluster()).isEmpty();
        assertThat(Options.parse("--cluster", "none").queue()).isEqualTo("memory");
        assertThat(Options.parse("--cluster", "redis", "--queue", "redis", "--redis-uri", "redis://h").queue()).isEqualTo("redis");
        // left to TokServer, which refuses a node-local queue with its own message (ClusterTest)
        assertThat(Options.parse("--cluster", "redis", "--queue", "memory", "--redis-uri", "redis://h").queue()).isEqualTo("memory");
        assertThat(Options.parse("--cluster", "redis", "--redis-uri", "redis://h", "--delivery", "at-least-once").delivery())
                .isEqualTo(DeliveryMode.AT_LEAST_ONCE);
    }

    @Test
    @DisplayName("every option, as '--name value' and as '--name=value'")
    void everyOption() {
        Options o = Options.parse("--host", "0.0.0.0", "--tcp-port=0", "--ws-port", "18080", "--netty-ws-port=18081",
                "--queue", "chronicle", "--data-dir", "/tmp/q", "--ping-interval", "0", "--read-timeout=90",
                "--max-frame", "1024", "--sso=false", "--delivery", "at-least-once", "--edge-limits=on",
                "--max-connections", "50000");
        assertThat(o.host()).isEqualTo("0.0.0.0");
        assertThat(o.tcpPort()).isZero();
        assertThat(o.wsPort()).isEqualTo(18080);
        assertThat(o.nettyWsPort()).isEqualTo(18081);
        assertThat(o.queue()).isEqualTo("chronicle");
        assertThat(o.dataDir()).isEqualTo(Path.of("/tmp/q"));
        assertThat(o.pingInterval()).isZero();
        assertThat(o.readTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(o.maxFrame()).isEqualTo(1024);
        assertThat(o.sso()).isFalse();
        assertThat(o.delivery()).isEqualTo(DeliveryMode.AT_LEAST_ONCE);
        assertThat(o.edgeLimits()).isTrue();
        assertThat(o.maxConnections()).isEqualTo(50000);
        assertThat(Options.parse("--delivery=at-most-once", "--edge-limits", "off").edgeLimits()).isFalse();
    }

    @Test
    @DisplayName("--queue redis with --redis-uri, in both spellings: the uri as given, password included")
    void redisQueue() {
        Options o = Options.parse("--queue", "redis", "--redis-uri", "redis://:pw@10.0.0.1:6380/2");
        assertThat(o.queue()).isEqualTo("redis");
        assertThat(o.redisUri()).contains("redis://:pw@10.0.0.1:6380/2");
        assertThat(Options.parse("--queue=redis", "--redis-uri=rediss://redis.internal").redisUri()).contains("rediss://redis.internal");
    }

    @Test
    @DisplayName("--help lists every option with its default")
    void help() {
        assertThat(Options.parse("--help").help()).isTrue();
        assertThat(Options.parse("--tcp-port", "1", "--help").help()).isTrue();
        String usage = Options.usage();
        for (String option : new String[] {"--host", "--tcp-port", "--ws-port", "--netty-ws-port", "--queue", "--data-dir",
            "--redis-uri", "--ping-interval", "--read-timeout", "--max-frame", "--sso", "--metrics-port", "--edge-limits",
            "--max-connections", "--delivery", "--cluster", "--node-id", "--lease", "--help"}) {
            assertThat(usage).contains("  " + option + " ");
        }
        assertThat(usage).contains("[127.0.0.1]", "[9000]", "[8080]", "[8081]", "[./tok-data]", "[30]", "[0]",
                "[4194304]", "[true]", "[off]", "[required with redis]", "[20000]",
                "[none]", "[generated, printed at start]", "[10]", "[memory; redis with --cluster redis]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--bogus 1|unknown option '--bogus' (see --help)",
        "9000|unexpected argument '9000'; options start with -- (see --help)",
        "--tcp-port|option --tcp-port needs a value",
        "--tcp-port 1 --tcp-port 2|option --tcp-port is given twice",
        "--tcp-port x|--tcp-port must be a port from 0 to 65535 (0 = any free port), was 'x'",
        "--ws-port 65536|--ws-port must be a port from 0 to 65535 (0 = any free port), was '65536'",
        "--netty-ws-port -1|--netty-ws-port must be a port from 0 to 65535 (0 = any free port), was '-1'",
        "--queue kafka|--queue must be memory, chronicle or redis, was 'kafka'",
        "--queue redis|--queue redis needs --redis-uri <uri>, for example --redis-uri redis://127.0.0.1:6379/0",
        "--redis-uri redis://127.0.0.1:6379/0|--redis-uri is only for --queue redis or --cluster redis (the queue is memory)",
        "--queue chronicle --redis-uri redis://127.0.0.1:6379/0|--redis-uri is only for --queue redis or --cluster redis (the queue is chronicle)",
        "--cluster zookeeper|--cluster must be none or redis, was 'zookeeper'",
        "--cluster redis|--cluster redis needs --redis-uri <uri>, for example --redis-uri redis://127.0.0.1:6379/0",
        "--cluster redis --queue chronicle|--cluster redis needs --redis-uri <uri>, for example --redis-uri redis://127.0.0.1:6379/0",
        "--node-id n1|--node-id is only for --cluster redis",
        "--cluster none --node-id n1|--node-id is only for --cluster redis",
        "--lease 3|--lease is only for --cluster redis",
        "--cluster redis --redis-uri redis://h --node-id a/b|--node-id must be 1 to 64 of A-Z a-z 0-9 . _ -, was 'a/b'",
        "--cluster redis --redis-uri redis://h --lease 0|--lease must be whole seconds from 1 to 3600, was '0'",
        "--queue redis --redis-uri http://:s3cret@host|--redis-uri must be redis://[[user]:password@]host[:port][/db] or rediss://... (the value is not shown: it may hold a password)",
        "--ping-interval 1.5|--ping-interval must be whole seconds from 0 to 86400, was '1.5'",
        "--read-timeout -3|--read-timeout must be whole seconds from 0 to 86400, was '-3'",
        "--max-frame 0|--max-frame must be a byte count from 1 to 2147483639, was '0'",
        "--sso yes|--sso must be true or false, was 'yes'",
        "--delivery exactly-once|--delivery must be at-most-once or at-least-once, was 'exactly-once'",
        "--edge-limits maybe|--edge-limits must be on or off, was 'maybe'",
        "--max-connections 0|--max-connections must be a number of connections from 1 to 10000000, was '0'",
        "--max-connections many|--max-connections must be a number of connections from 1 to 10000000, was 'many'",
        "--ping-interval 0|--ping-interval 0 with --read-timeout 0 would never notice dead connections; set one of them above 0",
        "--tcp-port 7000 --ws-port 7000|--tcp-port and --ws-port are both 7000; give each listener its own port",
        "--metrics-port 9000|--metrics-port and --tcp-port are both 9000; give each listener its own port",
        "--metrics-port x|--metrics-port must be a port from 0 to 65535 (0 = any free port), was 'x'",
    })
    @DisplayName("a bad command line gives one line naming the option")
    void badCommandLines(String args, String message) {
        assertThatThrownBy(() -> Options.parse(args.split(" ")))
                .isInstanceOf(Options.UsageException.class)
                .hasMessage(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    @DisplayName("ports of 0 may repeat: each picks its own free port")
    void zeroPortsRepeat() {
        Options o = Options.parse("--tcp-port", "0", "--ws-port", "0", "--netty-ws-port", "0");
        assertThat(o.tcpPort() + o.wsPort() + o.nettyWsPort()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"alice|alice|", "alice/phone|alice|phone", "A_b.c-9/d-1.x_Y|A_b.c-9|d-1.x_Y"})
    @DisplayName("tokens: uid or uid/deviceId")
    void goodTokens(String token, String uid, String device) {
        Optional<Device> d = TokenAuthenticator.parse(token);
        assertThat(d).isPresent();
        assertThat(d.get().uid()).isEqualTo(uid);
        assertThat(d.get().deviceId()).isEqualTo(device == null ? "" : device);
        assertThat(d.get().metadata()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "a b", "a/b/c", "alice/", "/phone", "al:ice", "ålice", "a\tb"})
    @DisplayName("tokens that break the rules are refused")
    void badTokens(String token) {
        assertThat(TokenAuthenticator.parse(token)).isEmpty();
        assertThat(TokenAuthenticator.parse("x".repeat(65))).isEmpty();
        assertThat(TokenAuthenticator.parse("x".repeat(64))).isPresent();
        assertThat(TokenAuthenticator.parse("a/" + "x".repeat(65))).isEmpty();
    }
}
