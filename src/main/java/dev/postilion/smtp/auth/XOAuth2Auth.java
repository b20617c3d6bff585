package dev.postilion.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * AUTH XOAUTH2 (Google, Microsoft): initial response
 * {@code user=U ^A auth=Bearer T ^A ^A}. On failure the server sends a 334 carrying a JSON error;
 * the client answers with an empty line to receive the final 5xx.
 */
public final class XOAuth2Auth implements AuthExchange {

    private final Credentials credentials;

    public XOAuth2Auth(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public String mechanism() {
        return "XOAUTH2";
    }

    @Override
    public Response initialResponse() throws AuthException {
        String token = credentials.requireToken("XOAUTH2");
        String s = "user=" + credentials.requireUser("XOAUTH2") + "\u0001auth=Bearer " + token + "\u0001\u0001";
        return new Response(s.getBytes(StandardCharsets.UTF_8), true, List.of(token, "Bearer " + token));
    }

    @Override
    public Response evaluate(byte[] challenge) {
        return new Response(new byte[0], false);
    }
}
