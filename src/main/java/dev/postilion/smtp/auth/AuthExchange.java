package dev.postilion.smtp.auth;

import java.util.List;

/**
 * One run of a SASL mechanism (RFC 4954): an optional initial response, then one response per
 * 334 challenge. Each response says whether it carries a secret, so the transcript can mask it.
 */
public interface AuthExchange {

    /**
     * A client response and whether it must be masked.
     *
     * @param bytes the response, before base64
     * @param secret true when the line must be masked
     * @param parts the secrets inside it (a password, a token, a digest), which a server might
     *        quote back on their own: they are masked wherever they appear, as is the whole response
     */
    record Response(byte[] bytes, boolean secret, List<String> parts) {
        public Response {
            parts = parts == null ? List.of() : List.copyOf(parts);
        }

        /** A response with no secret parts of its own beyond the whole. */
        public Response(byte[] bytes, boolean secret) {
            this(bytes, secret, List.of());
        }
    }

    /** The mechanism name as sent after AUTH, upper case. */
    String mechanism();

    /** The initial response to send on the AUTH line, or null to wait for a challenge. */
    Response initialResponse() throws AuthException;

    /** Answers a decoded 334 challenge. */
    Response evaluate(byte[] challenge) throws AuthException;
}
