package dev.tok.example;

import dev.tok.api.DeliveryMode;
import dev.tok.api.TokException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The example server's command line: every option, its default and its check. Immutable once
 * parsed.
 *
 * <p>Options read {@code --name value} or {@code --name=value}. {@link #parse} throws
 * {@link UsageException} with a one-line message for unknown options, missing or malformed values,
 * and combinations that cannot work.
 */
public final class Options {

    /**
     * The default of {@code --max-connections}: enough for 18,000 idle connections on one
     * transport with room to spare (the transports' own default is 10,000).
     */
    static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    /** Largest frame the transports accept (the largest Java array a buffer may hold). */
    static final int MAX_FRAME_LIMIT = Integer.MAX_VALUE - 8;

    /** What a node id must match (tok-cluster-redis' rule). */
    static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Option name to {argument, help text with the default in brackets}. */
    private static final Map<String, String[]> HELP = new LinkedHashMap<>();

    static {
        HELP.put("--host", new String[] {"<address>", "address every listener binds to [127.0.0.1]"});
        HELP.put("--tcp-port", new String[] {"<port>", "TCP port, 4-byte length-prefixed frames [9000]"});
        HELP.put("--ws-port", new String[] {"<port>", "Jetty port: the chat page at /, WebSocket at /ws [8080]"});
        HELP.put("--netty-ws-port", new String[] {"<port>", "Netty port, WebSocket at /ws [8081]"});
        HELP.put("--queue", new String[] {"memory|chronicle|redis",
                "where messages for offline users wait [memory; redis with --cluster redis]"});
        HELP.put("--data-dir", new String[] {"<dir>", "directory of the chronicle queue [./tok-data]"});
        HELP.put("--redis-uri", new String[] {"<uri>",
                "Redis of the redis queue and cluster, redis://host:port/db [required with redis]"});
        HELP.put("--cluster", new String[] {"none|redis",
                "redis: one chat service with every server on the same --redis-uri [none]"});
        HELP.put("--node-id", new String[] {"<id>", "this server's id in the cluster [generated, printed at start]"});
        HELP.put("--lease", new String[] {"<seconds>",
                "a cluster node that stops renewing counts as gone after this long [10]"});
        HELP.put("--ping-interval", new String[] {"<seconds>", "server pings {\"type\":\"ping\"}, 0 = none [30]"});
        HELP.put("--read-timeout", new String[] {"<seconds>", "close a connection silent this long, 0 = off [0]"});
        HELP.put("--max-frame", new String[] {"<bytes>", "largest frame or message a client may send [4194304]"});
        HELP.put("--sso", new String[] {"true|false", "a new login closes the user's older connections [true]"});
        HELP.put("--metrics-port", new String[] {"<port>", "serve Prometheus metrics at http://<host>:<port>/metrics [off]"});
        HELP.put("--max-connections", new String[] {"<n>",
                "connections each transport holds at most, authenticated or not [20000]"});
        HELP.put("--edge-limits", new String[] {"on|off",
                "on: per-IP caps, rate limits, auth-failure bans of the transports (a public server) [off]"});
        HELP.put("--delivery", new String[] {"at-most-once|at-least-once",
                "at-least-once: msg carries \"id\", clients send {\"type\":\"received\",\"id\":N} [at-most-once]"});
    }

    private String host = "127.0.0.1";
    private int tcpPort = 9000;
    private int wsPort = 8080;
    private int nettyWsPort = 8081;
    /** null: not given (memory, or redis with a cluster). */
    private String queue;
    /** {@code none} or {@code redis}. */
    private String cluster = "none";
    /** null: not given (generated with a cluster). */
    private String nodeId;
    /** null: not given (the provider's default, 10 s). */
    private Duration lease;
    private Path dataDir = Path.of("tok-data");
    /** null: not given. */
    private String redisUri;
    private Duration pingInterval = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ZERO;
    private int maxFrame = 4 * 1024 * 1024;
    private boolean sso = true;
    /** -1: no metrics endpoint. */
    private int metricsPort = -1;
    private DeliveryMode delivery = DeliveryMode.AT_MOST_ONCE;
    private boolean edgeLimits;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private boolean help;

    private Options() {
    }

    /**
     * Parses a command line.
     *
     * @param args the arguments
     * @return the options
     * @throws UsageException with a one-line message naming the option and what it accepts
     */
    public static Options parse(String... args) {
        Options o = new Options();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                o.help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'; options start with -- (see --help)");
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (eq >= 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!HELP.containsKey(name)) {
                throw new UsageException("unknown option '" + name + "' (see --help)");
            }
            if (!seen.add(name)) {
                throw new UsageException("option " + name + " is given twice");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("option " + name + " needs a value");
                }
                value = args[++i];
            }
            o.set(name, value);
        }
        if (!o.help) {
            o.check();
        }
        return o;
    }

    private void set(String name, String value) {
        switch (name) {
            case "--host":
                if (value.isBlank()) {
                    throw new UsageException("--host needs an address, for example 127.0.0.1 or 0.0.0.0");
                }
                host = value.trim();
                break;
            case "--tcp-port":
                tcpPort = port(name, value);
                break;
            case "--ws-port":
                wsPort = port(name, value);
                break;
            case "--netty-ws-port":
                nettyWsPort = port(name, value);
                break;
            case "--queue":
                if (!value.equals("memory") && !value.equals("chronicle") && !value.equals("redis")) {
                    throw new UsageException("--queue must be memory, chronicle or redis, was '" + value + "'");
                }
                queue = value;
                break;
            case "--cluster":
                if (!value.equals("none") && !value.equals("redis")) {
                    throw new UsageException("--cluster must be none or redis, was '" + value + "'");
                }
                cluster = value;
                break;
            case "--node-id":
                if (!NODE_ID.matcher(value).matches()) {
                    throw new UsageException("--node-id must be 1 to 64 of A-Z a-z 0-9 . _ -, was '" + value + "'");
                }
                nodeId = value;
                break;
            case "--lease":
                lease = Duration.ofSeconds(number(name, value, 1, 3600, "whole seconds from 1 to 3600"));
                break;
            case "--data-dir":
                try {
                    if (value.isBlank()) {
                        throw new InvalidPathException(value, "empty");
                    }
                    dataDir = Path.of(value);
                } catch (InvalidPathException e) {
                    throw new UsageException("--data-dir must be a directory path, was '" + value + "'");
                }
                break;
            case "--redis-uri":
                // never echoed: it may carry a password
                if (!value.startsWith("redis://") && !value.startsWith("rediss://")) {
                    throw new UsageException("--redis-uri must be redis://[[user]:password@]host[:port][/db] or rediss://... "
                            + "(the value is not shown: it may hold a password)");
                }
                redisUri = value;
                break;
            case "--ping-interval":
                pingInterval = Duration.ofSeconds(number(name, value, 0, 86_400, "whole seconds from 0 to 86400"));
                break;
            case "--read-timeout":
                readTimeout = Duration.ofSeconds(number(name, value, 0, 86_400, "whole seconds from 0 to 86400"));
                break;
            case "--max-frame":
                maxFrame = (int) number(name, value, 1, MAX_FRAME_LIMIT, "a byte count from 1 to " + MAX_FRAME_LIMIT);
                break;
            case "--sso":
                switch (value.trim().toLowerCase(Locale.ROOT)) {
                    case "true":
                        sso = true;
                        break;
                    case "false":
                        sso = false;
                        break;
                    default:
                        throw new UsageException("--sso must be true or false, was '" + value + "'");
                }
                break;
            case "--metrics-port":
                metricsPort = port(name, value);
                break;
            case "--max-connections":
                maxConnections = (int) number(name, value, 1, 10_000_000, "a number of connections from 1 to 10000000");
                break;
            case "--edge-limits":
                switch (value.trim().toLowerCase(Locale.ROOT)) {
                    case "on":
                        edgeLimits = true;
                        break;
                    case "off":
                        edgeLimits = false;
                        break;
                    default:
                        throw new UsageException("--edge-limits must be on or off, was '" + value + "'");
                }
                break;
            case "--delivery":
                switch (value.trim().toLowerCase(Locale.ROOT)) {
                    case "at-most-once":
                        delivery = DeliveryMode.AT_MOST_ONCE;
                        break;
                    case "at-least-once":
                        delivery = DeliveryMode.AT_LEAST_ONCE;
                        break;
                    default:
                        throw new UsageException("--delivery must be at-most-once or at-least-once, was '" + value + "'");
                }
                break;
            default:
                throw new IllegalStateException("option without a setter: " + name);
        }
    }

    private void check() {
        if (pingInterval.isZero() && readTimeout.isZero()) {
            throw new UsageException("--ping-interval 0 with --read-timeout 0 would never notice dead connections; "
                    + "set one of them above 0");
        }
        boolean clustered = !cluster.equals("none");
        if (queue == null) {
            queue = clustered ? "redis" : "memory";
        }
        if (clustered && redisUri == null) {
            throw new UsageException("--cluster redis needs --redis-uri <uri>, for example --redis-uri redis://127.0.0.1:6379/0");
        }
        if (queue.equals("redis") && redisUri == null) {
            throw new UsageException("--queue redis needs --redis-uri <uri>, for example --redis-uri redis://127.0.0.1:6379/0");
        }
        if (!queue.equals("redis") && !clustered && redisUri != null) {
            throw new UsageException("--redis-uri is only for --queue redis or --cluster redis (the queue is " + queue + ")");
        }
        if (!clustered && nodeId != null) {
            throw new UsageException("--node-id is only for --cluster redis");
        }
        if (!clustered && lease != null) {
            throw new UsageException("--lease is only for --cluster redis");
        }
        // --queue memory|chronicle with a cluster is refused by TokServer.Builder.build() itself,
        // with its own message (ChatServer.start)
        checkDistinct("--tcp-port", tcpPort, "--ws-port", wsPort);
        checkDistinct("--tcp-port", tcpPort, "--netty-ws-port", nettyWsPort);
        checkDistinct("--ws-port", wsPort, "--netty-ws-port", nettyWsPort);
        checkDistinct("--metrics-port", metricsPort, "--tcp-port", tcpPort);
        checkDistinct("--metrics-port", metricsPort, "--ws-port", wsPort);
        checkDistinct("--metrics-port", metricsPort, "--netty-ws-port", nettyWsPort);
    }

    private static void checkDistinct(String a, int pa, String b, int pb) {
        if (pa != 0 && pa == pb) {
            throw new UsageException(a + " and " + b + " are both " + pa + "; give each listener its own port");
        }
    }

    private static int port(String name, String value) {
        return (int) number(name, value, 0, 65_535, "a port from 0 to 65535 (0 = any free port)");
    }

    private static long number(String name, String value, long min, long max, String expected) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be " + expected + ", was '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(name + " must be " + expected + ", was '" + value + "'");
        }
        return n;
    }

    /** @return the text {@code --help} prints: usage and every option with its default */
    public static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: java -jar tok-example.jar [options]\n\n");
        sb.append("A chat server on tok. Clients send one JSON object per TCP frame or WebSocket message.\n");
        sb.append("Open http://<host>:<ws-port>/ in a browser to chat. Ctrl-C stops the server.\n\n");
        sb.append("Options (defaults in brackets):\n");
        HELP.forEach((name, h) -> sb.append(String.format(Locale.ROOT, "  %-26s %s%n", name + " " + h[0], h[1])));
        sb.append(String.format(Locale.ROOT, "  %-26s %s%n", "--help", "print this and exit"));
        sb.append("\nA port of 0 picks a free port. At start, one line per listener:\n");
        sb.append("'tok listening <transport> <host>:<port>' (tcp, jetty-ws, netty-ws, and metrics with\n");
        sb.append("--metrics-port), then 'tok ready'.\n");
        sb.append("With --cluster redis, first 'tok node <id>'. Servers started with --cluster redis and the\n");
        sb.append("same --redis-uri (different ports) form one chat service: see tok-example/README.md.\n");
        sb.append("A bad option prints one line to stderr and exits with code 2.\n");
        return sb.toString();
    }

    /** @return true when {@code --help} was given */
    public boolean help() {
        return help;
    }

    /** @return the address every listener binds to */
    public String host() {
        return host;
    }

    /** @return the TCP port */
    public int tcpPort() {
        return tcpPort;
    }

    /** @return the Jetty port (page and WebSocket) */
    public int wsPort() {
        return wsPort;
    }

    /** @return the Netty WebSocket port */
    public int nettyWsPort() {
        return nettyWsPort;
    }

    /**
     * @return {@code memory}, {@code chronicle} or {@code redis}: as given, else {@code redis} with
     *         a cluster and {@code memory} without
     */
    public String queue() {
        return queue != null ? queue : cluster.equals("none") ? "memory" : "redis";
    }

    /** @return the chronicle queue's directory */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * @return the {@code uri} of the redis queue and of the redis cluster ({@code --redis-uri});
     *         empty unless {@code --queue redis} or {@code --cluster redis}
     */
    public java.util.Optional<String> redisUri() {
        return java.util.Optional.ofNullable(redisUri);
    }

    /** @return the cluster provider ({@code --cluster redis}); empty without a cluster ({@code none}) */
    public java.util.Optional<String> cluster() {
        return cluster.equals("none") ? java.util.Optional.empty() : java.util.Optional.of(cluster);
    }

    /** @return the node id given with {@code --node-id}; empty when the server generates one */
    public java.util.Optional<String> nodeId() {
        return java.util.Optional.ofNullable(nodeId);
    }

    /** @return the cluster lease given with {@code --lease}; empty for the provider's default */
    public java.util.Optional<Duration> lease() {
        return java.util.Optional.ofNullable(lease);
    }

    /** @return the server ping interval; zero = no pings */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** @return the read timeout; zero = off */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** @return the largest inbound frame in bytes */
    public int maxFrame() {
        return maxFrame;
    }

    /** @return whether single sign-on is on */
    public boolean sso() {
        return sso;
    }

    /** @return the port of the Prometheus endpoint ({@code 0}: any free port); empty when it is off */
    public java.util.OptionalInt metricsPort() {
        return metricsPort < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(metricsPort);
    }

    /**
     * @return true with {@code --edge-limits on}: the transports keep their per-IP caps, inbound
     *         rate limits and auth-failure bans; false (the default): those are off, as every client
     *         of a server on loopback shares one address (tests, load tools)
     */
    public boolean edgeLimits() {
        return edgeLimits;
    }

    /**
     * @return the {@code max-connections} of every transport the server starts ({@code tcp},
     *         {@code jetty-ws}, {@code netty-ws}): connections each holds at most, authenticated or
     *         not; 20000 by default
     */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the hub's delivery mode ({@code --delivery}) */
    public DeliveryMode delivery() {
        return delivery;
    }

    /** A command line that cannot be used; its message is one line naming the option. */
    public static final class UsageException extends TokException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
