package dev.postilion.dsl;

import java.util.Locale;
import java.util.Map;

import dev.postilion.batch.SessionFactory;
import dev.postilion.profile.ConnectionPlan;
import dev.postilion.profile.Profile;
import dev.postilion.profile.ProfileException;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.SmtpStage;
import dev.postilion.smtp.auth.Credentials;

/**
 * The script's connection: opens it from a {@link ConnectionPlan} (the profile chosen, the plan's
 * notes written, the previous connection closed), greets and authenticates on it with credentials
 * kept to their own host and port, and remembers how, for a batch's own connections.
 */
final class Connector {

    private final ScriptContext context;
    /** Checks every reply; its session is this connector's. */
    private final Dialogue dialogue;
    /** Volatile: at the run's time limit another thread closes it. */
    private volatile SmtpSession session;
    /** The host the last connect named (before --connect-to or --local): credentials are bound to it. */
    private String connectedHost;
    /** The port the last connect named (before --connect-to or --local): credentials are bound to it too. */
    private int connectedPort;
    /** The last connect and auth, for batch's own connections. */
    private final ConnectSettings settings = new ConnectSettings();

    Connector(ScriptContext context, Dialogue dialogue) {
        this.context = context;
        this.dialogue = dialogue;
    }

    /** The connection, or null before the first connect. */
    SmtpSession session() {
        return session;
    }

    /** True while the connection is open. */
    boolean isOpen() {
        SmtpSession s = session;
        return s != null && s.isOpen();
    }

    /** Connections made like the last {@code connect} and {@code auth}; null before any connect. */
    SessionFactory connections() {
        return settings.known() ? settings.sessions() : null;
    }

    /** Opens a connection from the verb's options (or the profile's) and checks the 220 greeting. */
    Reply connect(ScriptLocation at, Map<String, ?> options, String host) throws SmtpException {
        NamedArgs a = VerbOptions.CONNECT.check(options, at);
        String target = host != null ? host : a.string("host");
        Profile profile = null;
        if (a.has("profile") || target == null) {
            // connect profile: 'work' — or no host at all: --profile, else the file's default.
            profile = target == null && !a.has("profile") ? profileFor(at, null, "a bare connect goes to the server"
                    + " of --profile or of the profiles file's default:; or name one: connect 'mail.example.com'")
                    : context.profile(a.string("profile"), at);
            context.use(profile);
            context.transcript().info("profile '" + profile.name() + "' (" + profile.location() + ")");
        } else {
            context.use(null);
        }
        ConnectionPlan plan;
        try {
            plan = ConnectionPlan.of(ConnectionPlan.Surface.SCRIPT, profile, ConnectOptions.overrides(a, target, at,
                    context.options(), context::resolve));
        } catch (ConnectionPlan.CredentialsElsewhere e) {
            throw credentialsElsewhere(at, "connect", e);
        }
        plan.notes().forEach(context.transcript()::info);
        if (session != null && session.isOpen()) {
            context.transcript().info("connect: closing the previous connection to " + session.server());
            quitQuietly();
        }
        session = new SmtpSession(plan.options(), context.transcript());
        connectedHost = plan.host();
        connectedPort = plan.port();
        settings.connected(plan, this::defaultHelo);
        Reply r = session.connect(plan.dialHost(), plan.dialPort());
        return dialogue.check(at, SmtpStage.GREETING, "CONNECT " + session.server(), r, x -> x.code() == 220);
    }

    /** EHLO {@code name}, then STARTTLS and a fresh EHLO when the connection's tls mode asks for it. */
    Reply ehlo(ScriptLocation at, String name) throws SmtpException {
        SmtpSession s = dialogue.session(at, "ehlo");
        Reply r = s.greet(name);
        dialogue.check(at, SmtpStage.EHLO, "EHLO " + name, r, Reply::isPositiveCompletion);
        settings.greeted(name);
        Reply secured = s.secure();
        return secured != null ? secured : r;
    }

    /** STARTTLS (expects 220), the handshake and a fresh EHLO; nothing when TLS is already up. */
    Reply starttls(ScriptLocation at) throws SmtpException {
        SmtpSession s = dialogue.session(at, "starttls");
        if (s.isTls()) {
            context.transcript().info("starttls: the connection is already encrypted");
            return null;
        }
        return dialogue.check(at, SmtpStage.STARTTLS, "STARTTLS", s.starttls(), x -> x.code() == 220);
    }

