package dev.postilion.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * AUTH LOGIN, exactly as the old Exchange servers speak it: {@code 334 VXNlcm5hbWU6}
 * ("Username:") is answered with the base64 user, {@code 334 UGFzc3dvcmQ6} ("Password:") with the
 * base64 password, which is the only secret line.
 */
public final class LoginAuth implements AuthExchange {

    private final Credentials credentials;
    private int step;

    public LoginAuth(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public String mechanism() {
        return "LOGIN";
    }

    @Override
    public Response initialResponse() {
        return null;
    }

    @Override
    public Response evaluate(byte[] challenge) throws AuthException {
        String prompt = new String(challenge, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        step++;
        boolean wantsPassword = prompt.contains("pass") || (!prompt.contains("user") && step >= 2);
        if (step > 2) {
            throw new AuthException("LOGIN got a third challenge; it has only a user name and a password");
        }
        if (wantsPassword) {
            String password = credentials.requirePassword("LOGIN");
            return new Response(password.getBytes(StandardCharsets.UTF_8), true, List.of(password));
        }
        return new Response(credentials.requireUser("LOGIN").getBytes(StandardCharsets.UTF_8), false);
    }
}
