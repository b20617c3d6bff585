package dev.postilion.smtp.auth;

/**
 * One run of a SASL mechanism (RFC 4954): an optional initial response, then one response per
 * 334 challenge. Each response says whether it carries a secret, so the transcript can mask it.
 */
public interface AuthExchange {

    /** A client response and whether it must be masked. */
    record Response(byte[] bytes, boolean secret) {
    }

    /** The mechanism name as sent after AUTH, upper case. */
    String mechanism();

    /** The initial response to send on the AUTH line, or null to wait for a challenge. */
    Response initialResponse() throws AuthException;

    /** Answers a decoded 334 challenge. */
    Response evaluate(byte[] challenge) throws AuthException;
}
