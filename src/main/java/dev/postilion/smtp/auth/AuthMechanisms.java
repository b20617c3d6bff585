package dev.postilion.smtp.auth;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Names the mechanisms Postilion speaks, starts an exchange by name, and picks one for {@code auto}. */
public final class AuthMechanisms {

    /** Every mechanism, by name. */
    public static final List<String> SUPPORTED =
            List.of("LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER", "DIGEST-MD5", "NTLM");

    /** What {@code auto} prefers with a password, strongest first (DIGEST-MD5 and NTLM are obsolete). */
    private static final List<String> AUTO_PASSWORD = List.of("CRAM-MD5", "PLAIN", "LOGIN");
    /** What {@code auto} prefers with a token. */
    private static final List<String> AUTO_TOKEN = List.of("OAUTHBEARER", "XOAUTH2");

    private AuthMechanisms() {
    }

    /**
     * Starts an exchange.
     *
     * @throws AuthException for an unknown mechanism
     */
    public static AuthExchange start(String mechanism, Credentials credentials, String host, int port)
            throws AuthException {
        String m = mechanism.toUpperCase(Locale.ROOT);
        return switch (m) {
            case "LOGIN" -> new LoginAuth(credentials);
            case "PLAIN" -> new PlainAuth(credentials);
            case "CRAM-MD5" -> new CramMd5Auth(credentials);
            case "XOAUTH2" -> new XOAuth2Auth(credentials);
            case "OAUTHBEARER" -> new OAuthBearerAuth(credentials, host, port);
            case "DIGEST-MD5", "NTLM" -> new JdkSaslAuth(m, credentials, host);
            default -> throw new AuthException("unknown AUTH mechanism '" + mechanism + "'; use one of: auto, "
                    + String.join(", ", SUPPORTED).toLowerCase(Locale.ROOT));
        };
    }

    /**
     * The strongest offered mechanism we can use with these credentials, or null.
     *
     * @param offered the server's AUTH list, upper case
     */
    public static String choose(Set<String> offered, Credentials credentials) {
        List<String> order = credentials.token() != null ? AUTO_TOKEN : AUTO_PASSWORD;
        for (String m : order) {
            if (offered.contains(m)) {
                return m;
            }
        }
        return null;
    }
}