    /** AUTH with the verb's credentials (a bare auth: the profile's); expects 235. */
    Reply auth(ScriptLocation at, Map<String, ?> options, String mechanism) throws SmtpException {
        AuthOptions o = AuthOptions.of(options, mechanism, at);
        Profile connectedFrom = context.current();
        Profile bareFrom = null;
        if (o.bare()) {
            // A bare `auth`: everything from the profile of connect (or --profile, or the default).
            bareFrom = connectedFrom != null ? connectedFrom : bareAuthProfile(at);
            o = o.from(bareFrom, at);
        }
        o.requireComplete(at, bareFrom);
        for (Profile owner : o.owners(bareFrom != null ? bareFrom : connectedFrom, context::ownerOf)) {
            if (connectedFrom == null || !connectedFrom.name().equals(owner.name())) {
                // Not a connection made from this profile: its own host and port only.
                requireCredentialsFor(at, "auth", owner, connectedHost, connectedPort);
            }
        }
        String mechanismName = o.mechanismOrAuto().toUpperCase(Locale.ROOT);
        // No secret is read here: the mechanism reads it when the server asks for it.
        Credentials credentials = o.credentials();
        SmtpSession s = dialogue.session(at, "auth");
        Reply r;
        try {
            r = s.auth(mechanismName, credentials);
        } catch (SmtpException | ProfileException e) {
            // A secret that could not be read when the server asked: the profile's error, not a refusal.
            ProfileException unreadable = ProfileException.causing(e);
            if (unreadable == null) {
                throw e;
            }
            throw new ScriptError(at, unreadable.kind() == ProfileException.Kind.NOINPUT
                    ? ScriptError.Kind.MISSING_FILE : ScriptError.Kind.CONFIG, unreadable.getMessage(), unreadable);
        }
        dialogue.check(at, SmtpStage.AUTH, "AUTH " + s.authMechanism(), r, Reply::isPositiveCompletion);
        if (r != null && r.isPositiveCompletion()) {
            settings.authenticated(mechanismName, credentials, o.renewal(credentials));
        }
        return r;
    }

    /** The EHLO name when the script gives none: the profile's {@code helo:}, else the one EHLO rule's. */
    String defaultHelo() {
        return ConnectionPlan.helo(null, context.current(), context.options().env());
    }

    /** Sends QUIT if the connection is still open; called when the script ends. */
    void finish() {
        if (isOpen()) {
            quitQuietly();
        }
    }

    /** Closes the connection without QUIT: at the run's time limit, a verb must not wait out its timeout. */
    void close() {
        SmtpSession s = session;
        if (s != null) {
            s.close();
        }
    }

    /** AUTH-02 for a secret on a connection not made from its profile: its own host and port only. */
    private void requireCredentialsFor(ScriptLocation at, String verb, Profile profile, String host, int port) {
        try {
            ConnectionPlan.requireCredentialsFor(profile, host, port);
        } catch (ConnectionPlan.CredentialsElsewhere e) {
            throw credentialsElsewhere(at, verb, e);
        }
    }

    /** The refusal in the script's words: another port needs a connection made from the profile. */
    private static ScriptError credentialsElsewhere(ScriptLocation at, String verb,
            ConnectionPlan.CredentialsElsewhere e) {
        String remedy = e.wrongPort() ? " (connect profile: '" + e.profile().name() + "', port: " + e.port() + ")" : "";
        return new ScriptError(at, ScriptError.Kind.CONFIG, verb + ": " + e.getMessage() + remedy, null);
    }

    /** The profile of a bare {@code auth} on a connection not made from one: --profile, else the default. */
    private Profile bareAuthProfile(ScriptLocation at) {
        return profileFor(at, null, "a bare auth takes its credentials from a profile (connect profile: 'work', or"
                + " --profile); or name them: auth login: 'user', password: secret('work')");
    }

    /** A profile for a bare verb; when there is none, the error says what the bare verb wanted. */
    private Profile profileFor(ScriptLocation at, String name, String hint) {
        try {
            return context.profile(name, at);
        } catch (ScriptError e) {
            throw new ScriptError(at, e.kind(), e.detail() + "\n    " + hint, e.getCause());
        }
    }

    private void quitQuietly() {
        try {
            session.quit();
        } catch (SmtpException ignored) {
            session.close();
        }
    }
}
