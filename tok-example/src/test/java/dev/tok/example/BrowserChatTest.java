package dev.tok.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}), driven by Selenium: two pages as two users exchange messages, a TCP
 * client joins in, a page gets messages that waited while it was signed out, and a page survives
 * a server restart by reconnecting with backoff. Screenshots go to {@code target/screenshots/}.
 *
 * <p>Without the browser this test fails: {@code apt-get install -y chromium chromium-driver}.
 */
class BrowserChatTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("tok.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("tok.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    /** Selenium logs through java.util.logging; its CDP version notice is noise here (no CDP is used). Held so it stays set. */
    private static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");

    @TempDir
    Path profiles;

    private ChatServer server;
    private final List<WebDriver> browsers = new ArrayList<>();

    @BeforeAll
    static void browserInstalled() throws IOException {
        SELENIUM_LOG.setLevel(java.util.logging.Level.SEVERE);
        assertThat(Files.isExecutable(CHROMIUM))
                .as("headless Chromium is required for the browser test and is missing at %s: "
                        + "run `apt-get install -y chromium chromium-driver` (CI: .ci/run installs it)", CHROMIUM)
                .isTrue();
        assertThat(Files.isExecutable(CHROMEDRIVER))
                .as("chromedriver is required for the browser test and is missing at %s: "
                        + "run `apt-get install -y chromium chromium-driver` (CI: .ci/run installs it)", CHROMEDRIVER)
                .isTrue();
        Files.createDirectories(SCREENSHOTS);
    }

    @BeforeEach
    void startServer() {
        server = Servers.start(Map.of());
    }

    @AfterEach
    void stopAll() {
        browsers.forEach(WebDriver::quit);
        if (server != null) {
            server.close();
        }
    }

    private WebDriver browser(String name) throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        Path profile = Files.createDirectories(profiles.resolve(name + "-" + browsers.size()));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1000,700", "--user-data-dir=" + profile.toAbsolutePath());
        // one chromedriver per browser: quitting a driver stops its service
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        WebDriver driver = new ChromeDriver(service, options);
        browsers.add(driver);
        return driver;
    }

    private String pageUrl() {
        InetSocketAddress a = server.address("jetty-ws");
        return "http://" + a.getHostString() + ":" + a.getPort() + "/";
    }

    private static WebDriverWait waiting(WebDriver d) {
        WebDriverWait w = new WebDriverWait(d, PATIENCE);
        w.pollingEvery(Duration.ofMillis(50));
        w.ignoring(StaleElementReferenceException.class); // the page re-renders lists while we look
        return w;
    }

    private WebDriver signIn(String name) throws IOException {
        WebDriver d = browser(name);
        d.get(pageUrl());
        assertThat(d.getTitle()).isEqualTo("tok chat");
        d.findElement(By.id("name")).sendKeys(name);
        d.findElement(By.id("login")).click();
        awaitState(d, "connected");
        return d;
    }

    private static void awaitState(WebDriver d, String state) {
        waiting(d).withMessage(() -> "status should become " + state + ", is: " + d.findElement(By.id("status")).getText())
                .until(x -> state.equals(x.findElement(By.id("status")).getAttribute("data-state")));
    }

    private static void send(WebDriver d, String to, String text) {
        WebElement toField = d.findElement(By.id("to"));
        toField.clear();
        toField.sendKeys(to);
        d.findElement(By.id("text")).sendKeys(text);
        d.findElement(By.id("send")).click();
    }

    /** Waits for a received message with that sender and text in the page's log. */
    private static void awaitReceived(WebDriver d, String from, String text) {
        waiting(d).withMessage(() -> "message from " + from + " '" + text + "' should appear; log: " + log(d))
                .until(x -> x.findElements(By.cssSelector("#log li.in")).stream().anyMatch(li ->
                        li.findElement(By.className("who")).getText().equals(from)
                                && li.findElement(By.className("text")).getText().equals(text)));
    }

    private static String log(WebDriver d) {
        return d.findElement(By.id("log")).getText().replace('\n', '|');
    }

    private static void screenshot(WebDriver d, String name) throws IOException {
        File shot = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE);
        Path target = SCREENSHOTS.resolve(name + ".png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).as("screenshot %s", target).isGreaterThan(1_000);
    }

    @Test
    @DisplayName("two pages as two users: who is online, send, receive live, acks; a TCP user joins in; screenshot")
    void twoUsersChat() throws IOException {
        WebDriver ann = signIn("ann");
        WebDriver ben = signIn("ben");

        // Ann sees Ben online and picks him from the list
        waiting(ann).until(x -> {
            x.findElement(By.id("refresh")).click();
            return x.findElements(By.cssSelector("#users li")).stream().anyMatch(li -> li.getText().equals("ben"));
        });
        waiting(ann).withMessage("clicking ben in the online list should make him the recipient").until(x -> {
            x.findElements(By.cssSelector("#users li")).stream().filter(li -> li.getText().equals("ben")).findFirst()
                    .ifPresent(WebElement::click);
            return "ben".equals(x.findElement(By.id("to")).getAttribute("value"));
        });
        ann.findElement(By.id("text")).sendKeys("hello ben, it's ann");
        ann.findElement(By.id("send")).click();
        awaitReceived(ben, "ann", "hello ben, it's ann");
        waiting(ann).withMessage("ann's message should be acknowledged (✓)").until(x -> x.findElements(
                By.cssSelector("#log li.out .state")).stream().anyMatch(s -> s.getText().equals("✓")));

        send(ben, "ann", "hi ann! 👋 <b>not bold</b>");
        awaitReceived(ann, "ben", "hi ann! 👋 <b>not bold</b>");
        assertThat(ann.findElements(By.cssSelector("#log b"))).as("message text is not interpreted as HTML").isEmpty();

        // a TCP client writes to Ann; a JSON body that is not a string is shown as JSON
        try (ChatClient cat = Servers.login(server, "tcp", "cat")) {
            cat.send("{\"type\":\"send\",\"to\":\"ann\",\"body\":{\"text\":\"meow from tcp\"},\"cid\":\"1\"}");
            assertThat(cat.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"1\"}");
            awaitReceived(ann, "cat", "meow from tcp");
            send(ann, "cat", "hi cat");
            assertThat(ChatClient.parse(cat.next()).get("body").asText()).isEqualTo("hi cat");
        }

        // to an offline user: the page shows the message as queued (acked), not as failed
        send(ann, "nobody", "later");
        waiting(ann).until(x -> x.findElements(By.cssSelector("#log li.out .state")).size() >= 3
                && x.findElements(By.cssSelector("#log li.out .state")).stream().allMatch(s -> s.getText().equals("✓")));
        screenshot(ann, "chat-ann");
        screenshot(ben, "chat-ben");
    }

    @Test
    @DisplayName("a page that signs out and in again gets the messages that waited for it")
    void receiveAfterReconnect() throws IOException {
        WebDriver dora = signIn("dora");
        dora.findElement(By.id("logout")).click();
        awaitState(dora, "signed-out");
        try (ChatClient eve = Servers.login(server, "tcp", "eve")) {
            eve.send("{\"type\":\"send\",\"to\":\"dora\",\"body\":\"while you were out\",\"cid\":\"w\"}");
            assertThat(eve.next()).isEqualTo("{\"type\":\"ack\",\"cid\":\"w\"}");
        }
        dora.findElement(By.id("name")).clear();
        dora.findElement(By.id("name")).sendKeys("dora");
        dora.findElement(By.id("login")).click();
        awaitState(dora, "connected");
        awaitReceived(dora, "eve", "while you were out");
    }

    @Test
    @DisplayName("when the server goes away the page shows the drop, retries with growing delays, and reconnects")
    void reconnectsWithBackoff() throws IOException {
        WebDriver fay = signIn("fay");
        Options restartOn = Options.parse("--tcp-port", "0", "--netty-ws-port", "0",
                "--ws-port", Integer.toString(server.address("jetty-ws").getPort()));
        server.close();
        server = null;
        awaitState(fay, "reconnecting");
        waiting(fay).withMessage(() -> "several attempts should fail while the server is down; status: "
                + fay.findElement(By.id("status")).getText())
                .until(x -> Integer.parseInt(x.findElement(By.id("status")).getAttribute("data-attempt")) >= 3);
        assertThat(fay.findElement(By.id("status")).getText()).matches("disconnected, reconnecting in \\d+\\.\\d s \\(attempt \\d+\\)");
        screenshot(fay, "chat-reconnecting");
        assertThat(log(fay)).contains("connection lost");

        server = ChatServer.start(restartOn, Map.of());
        awaitState(fay, "connected");
        try (ChatClient gus = Servers.login(server, "tcp", "gus")) {
            gus.send("{\"type\":\"send\",\"to\":\"fay\",\"body\":\"welcome back\"}");
            awaitReceived(fay, "gus", "welcome back");
        }
    }

    @Test
    @DisplayName("at-least-once: a message shown but not yet acknowledged when the connection dropped comes again after the reconnect; the page shows it once and acknowledges it")
    void atLeastOnceRedeliveryInBrowser() throws IOException {
        server.close();
        server = Servers.start(Map.of(), "--delivery", "at-least-once");
        WebDriver kim = signIn("kim");
        try (ChatClient lou = Servers.login(server, "tcp", "lou")) {
            lou.send("{\"type\":\"send\",\"to\":\"kim\",\"body\":\"first\",\"cid\":\"1\"}");
            awaitReceived(kim, "lou", "first");
            // the page acknowledges a second after showing: drop its connection before that
            assertThat(server.hub().kick("kim")).isEqualTo(1);
            waiting(kim).withMessage(() -> "the redelivered message should be dropped as a duplicate; log: " + log(kim))
                    .until(x -> "1".equals(x.findElement(By.id("log")).getAttribute("data-duplicates")));
            awaitState(kim, "connected");
            lou.send("{\"type\":\"send\",\"to\":\"kim\",\"body\":\"second\",\"cid\":\"2\"}");
            awaitReceived(kim, "lou", "second");
            assertThat(kim.findElements(By.cssSelector("#log li.in"))).extracting(li -> li.findElement(By.className("text")).getText())
                    .containsExactly("first", "second");
        }
    }

    @Test
    @DisplayName("single sign-on: a second page of the same user takes over; the first stops instead of fighting back")
    void singleSignOnInBrowser() throws IOException {
        WebDriver first = signIn("hal");
        WebDriver second = signIn("hal");
        awaitState(first, "kicked");
        assertThat(first.findElement(By.id("status")).getText()).isEqualTo("signed in elsewhere");
        try (ChatClient ivy = Servers.login(server, "tcp", "ivy")) {
            ivy.send("{\"type\":\"send\",\"to\":\"hal\",\"body\":\"which hal?\"}");
            awaitReceived(second, "ivy", "which hal?");
        }
        assertThat(second.findElement(By.id("status")).getAttribute("data-state")).isEqualTo("connected");
        assertThat(first.findElement(By.id("status")).getAttribute("data-state")).isEqualTo("kicked");
    }
}
