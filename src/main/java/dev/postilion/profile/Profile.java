package dev.postilion.profile;

import dev.postilion.smtp.TlsMode;
import dev.postilion.smtp.auth.Credentials;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One named server setup from a profiles file, with {@code extends} and {@code ${...}} already
 * applied and defaults filled in. Optional values are {@code null} when not set: {@code tlsCa},
 * {@code username}, {@code password}, {@code token}, {@code from}, {@code helo}, and {@code
 * timeout} (null means the engine's RFC 5321 4.5.3.2 defaults).
 *
 * @param name the profile's name
 * @param host the server's host name or address (IPv6 without brackets)
 * @param port the server's port; by default 465 for implicit TLS, 587 when auth is set, else 25
 * @param tls how to protect the connection; by default implicit on port 465, starttls when auth
 *     is set, else starttls-if-offered
 * @param tlsCa a trust anchor (PEM file) to add to the system's, or null
 * @param insecure true to skip certificate and host name checks (explicit and loud)
 * @param auth the AUTH mechanism word: login, plain, cram-md5, xoauth2, oauthbearer, auto or
 *     none; by default auto when a username, password or token is set, else none
 * @param username the AUTH user name, or null
 * @param password the AUTH password, or null
 * @param token the OAuth bearer token (XOAUTH2, OAUTHBEARER), or null
 * @param from the default envelope and header sender, or null
 * @param helo the name to give in EHLO/HELO, or null for the engine's default
 * @param timeout the read and connect timeout, or null for the engine's defaults
 * @param pipelining whether to pipeline commands (RFC 2920)
 * @param location where the profile was defined, for messages
 * @param maxRecipients the most recipients the server takes in one transaction (Gmail 100,
 *     Exchange Online 500), which a batch splits its messages by; 0 when not set (no limit)
 */
public record Profile(
        String name,
        String host,
        int port,
        TlsMode tls,
        Path tlsCa,
        boolean insecure,
        String auth,
        String username,
        Secret password,
        Secret token,
        String from,
        String helo,
        Duration timeout,
        Pipelining pipelining,
        ProfileLocation location,
        int maxRecipients) {

    /** Whether to pipeline SMTP commands (RFC 2920). */
    public enum Pipelining {
        /** Pipeline when the server offers PIPELINING. */
        AUTO,
        /** Always pipeline (fails against a server that does not offer it). */
        ON,
        /** Never pipeline: one command, one reply. */
        OFF;

        /** The word users write: {@code auto}, {@code on} or {@code off}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return word();
        }
    }

    /** Checks the values that every profile has. */
    public Profile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(pipelining, "pipelining");
        Objects.requireNonNull(location, "location");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxRecipients < 0) {
            throw new IllegalArgumentException("maxRecipients cannot be negative: " + maxRecipients);
        }
    }

    /**
     * The port a profile gets when it names none: 465 for implicit TLS (SMTPS), 587 (submission)
     * when AUTH is wanted, else 25. A command line that overrides {@code tls} or {@code auth} can
     * use this to recompute a port that the profile did not set.
     */
    public static int defaultPort(TlsMode tls, String auth) {
        if (tls == TlsMode.IMPLICIT) {
            return 465;
        }
        return "none".equals(auth) ? 25 : 587;
    }

    /**
     * The TLS mode a profile gets when it names none: implicit on port 465; starttls (required)
     * when AUTH is wanted, so credentials never cross in plain text; else starttls-if-offered.
     *
     * @param port the profile's port, or 0 when it sets none
     */
    public static TlsMode defaultTls(int port, String auth) {
        if (port == 465) {
            return TlsMode.IMPLICIT;
        }
        return "none".equals(auth) ? TlsMode.STARTTLS_IF_OFFERED : TlsMode.STARTTLS;
    }

    /** True when the profile asks for AUTH (its {@code auth} is not {@code none}). */
    public boolean authenticates() {
        return !auth.equals("none");
    }

    /**
     * The credential a script's {@code secret('name')} means: the password, or the token when the
     * profile has no password.
     *
     * @throws ProfileException (CONFIG) when the profile has neither
     */
    public Secret secret() {
        if (password != null) {
            return password;
        }
        if (token != null) {
            return token;
        }
        throw ProfileException.at(location, name, "no password or token to use as a secret");
    }

    /**
     * True when {@code other} names this profile's host: compared without case, a final dot or
     * IPv6 brackets. A profile's credentials go only to its own host (AUTH-02).
     */
    public boolean isHost(String other) {
        return other != null && bare(other).equalsIgnoreCase(bare(host));
    }

    private static String bare(String name) {
        String h = name.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** True when the profile holds a password or a token. */
    public boolean hasSecret() {
        return password != null || token != null;
    }

    /** True when the profile holds anything to log in with: a user name, a password or a token. */
    public boolean holdsCredentials() {
        return username != null || hasSecret();
    }

    /**
     * The profile's user, password and token as credentials for AUTH. Nothing is read here: each
     * secret is read when the mechanism needs it, once for these credentials.
     */
    public Credentials credentials() {
        return new Credentials(username, password, token, null);
    }
}
