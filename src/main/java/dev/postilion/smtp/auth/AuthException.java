package dev.postilion.smtp.auth;

/** A mechanism cannot go on: a missing credential or a challenge it cannot answer. */
public final class AuthException extends Exception {
    public AuthException(String message) {
        super(message);
    }
}
