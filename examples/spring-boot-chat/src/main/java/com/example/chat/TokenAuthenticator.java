package com.example.chat;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.Authenticator;
import dev.tok.api.Device;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * The token is the user id (no password: this shows the wiring, not account security; a real
 * server verifies a signed token here). TCP clients send it as their first frame, WebSocket
 * clients as the query parameter {@code token}.
 */
final class TokenAuthenticator implements Authenticator {

    /** What a uid must match. */
    static final Pattern UID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    @Override
    public CompletionStage<Device> authenticate(AuthRequest request) {
        Optional<String> token = request.firstFrame().map(frame -> new String(frame, UTF_8))
                .or(() -> request.queryParameter("token"));
        if (token.isEmpty() || !UID.matcher(token.get()).matches()) {
            return CompletableFuture.failedFuture(new AuthenticationException("expected a token of 1 to 64 of A-Z a-z 0-9 _ . -"));
        }
        return CompletableFuture.completedFuture(Device.of(token.get(), ""));
    }
}
