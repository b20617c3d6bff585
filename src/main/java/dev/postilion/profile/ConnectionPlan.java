package dev.postilion.profile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.postilion.smtp.LocalName;
import dev.postilion.smtp.Resolver;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.Timeouts;
import dev.postilion.smtp.TlsMode;
import dev.postilion.smtp.TlsSettings;
import dev.postilion.smtp.auth.Credentials;

/**
 * Where and how one connection goes: a profile and the overrides a surface names become the host,
 * port, session options, EHLO name and credentials, with every default written here once. A
 * script's {@code connect}, {@code send}, {@code check} and {@code profiles test} all plan their
 * connections here; they only fill {@link Overrides} from their named arguments or options.
 *
 * @param profile the profile the connection is made from, or null
 * @param host the host the connection is meant for (credentials are bound to it)
 * @param port the port the connection is meant for
 * @param dialHost where the socket really goes: {@code host}, unless {@link Redirect redirected}
 * @param dialPort where the socket really goes: {@code port}, unless redirected
 * @param options TLS, timeouts, pipelining, chunking, cleartext AUTH and the resolver
 * @param helo the EHLO name, by {@link #helo(String, Profile, Function) the one rule}
 * @param mechanism the AUTH mechanism asked for, or null when there is no AUTH
 * @param credentials who to log in as when there is AUTH (no secret read yet), or null
 * @param notes what the transcript should say about the plan (a redirection), in order
 */
