package dev.postilion.smtp.auth;

import java.util.function.Supplier;

/**
 * Who to authenticate as. Secrets are suppliers, read only when a mechanism needs them, so a
 * password source (a prompt, a command) is asked at most when AUTH happens, and at most once for
 * these credentials: every connection that reuses them gets the value read the first time, and
 * {@link #fresh()} gives credentials that read their sources again (a token that expired).
 * {@link #toString()} never shows a secret.
 *
 * @param username the user (authentication identity)
 * @param password supplies the password, or null
 * @param token supplies an OAuth 2 bearer token, or null (XOAUTH2, OAUTHBEARER)
 * @param authzid an authorization identity, or null
 */
public record Credentials(String username, Supplier<String> password, Supplier<String> token, String authzid) {

    /** Wraps each secret so that it is read once, when first needed. */
    public Credentials {
        password = Once.of(password);
        token = Once.of(token);
    }

    /** A user and password. */
    public static Credentials password(String username, Supplier<String> password) {
        return new Credentials(username, password, null, null);
    }

    /** A user and bearer token. */
    public static Credentials token(String username, Supplier<String> token) {
        return new Credentials(username, null, token, null);
    }

    /** The same user and sources, not yet read: each secret is read again when a mechanism needs it. */
    public Credentials fresh() {
        return new Credentials(username, Once.source(password), Once.source(token), authzid);
    }

    String requirePassword(String mechanism) throws AuthException {
        if (password == null) {
            throw new AuthException(mechanism + " needs a password, and none was given");
        }
        String p = read(password, mechanism);
        if (p == null) {
            throw new AuthException(mechanism + " needs a password, and none was given");
        }
        return p;
    }

    String requireToken(String mechanism) throws AuthException {
        Supplier<String> s = token != null ? token : password;
        String t = s == null ? null : read(s, mechanism);
        if (t == null) {
            throw new AuthException(mechanism + " needs a bearer token, and none was given");
        }
        return t;
    }

    /**
     * Reads a secret. A source that cannot give it (an unset variable, a failing command) ends the
     * mechanism, so the session cancels the exchange; the source's own failure is the cause.
     */
    private static String read(Supplier<String> secret, String mechanism) throws AuthException {
        try {
            return secret.get();
        } catch (RuntimeException e) {
            AuthException failure = new AuthException(mechanism + " cannot read its secret: " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
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

    /** A secret read on the first {@code get()} and kept; a failed read is tried again next time. */
    private static final class Once implements Supplier<String> {
        private final Supplier<String> source;
        private String value;

        private Once(Supplier<String> source) {
            this.source = source;
        }

        static Supplier<String> of(Supplier<String> source) {
            return source == null || source instanceof Once ? source : new Once(source);
        }

        static Supplier<String> source(Supplier<String> s) {
            return s instanceof Once o ? o.source : s;
        }

        @Override
        public synchronized String get() {
            if (value == null) {
                value = source.get();
            }
            return value;
        }

        @Override
        public String toString() {
            return "********";
        }
    }
}
