package dev.postilion.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** AUTH CRAM-MD5 (RFC 2195): the response is {@code user SP hex(HMAC-MD5(password, challenge))}. */
public final class CramMd5Auth implements AuthExchange {

    private final Credentials credentials;

    public CramMd5Auth(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public String mechanism() {
        return "CRAM-MD5";
    }

    @Override
    public Response initialResponse() {
        return null;
    }

    @Override
    public Response evaluate(byte[] challenge) throws AuthException {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(credentials.requirePassword("CRAM-MD5").getBytes(StandardCharsets.UTF_8),
                    "HmacMD5"));
            String digest = HexFormat.of().formatHex(mac.doFinal(challenge));
            String answer = credentials.requireUser("CRAM-MD5") + " " + digest;
            return new Response(answer.getBytes(StandardCharsets.UTF_8), true, List.of(digest));
        } catch (GeneralSecurityException e) {
            throw new AuthException("CRAM-MD5 is not available in this JDK: " + e.getMessage());
        }
    }
}
