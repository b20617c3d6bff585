package dev.postilion.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * AUTH OAUTHBEARER (RFC 7628): initial response {@code n,a=user,^Ahost=H^Aport=P^Aauth=Bearer T^A^A}.
 * On an error challenge the client sends {@code ^A} (RFC 7628 3.2.3) to receive the final reply.
 */
public final class OAuthBearerAuth implements AuthExchange {

    private final Credentials credentials;
    private final String host;
    private final int port;

    public OAuthBearerAuth(Credentials credentials, String host, int port) {
        this.credentials = credentials;
        this.host = host;
        this.port = port;
    }

    @Override
    public String mechanism() {
        return "OAUTHBEARER";
    }

    @Override
    public Response initialResponse() throws AuthException {
        String user = credentials.requireUser("OAUTHBEARER").replace("=", "=3D").replace(",", "=2C");
        String token = credentials.requireToken("OAUTHBEARER");
        String s = "n,a=" + user + ",\u0001host=" + host + "\u0001port=" + port + "\u0001auth=Bearer " + token
                + "\u0001\u0001";
        return new Response(s.getBytes(StandardCharsets.UTF_8), true, List.of(token, "Bearer " + token));
    }

    @Override
    public Response evaluate(byte[] challenge) {
        return new Response(new byte[] {1}, false);
    }
}
