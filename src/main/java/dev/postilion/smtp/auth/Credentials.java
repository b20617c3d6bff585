package dev.postilion.smtp.auth;

import java.util.function.Supplier;

/**
 * Who to authenticate as. Secrets are suppliers, read only when a mechanism needs them, so a
 * password source (a prompt, a command) is asked at most when AUTH happens. {@link #toString()}
 * never shows a secret.
 *
 * @param username the user (authentication identity)
 * @param password supplies the password, or null
 * @param token supplies an OAuth 2 bearer token, or null (XOAUTH2, OAUTHBEARER)
 * @param authzid an authorization identity, or null
 */
public record Credentials(String username, Supplier<String> password, Supplier<String> token, String authzid) {

    /** A user and password. */
    public static Credentials password(String username, Supplier<String> password) {
        return new Credentials(username, password, null, null);
    }

    /** A user and bearer token. */
    public static Credentials token(String username, Supplier<String> token) {
        return new Credentials(username, null, token, null);
    }

    String requirePassword(String mechanism) throws AuthException {
        if (password == null) {
            throw new AuthException(mechanism + " needs a password, and none was given");
        }
        String p = password.get();
        if (p == null) {
            throw new AuthException(mechanism + " needs a password, and none was given");
        }
        return p;
    }

    String requireToken(String mechanism) throws AuthException {
        Supplier<String> s = token != null ? token : password;
        String t = s == null ? null : s.get();
        if (t == null) {
            throw new AuthException(mechanism + " needs a bearer token, and none was given");
        }
        return t;
    }

    String requireUser(String mechanism) throws AuthException {
        if (username == null || username.isEmpty()) {
            throw new AuthException(mechanism + " needs a user name, and none was given");
        }
        return username;
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=" + (password == null ? "none" : "********")
                + ", token=" + (token == null ? "none" : "********") + "]";
    }
}
