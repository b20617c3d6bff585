package dev.postilion.smtp.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** AUTH PLAIN (RFC 4616) with the initial response {@code authzid NUL user NUL password}: secret. */
public final class PlainAuth implements AuthExchange {

    private final Credentials credentials;
    private boolean sent;

    public PlainAuth(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public String mechanism() {
        return "PLAIN";
    }

    @Override
    public Response initialResponse() throws AuthException {
        sent = true;
        return response();
    }

    @Override
    public Response evaluate(byte[] challenge) throws AuthException {
        if (sent) {
            throw new AuthException("PLAIN got a challenge after its response");
        }
        sent = true;
        return response();
    }

    /** {@code authzid NUL user NUL password}; the password (read once) is also a secret on its own. */
    private Response response() throws AuthException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (credentials.authzid() != null) {
            b.writeBytes(credentials.authzid().getBytes(StandardCharsets.UTF_8));
        }
        b.write(0);
        b.writeBytes(credentials.requireUser("PLAIN").getBytes(StandardCharsets.UTF_8));
        b.write(0);
        String password = credentials.requirePassword("PLAIN");
        b.writeBytes(password.getBytes(StandardCharsets.UTF_8));
        return new Response(b.toByteArray(), true, List.of(password));
    }
}
