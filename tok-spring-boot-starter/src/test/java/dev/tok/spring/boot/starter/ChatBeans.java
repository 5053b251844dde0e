package dev.tok.spring.boot.starter;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tok.api.Actor;
import dev.tok.api.AuthenticationException;
import dev.tok.api.Authenticator;
import dev.tok.api.CloseHook;
import dev.tok.api.CloseReason;
import dev.tok.api.Device;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A small chat as application beans: the token (TCP: the first frame; WebSocket: {@code ?token=})
 * is the uid; a frame {@code to:text} is sent to {@code to} as {@code from: text} and answered
 * {@code ok}; the close hook records every close reason.
 */
@Configuration(proxyBeanMethods = false)
class ChatBeans {

    /** Every close the hook saw, in order. */
    static final class Closes {
        final List<CloseReason> reasons = new CopyOnWriteArrayList<>();
    }

    @Bean
    Authenticator authenticator() {
        return request -> {
            String uid = request.firstFrame().map(f -> new String(f, UTF_8))
                    .or(() -> request.queryParameter("token")).orElse("");
            return uid.matches("[a-z]{1,16}") ? CompletableFuture.completedFuture(Device.of(uid, ""))
                    : CompletableFuture.failedFuture(new AuthenticationException("bad token"));
        };
    }

    @Bean
    Actor actor() {
        return (connection, payload) -> {
            String text = new String(payload, UTF_8);
            int colon = text.indexOf(':');
            if (colon < 0) {
                connection.reply("error: expected to:text".getBytes(UTF_8));
                return;
            }
            String to = text.substring(0, colon);
            byte[] msg = (connection.device().uid() + ": " + text.substring(colon + 1)).getBytes(UTF_8);
            connection.hub().send(to, msg, Duration.ofMinutes(1))
                    .whenComplete((r, e) -> connection.reply((e == null ? "ok" : "error: " + e).getBytes(UTF_8)));
        };
    }

    @Bean
    Closes closes() {
        return new Closes();
    }

    @Bean
    CloseHook closeHook(Closes closes) {
        return (device, reason) -> closes.reasons.add(reason);
    }
}
