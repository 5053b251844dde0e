package dev.tok.example;

import dev.tok.api.AuthRequest;
import dev.tok.api.AuthenticationException;
import dev.tok.api.Authenticator;
import dev.tok.api.Device;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * The example's token rules. A token is {@code uid} or {@code uid/deviceId}; both parts match
 * {@code [A-Za-z0-9_.-]{1,64}}. TCP clients send it as their first frame (UTF-8); WebSocket
 * clients as the query parameter {@code token} or the header {@code Authorization: Bearer <token>}
 * (the query parameter wins when both are present).
 *
 * <p>There is no password: this is a demonstration of the wiring, not of account security. A real
 * server verifies a signed token here.
 */
public final class TokenAuthenticator implements Authenticator {

    /** What a uid (and a device id) must match. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /**
     * {@link #ID} without a regular expression (the actor checks every message's recipient).
     *
     * @param s a string; not null
     * @return true when {@code s} is 1 to 64 of {@code A-Z a-z 0-9 _ . -}
     */
    public static boolean isId(String s) {
        int n = s.length();
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public CompletionStage<Device> authenticate(AuthRequest request) {
        Optional<String> token = token(request);
        if (token.isEmpty()) {
            return CompletableFuture.failedFuture(new AuthenticationException("no token: TCP sends it as the first frame, "
                    + "WebSocket as ?token=... or Authorization: Bearer ..."));
        }
        Optional<Device> device = parse(token.get());
        if (device.isEmpty()) {
            return CompletableFuture.failedFuture(new AuthenticationException("malformed token: expected uid or uid/deviceId, "
                    + "each 1 to 64 of A-Z a-z 0-9 _ . -"));
        }
        return CompletableFuture.completedFuture(device.get());
    }

    /**
     * Parses a token.
     *
     * @param token the token
     * @return the device, or empty when the token breaks the rules
     */
    static Optional<Device> parse(String token) {
        int slash = token.indexOf('/');
        String uid = slash < 0 ? token : token.substring(0, slash);
        String deviceId = slash < 0 ? "" : token.substring(slash + 1);
        if (!isId(uid) || (slash >= 0 && !isId(deviceId))) {
            return Optional.empty();
        }
        return Optional.of(Device.of(uid, deviceId));
    }

    private static Optional<String> token(AuthRequest request) {
        Optional<byte[]> frame = request.firstFrame();
        if (frame.isPresent()) {
            try {
                return Optional.of(StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(frame.get()))
                        .toString());
            } catch (CharacterCodingException e) {
                return Optional.empty();
            }
        }
        Optional<String> query = request.queryParameter("token");
        if (query.isPresent()) {
            return query;
        }
        return request.header("authorization").flatMap(TokenAuthenticator::bearer);
    }

    private static Optional<String> bearer(String authorization) {
        String prefix = "bearer ";
        if (authorization.length() > prefix.length() && authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return Optional.of(authorization.substring(prefix.length()).trim());
        }
        return Optional.empty();
    }
}