public record ConnectionPlan(Profile profile, String host, int port, String dialHost, int dialPort,
                             SessionOptions options, String helo, String mechanism, Credentials credentials,
                             List<String> notes) {

    /** The environment variable that names the EHLO name when neither the surface nor the profile does. */
    public static final String HELO_VARIABLE = "POSTILION_HELO";

    /** Who plans: the defaults that differ on purpose between a script and a command. */
    public enum Surface {
        /** A script's {@code connect}: plain text unless it says otherwise, as typed in telnet. */
        SCRIPT(TlsMode.NONE),
        /** {@code send}, {@code check}, {@code profiles test}: STARTTLS whenever the server offers it. */
        COMMAND(TlsMode.STARTTLS_IF_OFFERED);

        private final TlsMode tls;

        Surface(TlsMode tls) {
            this.tls = tls;
        }

        /** The TLS mode when neither the surface's overrides nor a profile names one. */
        public TlsMode defaultTls() {
            return tls;
        }
    }

    /**
     * "Dial here instead": the socket goes to {@code host:port} while the plan keeps the host and
     * port named (where the credentials belong).
     *
     * @param why the option that redirects, for the transcript: {@code --local}, {@code --dry-run}, {@code --connect-to}
     * @param host where to dial
     * @param port where to dial
     * @param captureServer the embedded capture server, which serves implicit TLS as STARTTLS
     * @param standIn the dry run's stand-in, which speaks no TLS at all
     */
    public record Redirect(String why, String host, int port, boolean captureServer, boolean standIn) {
        /** Checks the place to dial. */
        public Redirect {
            Objects.requireNonNull(why, "why");
            Objects.requireNonNull(host, "host");
        }
    }

    /** Makes the notes list unmodifiable. */
    public ConnectionPlan {
        notes = List.copyOf(notes);
    }

    /**
     * The plan for a connection from {@code profile} (or none) with {@code o}'s overrides.
     *
     * @throws IllegalArgumentException when neither the overrides nor a profile name a host
     * @throws CredentialsElsewhere when the profile's credentials would go to another host
     */
    public static ConnectionPlan of(Surface surface, Profile profile, Overrides o) {
        String host = o.host() != null ? o.host() : profile != null ? profile.host() : null;
        if (host == null) {
            throw new IllegalArgumentException("no host: name one, or a profile");
        }
        TlsMode tls = o.tls() != null ? o.tls() : profile != null ? profile.tls() : surface.defaultTls();
        // A profile's port goes with its TLS mode: a TLS override takes that mode's well-known port.
        int port = o.port() != null ? o.port() : profile != null && o.tls() == null ? profile.port()
                : tls == TlsMode.IMPLICIT ? 465 : 25;
        List<Path> ca = new ArrayList<>(o.tlsCa());
        if (profile != null && profile.tlsCa() != null) {
            ca.add(profile.tlsCa());
        }
        boolean insecure = o.insecure() != null ? o.insecure() : profile != null && profile.insecure();
        boolean pipelining = o.pipelining() != null ? o.pipelining()
                : profile == null || profile.pipelining() != Profile.Pipelining.OFF;
        Duration timeout = o.timeout() != null ? o.timeout() : profile != null ? profile.timeout() : null;

        String dialHost = host;
        int dialPort = port;
        List<String> notes = new ArrayList<>();
        Redirect r = o.redirect();
        if (r != null) {
            if (r.standIn()) {
                // The stand-in speaks no TLS; the TLS mode was still checked.
                tls = TlsMode.NONE;
            }
            dialHost = r.host();
            dialPort = r.port();
            if (tls == TlsMode.IMPLICIT && r.captureServer()) {
                tls = TlsMode.STARTTLS;
                notes.add(r.why() + ": implicit TLS to " + host + ":" + port + " is served as STARTTLS by the"
                        + " capture server");
            }
            notes.add(r.why() + ": " + host + ":" + port + " is served by " + dialHost + ":" + dialPort);
        }
        SessionOptions options = SessionOptions.DEFAULT.withTls(new TlsSettings(tls, ca, insecure))
                .withAllowCleartextAuth(o.allowCleartextAuth())
                .withPipelining(pipelining)
                .withChunking(o.chunking())
                .withResolver(o.resolver());
        if (timeout != null) {
            options = options.withTimeouts(Timeouts.all(timeout));
        }

        String mechanism = o.auth() != null ? o.auth() : profile != null && profile.authenticates() ? profile.auth()
                : null;
        boolean logsIn = mechanism != null && !mechanism.equalsIgnoreCase("none");
        boolean ownSecret = o.password() != null || o.token() != null;
        boolean takesProfiles = profile != null && !ownSecret
                && (o.user() == null || o.user().equals(profile.username()));
        // A script's connect carries its profile's credentials for a later bare auth; a command, when it logs in.
        if (takesProfiles && profile.holdsCredentials() && (surface == Surface.SCRIPT || logsIn)) {
            requireCredentialsFor(profile, host, FROM_PROFILE);
        }
        Credentials credentials = !logsIn ? null : takesProfiles ? profile.credentials()
                : new Credentials(o.user() != null ? o.user() : profile != null ? profile.username() : null,
                        o.password(), o.token(), null);
        return new ConnectionPlan(profile, host, port, dialHost, dialPort, options,
                helo(o.helo(), profile, o.env()), logsIn ? mechanism : null, credentials, notes);
    }

    /** The port argument of {@link #requireCredentialsFor} on a connection made from the profile: any port. */
    public static final int FROM_PROFILE = -1;

    /**
     * The one rule for where a profile's credentials may go (AUTH-02, Go's smtp.PlainAuth "wrong
     * host name"): to the profile's own host and port; on a connection made from the profile
     * ({@code port} {@link #FROM_PROFILE}), to its own host on any port. The host compared is the
     * one named: a {@link Redirect} moves the socket, not where the credentials belong. Names are
     * compared without case, a final dot or IPv6 brackets. A profile that holds no credentials
     * may go anywhere.
     *
     * @throws CredentialsElsewhere when they would go elsewhere
     */
    public static void requireCredentialsFor(Profile profile, String host, int port) {
        if (!profile.holdsCredentials() || host == null) {
            return;
        }
        if (!profile.isHost(host)) {
            throw new CredentialsElsewhere(profile, host, FROM_PROFILE);
        }
        if (port != FROM_PROFILE && port != profile.port()) {
            throw new CredentialsElsewhere(profile, host, port);
        }
    }

    /**
     * The one EHLO rule: the name the surface gives ({@code --helo}, a script's {@code ehlo 'name'}),
     * else the profile's {@code helo:}, else {@code $POSTILION_HELO}, else this host's name as
     * {@code hostname} prints it.
     */
    public static String helo(String named, Profile profile, Function<String, String> env) {
        if (named != null) {
            return named;
        }
        if (profile != null && profile.helo() != null) {
            return profile.helo();
        }
        String v = env == null ? null : env.apply(HELO_VARIABLE);
        return v != null && !v.isBlank() ? v : LocalName.forEhlo();
    }

    /**
     * A profile's credentials on their way to another host, or (off a connection made from the
     * profile) another port. The message states the fact and the rule; a surface may add its own
     * remedy ({@code connect profile: 'work', port: 2527}, {@code --user ...}).
     */
    public static final class CredentialsElsewhere extends RuntimeException {
        private final transient Profile profile;
        private final String host;
        private final int port;

        CredentialsElsewhere(Profile profile, String host, int port) {
            super(message(profile, host, port));
            this.profile = profile;
            this.host = host;
            this.port = port;
        }

        private static String message(Profile p, String host, int port) {
            String owner = "profile '" + p.name() + "' (" + p.location() + ") holds credentials for ";
            if (port == FROM_PROFILE) {
                return owner + p.host() + ", and this connection goes to " + host + "\n    a profile's credentials"
                        + " are sent only to its own host; for " + host + " define a profile of its own (extends: "
                        + p.name() + ", host: " + host + ")";
            }
            return owner + p.host() + ":" + p.port() + ", and this connection goes to " + host + ":" + port
                    + "\n    a profile's credentials are sent only to its own host and port, or on a connection"
                    + " made from the profile";
        }

        /** The profile whose credentials these are. */
        public Profile profile() {
            return profile;
        }

        /** The host the connection goes to. */
        public String host() {
            return host;
        }

        /** True when the host is the profile's and the port is not. */
        public boolean wrongPort() {
            return port != FROM_PROFILE;
        }

        /** The port the connection goes to, when {@link #wrongPort()}. */
        public int port() {
            return port;
        }
    }

    /**
     * What a surface says about a connection, each value null (or empty, or false) when it says
     * nothing and the profile or the surface's default decides.
     *
     * @param host the host named ({@code connect 'x'}, {@code --server x})
     * @param port the port named
     * @param tls the TLS mode named
     * @param tlsCa trust anchors to add to the profile's
     * @param insecure skip certificate checks (true), insist on them (false), or as the profile says
     * @param allowCleartextAuth allow AUTH over plain text to a host that is not loopback
     * @param timeout caps every stage's timeout, over the profile's
     * @param pipelining pipeline when offered (true), never (false), or as the profile says
     * @param chunking use BDAT when offered
     * @param helo the EHLO name named ({@code --helo})
     * @param auth the AUTH mechanism named ({@code --auth}), {@code none} for no AUTH
     * @param user the user named ({@code --user})
     * @param password the surface's own password (read only when AUTH needs it)
     * @param token the surface's own bearer token (read only when AUTH needs it)
     * @param redirect where to dial instead ({@code --local}, {@code --dry-run}, {@code --connect-to})
     * @param resolver turns host names into addresses
     * @param env the environment, for {@value #HELO_VARIABLE}
     */
    public record Overrides(String host, Integer port, TlsMode tls, List<Path> tlsCa, Boolean insecure,
                            boolean allowCleartextAuth, Duration timeout, Boolean pipelining, boolean chunking,
                            String helo, String auth, String user, Supplier<String> password, Supplier<String> token,
                            Redirect redirect, Resolver resolver, Function<String, String> env) {

        /** Copies the CA list; a null resolver is the system's, a null environment is empty. */
        public Overrides {
            tlsCa = List.copyOf(tlsCa);
            resolver = resolver != null ? resolver : Resolver.SYSTEM;
            env = env != null ? env : name -> null;
        }

        /** Nothing overridden: the profile and the surface's defaults decide everything. */
        public static Overrides none() {
            return new Overrides(null, null, null, List.of(), null, false, null, null, false, null, null, null, null,
                    null, null, null, null);
        }

        public Overrides withHost(String h) {
            return new Overrides(h, port, tls, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withPort(Integer p) {
            return new Overrides(host, p, tls, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withTls(TlsMode t) {
            return new Overrides(host, port, t, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withTlsCa(List<Path> ca) {
            return new Overrides(host, port, tls, ca, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withInsecure(Boolean i) {
            return new Overrides(host, port, tls, tlsCa, i, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withAllowCleartextAuth(boolean a) {
            return new Overrides(host, port, tls, tlsCa, insecure, a, timeout, pipelining, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withTimeout(Duration t) {
            return new Overrides(host, port, tls, tlsCa, insecure, allowCleartextAuth, t, pipelining, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withPipelining(Boolean p) {
            return new Overrides(host, port, tls, tlsCa, insecure, allowCleartextAuth, timeout, p, chunking,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withChunking(boolean c) {
            return new Overrides(host, port, tls, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, c,
                    helo, auth, user, password, token, redirect, resolver, env);
        }

        public Overrides withHelo(String h) {
            return new Overrides(host, port, tls, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    h, auth, user, password, token, redirect, resolver, env);
        }

        /** The mechanism, user and the surface's own secrets (each may be null). */
        public Overrides withAuth(String mechanism, String u, Supplier<String> pw, Supplier<String> tk) {
            return new Overrides(host, port, tls, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, mechanism, u, pw, tk, redirect, resolver, env);
        }

        public Overrides withRedirect(Redirect r) {
            return new Overrides(host, port, tls, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, auth, user, password, token, r, resolver, env);
        }

        /** The surface's resolver and environment. */
        public Overrides withSurroundings(Resolver r, Function<String, String> e) {
            return new Overrides(host, port, tls, tlsCa, insecure, allowCleartextAuth, timeout, pipelining, chunking,
                    helo, auth, user, password, token, redirect, r, e);
        }
    }
}
