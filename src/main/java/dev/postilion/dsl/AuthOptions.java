package dev.postilion.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.postilion.profile.Profile;
import dev.postilion.smtp.auth.Credentials;

/**
 * The named arguments of {@code auth}, typed at once: the mechanism (named first, or as the key
 * whose value is the user), the user, the password or token (a {@code secret('name')}, a closure or
 * text, none of them read here), and an authorization identity. Unknown keys are refused.
 *
 * @param mechanism the mechanism word as written ({@code login}, {@code CRAM-MD5}, ...), or null
 * @param user the user, or null
 * @param password what the script gave as the password, or null
 * @param token what the script gave as the bearer token, or null
 * @param authzid the authorization identity, or null
 */
record AuthOptions(String mechanism, String user, Object password, Object token, String authzid) {

    /** The keys that name a mechanism; their value is the user ({@code auth login: 'guyt'}). */
    static final List<String> MECHANISM_KEYS = List.of("login", "plain", "cram-md5", "cramMd5", "xoauth2",
            "oauthbearer", "digest-md5", "ntlm", "auto");

    /**
     * Reads {@code auth}'s named arguments; {@code mechanism} is the one named first
     * ({@code auth 'CRAM-MD5', user: 'u', ...}), or null.
     *
     * @throws ScriptError for an unknown key or two mechanisms
     */
    static AuthOptions of(Map<String, ?> options, String mechanism, ScriptLocation at) {
        NamedArgs a = VerbOptions.AUTH.check(options, at);
        String mech = mechanism;
        String user = a.string("user");
        for (String m : MECHANISM_KEYS) {
            if (a.has(m)) {
                if (mech != null) {
                    throw new ScriptError(at, "auth: name one mechanism, not " + mech + " and " + m);
                }
                mech = m.equals("cramMd5") ? "CRAM-MD5" : m;
                if (user == null) {
                    user = a.string(m);
                }
            }
        }
        return new AuthOptions(mech, user, a.get("password"), a.get("token"), a.string("authzid"));
    }

    /** A bare {@code auth} (perhaps with a mechanism): the user and secrets come from a profile. */
    boolean bare() {
        return user == null && password == null && token == null;
    }

    /**
     * A bare {@code auth}'s options: the user and secrets of {@code profile}, and its mechanism when
     * none was named.
     *
     * @throws ScriptError (CONFIG) when the profile says {@code auth: none} and no mechanism was named
     */
    AuthOptions from(Profile profile, ScriptLocation at) {
        if (!profile.authenticates() && mechanism == null) {
            throw new ScriptError(at, ScriptError.Kind.CONFIG, "auth: profile '" + profile.name() + "' ("
                    + profile.location() + ") has auth: none", null);
        }
        String mech = mechanism == null ? profile.auth() : mechanism;
        return new AuthOptions(mech, profile.username(), profile.password(), profile.token(), authzid);
    }

    /**
     * Checks that there is a user and a password or token, before AUTH is sent rather than half-way
     * through its exchange.
     *
     * @param bareFrom the profile a bare {@code auth} took them from, or null
     */
    void requireComplete(ScriptLocation at, Profile bareFrom) {
        if (user == null) {
            throw new ScriptError(at, "auth needs a user: auth login: 'user', password: secret('profile')");
        }
        if (password == null && token == null) {
            throw bareFrom != null
                    ? new ScriptError(at, ScriptError.Kind.CONFIG, "auth: profile '" + bareFrom.name() + "' ("
                            + bareFrom.location() + ") has no password or token", null)
                    : new ScriptError(at, missingSecret());
        }
    }

    /**
     * The profiles whose secrets these are: {@code profile} for its own, else the profile a
     * {@code secret('name')} came from; secrets of no profile are left out.
     */
    List<Profile> owners(Profile profile, Function<Object, Profile> ownerOf) {
        List<Profile> owners = new ArrayList<>();
        for (Object secret : new Object[] {password, token}) {
            Profile owner = secret == null ? null : profile != null
                    && (secret == profile.password() || secret == profile.token()) ? profile : ownerOf.apply(secret);
            if (owner != null) {
                owners.add(owner);
            }
        }
        return owners;
    }

    /** The mechanism to ask for: the one named, else {@code auto}. */
    String mechanismOrAuto() {
        return mechanism == null ? "auto" : mechanism;
    }

    /** True when the mechanism sends a bearer token rather than a password. */
    boolean bearer() {
        String m = mechanismOrAuto();
        return m.equalsIgnoreCase("xoauth2") || m.equalsIgnoreCase("oauthbearer");
    }

    /** The credentials for the engine; no secret is read until the mechanism needs it. */
    Credentials credentials() {
        return new Credentials(user, Secrets.of(password), Secrets.of(token), authzid);
    }

    /**
     * For a batch's later connections: credentials that read a token's command afresh (AUTH-07: an
     * access token expires during a long batch; msmtp's passwordeval runs again the same way). Null
     * when neither secret can change.
     */
    Supplier<Credentials> renewal(Credentials first) {
        boolean renews = password instanceof dev.postilion.profile.Secret p && p.refreshing()
                || token instanceof dev.postilion.profile.Secret t && t.refreshing();
        return renews ? first::fresh : null;
    }

    /** How the script would name this mechanism's missing secret: {@code auth login: 'u', password: secret('work')}. */
    private String missingSecret() {
        String what = bearer() ? "token" : "password";
        return "auth needs a " + what + ": auth " + mechanismOrAuto().toLowerCase(Locale.ROOT).replace("cram-md5", "cramMd5")
                + ": '" + user + "', " + what + ": secret('work')";
    }
}
