package dev.postilion.dsl;

import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.codehaus.groovy.runtime.InvokerHelper;

import dev.postilion.batch.BatchResult;
import dev.postilion.profile.Profile;
import dev.postilion.smtp.LocalName;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.SmtpStage;
import dev.postilion.smtp.Timeouts;
import dev.postilion.smtp.TlsMode;
import dev.postilion.smtp.TlsSettings;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.text.Spelling;

/**
 * The base class of every Postilion script: its public methods are the verbs a person would type
 * in a telnet session. Each verb is one engine call that checks the reply class it expects; a
 * mismatch stops the script with the script line, the SMTP stage and the server's reply.
 */
public abstract class MailScript extends LocalVerbs {

    /** Verbs that also work as bare words ({@code quit} without parentheses). */
    private static final Set<String> BARE_VERBS =
            Set.of("quit", "ehlo", "helo", "rset", "noop", "starttls", "auth", "mail", "connect");
    /** Every verb and helper, for "did you mean" suggestions. */
    static final List<String> VERBS = List.of("connect", "ehlo", "helo", "starttls", "auth", "mail", "rcpt", "data",
            "send", "rset", "noop", "vrfy", "raw", "quit", "expect", "env", "secret", "file", "csv", "log", "batch",
            "jsonl", "yaml", "maxTime");

    private ScriptContext context;
    /** Volatile: at the run's time limit another thread closes it. */
    private volatile SmtpSession session;
    /** The host the last connect named (before --connect-to or --local): credentials are bound to it. */
    private String connectedHost;
    /** The port the last connect named (before --connect-to or --local): credentials are bound to it too. */
    private int connectedPort;
    /** The last connect and auth, for batch's own connections. */
    private final ConnectSettings connectSettings = new ConnectSettings();

    /** The script as its blocks see it. */
    private ScriptScope scope;
    /** The rules every verb's step goes through. */
    private Dialogue dialogue;

    /** Attaches the run's context; called by {@link ScriptRunner} before {@code run()}. */
    final void attach(ScriptContext context) {
        this.context = context;
        this.scope = ScriptScope.of(context, this::getBinding,
                () -> connectSettings.known() ? connectSettings.sessions() : null);
        this.dialogue = new Dialogue(context, () -> session);
        attachScope(scope);
        // At the run's time limit, a verb waiting on the server must not wait out its own timeout.
        context.limit().onStop(() -> {
            SmtpSession s = session;
            if (s != null) {
                s.close();
            }
            return null;
        });
    }


    // ------------------------------------------------------------------ connect

    /** {@code connect()}: the bare {@code connect}, to the server of {@code --profile} or the default profile. */
    public Reply connect() {
        return connect(Map.of());
    }

    /** Connects to {@code host} on port 25 and checks the 220 greeting. */
    public Reply connect(String host) {
        if (host == null || host.isBlank()) {
            return problem(new ScriptError(here(), VerbSpelling.missingValue("connect")), null);
        }
        return connect(Map.of(), host);
    }

    /**
     * Connects and checks the greeting. Options: {@code port}, {@code tls} (none, starttls,
     * starttls-if-offered, implicit), {@code tlsCa} (PEM file), {@code insecure},
     * {@code timeout} (seconds or '30s'), {@code allowCleartextAuth}, {@code pipelining},
     * {@code chunking}, {@code host}.
     */
    public Reply connect(Map<String, ?> options, String host) {
        ScriptLocation at = here();
        if (refusedHere(at, "connect")) {
            return null;
        }
        Reply r = step(at, () -> connectChecked(at, options, host));
        if (context.options().dryRun() && (session == null || !session.isOpen())) {
            // A dry run keeps walking the script after a bad connect: it talks to the stand-in anyway.
            r = step(at, () -> connectChecked(at, Map.of(), host != null ? host : "dry-run.invalid"));
        }
        return r;
    }

    private Reply connectChecked(ScriptLocation at, Map<String, ?> options, String host) throws SmtpException {
        NamedArgs a = NamedArgs.check("connect", options, at, "host", "port", "tls", "tlsCa", "insecure", "timeout",
                "allowCleartextAuth", "pipelining", "chunking", "profile");
        String target = host != null ? host : a.string("host");
        Profile profile = null;
        if (a.has("profile") || target == null) {
            // connect profile: 'work' — or no host at all: --profile, else the file's default.
            profile = target == null && !a.has("profile") ? profileFor(at, null, "a bare connect goes to the server"
                    + " of --profile or of the profiles file's default:; or name one: connect 'mail.example.com'")
                    : context.profile(a.string("profile"), at);
            context.use(profile);
            context.transcript().info("profile '" + profile.name() + "' (" + profile.location() + ")");
            if (target == null) {
                target = profile.host();
            }
            if (target != null) {
                requireCredentialsFor(at, "connect", profile, target, -1);
            }
        } else {
            context.use(null);
        }
        TlsMode mode;
        try {
            mode = a.has("tls") ? TlsMode.parse(a.string("tls")) : profile != null ? profile.tls() : TlsMode.NONE;
        } catch (IllegalArgumentException e) {
            throw new ScriptError(at, "connect: " + e.getMessage());
        }
        Integer port = a.integer("port");
        if (port != null && (port < 1 || port > 65535)) {
            throw new ScriptError(at, "connect: port must be a whole number from 1 to 65535, not " + port);
        }
        int p = port != null ? port : profile != null && a.string("tls") == null ? profile.port()
                : (mode == TlsMode.IMPLICIT ? 465 : 25);
        List<Path> ca = new ArrayList<>(context.options().trustedCa());
        if (profile != null && profile.tlsCa() != null) {
            ca.add(profile.tlsCa());
        }
        if (a.has("tlsCa")) {
            Path caFile = resolve(a.string("tlsCa"));
            if (!Files.exists(caFile)) {
                throw new ScriptError(at, ScriptError.Kind.MISSING_FILE, "connect: tlsCa file " + caFile
                        + " does not exist", null);
            }
            ca.add(caFile);
        }
        boolean insecure = a.bool("insecure", profile != null && profile.insecure()) || context.options().insecure();
        String realHost = target;
        int realPort = p;
        if (context.options().dryRun()) {
            // The stand-in speaks no TLS; the tls option was still checked above.
            mode = TlsMode.NONE;
        }
        if (context.options().connectTo() != null) {
            realHost = context.options().connectTo();
            realPort = context.options().connectPort();
            if (mode == TlsMode.IMPLICIT && context.options().local()) {
                mode = TlsMode.STARTTLS;
                context.transcript().info("--local: implicit TLS to " + target + ":" + p
                        + " is served as STARTTLS by the capture server");
            }
            String why = context.options().local() ? "--local: " : context.options().dryRun() ? "--dry-run: "
                    : "--connect-to: ";
            context.transcript().info(why + target + ":" + p
                    + " is served by " + realHost + ":" + realPort);
        }
        SessionOptions so = SessionOptions.DEFAULT
                .withTls(new TlsSettings(mode, ca, insecure))
                .withAllowCleartextAuth(a.bool("allowCleartextAuth", false))
                .withPipelining(a.bool("pipelining", profile == null || profile.pipelining() != Profile.Pipelining.OFF))
                .withChunking(a.bool("chunking", false))
                .withResolver(context.options().resolver());
        Duration timeout = context.options().timeout();
        if (timeout == null && profile != null) {
            timeout = profile.timeout();
        }
        if (a.has("timeout")) {
            timeout = ScriptError.duration(at, "connect: timeout", a.string("timeout"));
            if (timeout.isZero()) {
                throw new ScriptError(at, "connect: timeout must be longer than 0 ('30s', '2m')");
            }
        }
        if (timeout != null) {
            so = so.withTimeouts(Timeouts.all(timeout));
        }
        if (session != null && session.isOpen()) {
            context.transcript().info("connect: closing the previous connection to " + session.server());
            quitQuietly();
        }
        session = new SmtpSession(so, context.transcript());
        connectedHost = target;
        connectedPort = p;
        connectSettings.connected(realHost, realPort, so, this::defaultHelo);
        Reply r = session.connect(realHost, realPort);
        return check(at, SmtpStage.GREETING, "CONNECT " + session.server(), r, x -> x.code() == 220);
    }

    /** Connects with options only: {@code connect profile: 'work'} or {@code connect host: 'x', port: 587}. */
    public Reply connect(Map<String, ?> options) {
        if (options == null) {
            return problem(new ScriptError(here(), VerbSpelling.missingValue("connect")), null);
        }
        return connect(options, null);
    }

    // ------------------------------------------------------------------ greeting and TLS

    /** EHLO with this machine's name; STARTTLS follows when the connection's tls mode asks for it. */
    public Reply ehlo() {
        return ehlo(defaultHelo());
    }

    /**
     * EHLO (HELO when the server refuses EHLO); with {@code tls: 'starttls'} or
     * {@code 'starttls-if-offered'} STARTTLS and a fresh EHLO follow at once.
     */
    public Reply ehlo(String name) {
        ScriptLocation at = here();
        return step(at, "ehlo", () -> {
            requireValue(at, "ehlo", name == null || name.isBlank() ? null : name);
            SmtpSession s = session(at, "ehlo");
            Reply r = s.greet(name);
            check(at, SmtpStage.EHLO, "EHLO " + name, r, Reply::isPositiveCompletion);
            connectSettings.greeted(name);
            Reply secured = s.secure();
            return secured != null ? secured : r;
        });
    }

    /** HELO: no extensions. */
    public Reply helo(String name) {
        ScriptLocation at = here();
        return step(at, "helo", () -> check(at, SmtpStage.HELO, "HELO " + requireValue(at, "helo", name == null || name.isBlank() ? null : name),
                session(at, "helo").helo(name), Reply::isPositiveCompletion));
    }

    /** HELO with this machine's name. */
    public Reply helo() {
        return helo(defaultHelo());
    }

    /** STARTTLS (expects 220), the handshake, and a fresh EHLO. Does nothing when TLS is already up. */
    public Reply starttls() {
        ScriptLocation at = here();
        return step(at, "starttls", () -> {
            SmtpSession s = session(at, "starttls");
            if (s.isTls()) {
                context.transcript().info("starttls: the connection is already encrypted");
                return null;
            }
            return check(at, SmtpStage.STARTTLS, "STARTTLS", s.starttls(), x -> x.code() == 220);
        });
    }

    // ------------------------------------------------------------------ AUTH

    /**
     * AUTH: {@code auth login: 'user', password: secret('work')}, {@code auth plain: 'user', password: ...},
     * {@code auth xoauth2: 'user', token: ...}, {@code auth oauthbearer: 'user', token: ...},
     * {@code auth 'CRAM-MD5', user: 'u', password: ...}; base64 is done for you. Expects 235.
     */
    public Reply auth(Map<String, ?> options) {
        if (options == null) {
            return problem(new ScriptError(here(), VerbSpelling.missingValue("auth")), null);
        }
        return auth(options, null);
    }

    /** {@code auth()}: the bare {@code auth}, with the credentials of the connection's profile. */
    public Reply auth() {
        return auth(Map.of());
    }

    /** AUTH with the mechanism named first: {@code auth 'CRAM-MD5', user: 'u', password: p}. */
    public Reply auth(Map<String, ?> options, String mechanism) {
        ScriptLocation at = here();
        return step(at, "auth", () -> authChecked(at, options, mechanism));
    }

    private Reply authChecked(ScriptLocation at, Map<String, ?> options, String mechanism) throws SmtpException {
        NamedArgs a = NamedArgs.check("auth", options, at, "login", "plain", "cram-md5", "cramMd5", "xoauth2",
                "oauthbearer", "digest-md5", "ntlm", "auto", "user", "password", "token", "authzid");
        String mech = mechanism;
        String user = a.string("user");
        for (String m : List.of("login", "plain", "cram-md5", "cramMd5", "xoauth2", "oauthbearer", "digest-md5",
                "ntlm", "auto")) {
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
        Object password = a.get("password");
        Object token = a.get("token");
        Profile profile = context.current();
        boolean bare = user == null && password == null && token == null;
        if (bare) {
            // A bare `auth`: everything from the profile of connect (or --profile, or the default).
            profile = profile != null ? profile : bareAuthProfile(at);
            user = profile.username();
            password = profile.password();
            token = profile.token();
            if (mech == null && profile.auth() != null && !profile.auth().equals("none")) {
                mech = profile.auth();
            }
            if (profile.auth() != null && profile.auth().equals("none") && mech == null) {
                throw new ScriptError(at, ScriptError.Kind.CONFIG, "auth: profile '" + profile.name() + "' ("
                        + profile.location() + ") has auth: none", null);
            }
        }
        if (mech == null) {
            mech = "auto";
        }
        if (user == null) {
            throw new ScriptError(at, "auth needs a user: auth login: 'user', password: secret('profile')");
        }
        if (password == null && token == null) {
            // Found before AUTH is sent, not half-way through its exchange.
            boolean bearer = mech.equalsIgnoreCase("xoauth2") || mech.equalsIgnoreCase("oauthbearer");
            String what = bearer ? "token" : "password";
            throw bare
                    ? new ScriptError(at, ScriptError.Kind.CONFIG, "auth: profile '" + profile.name() + "' ("
                            + profile.location() + ") has no password or token", null)
                    : new ScriptError(at, "auth needs a " + what + ": auth " + mech.toLowerCase(Locale.ROOT)
                            .replace("cram-md5", "cramMd5") + ": '" + user + "', " + what + ": secret('work')");
        }
        Profile connectedFrom = context.current();
        for (Object secret : new Object[] {password, token}) {
            Profile owner = secret == null ? null : profile != null
                    && (secret == profile.password() || secret == profile.token()) ? profile : context.ownerOf(secret);
            if (owner != null && (connectedFrom == null || !connectedFrom.name().equals(owner.name()))) {
                // Not a connection made from this profile: its own host and port only.
                requireCredentialsFor(at, "auth", owner, connectedHost, connectedPort);
            }
        }
        String mechanismName = mech.toUpperCase(Locale.ROOT);
        // Secrets are read once, now that AUTH needs them, and before any AUTH byte is written.
        String pw = reveal(password, at);
        String tk = reveal(token, at);
        Credentials credentials = new Credentials(user, pw == null ? null : () -> pw, tk == null ? null : () -> tk,
                a.string("authzid"));
        SmtpSession s = session(at, "auth");
        Reply r = s.auth(mechanismName, credentials);
        check(at, SmtpStage.AUTH, "AUTH " + s.authMechanism(), r, Reply::isPositiveCompletion);
        if (r != null && r.isPositiveCompletion()) {
            connectSettings.authenticated(mechanismName, credentials, renewal(credentials, password, token));
        }
        return r;
    }

    /**
     * For a batch's later connections: credentials read afresh from a token's command (AUTH-07:
     * an access token expires during a long batch; msmtp's passwordeval runs again the same way).
     * Null when neither secret can change.
     */
    private static java.util.function.Supplier<Credentials> renewal(Credentials first, Object password, Object token) {
        boolean renewPassword = password instanceof dev.postilion.profile.Secret p && p.refreshing();
        boolean renewToken = token instanceof dev.postilion.profile.Secret t && t.refreshing();
        if (!renewPassword && !renewToken) {
            return null;
        }
        return () -> {
            String pw = renewPassword ? Secrets.reveal(password) : null;
            String tk = renewToken ? Secrets.reveal(token) : null;
            return new Credentials(first.username(), renewPassword ? () -> pw : first.password(),
                    renewToken ? () -> tk : first.token(), first.authzid());
        };
    }

    /**
     * AUTH-02: a profile's credentials go only to the profile's own host (Go's smtp.PlainAuth
     * "wrong host name"), so a script cannot send them elsewhere by naming another host. The host
     * compared is the one the script names: --connect-to and --local redirect the connection, not
     * where the credentials are meant to go. Another host needs its own profile. A connection made
     * from the profile ({@code connect profile: 'work', port: 2527}) may change the port
     * ({@code port} is then -1); any other connection must go to the profile's own host and port,
     * so a profile for :2525 never logs in on another service of the same host.
     */
    private void requireCredentialsFor(ScriptLocation at, String verb, Profile profile, String host, int port) {
        boolean credentials = profile.username() != null || profile.hasSecret();
        if (!credentials || host == null) {
            return;
        }
        if (!profile.isHost(host)) {
            throw new ScriptError(at, ScriptError.Kind.CONFIG, verb + ": profile '" + profile.name() + "' ("
                    + profile.location() + ") holds credentials for " + profile.host() + ", and this connection goes"
                    + " to " + host + "\n    a profile's credentials are sent only to its own host; for " + host
                    + " define a profile of its own (extends: " + profile.name() + ", host: " + host + ")", null);
        }
        if (port > 0 && port != profile.port()) {
            throw new ScriptError(at, ScriptError.Kind.CONFIG, verb + ": profile '" + profile.name() + "' ("
                    + profile.location() + ") holds credentials for " + profile.host() + ":" + profile.port()
                    + ", and this connection goes to " + host + ":" + port + "\n    a profile's credentials are sent"
                    + " only to its own host and port, or on a connection made from the profile (connect profile: '"
                    + profile.name() + "', port: " + port + ")", null);
        }
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

    private String reveal(Object secret, ScriptLocation at) {
        try {
            return Secrets.reveal(secret);
        } catch (dev.postilion.profile.ProfileException e) {
            throw new ScriptError(at, e.kind() == dev.postilion.profile.ProfileException.Kind.NOINPUT
                    ? ScriptError.Kind.MISSING_FILE : ScriptError.Kind.CONFIG, e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ transaction

    /** MAIL FROM with the profile's {@code from}: a bare {@code mail}. */
    public Reply mail() {
        return mail(Map.of());
    }

    /**
     * MAIL FROM: {@code mail from: 'a@x'}; options {@code size}, {@code body} (7BIT, 8BITMIME),
     * {@code smtputf8}, {@code ret} (FULL, HDRS), {@code envid}. Expects 250.
     */
    public Reply mail(Map<String, ?> options) {
        ScriptLocation at = here();
        return step(at, "mail", () -> mailChecked(at, requireValue(at, "mail", options)));
    }

    private Reply mailChecked(ScriptLocation at, Map<String, ?> options) throws SmtpException {
        EnvelopeArgs.Mail m = EnvelopeArgs.Mail.of(options, at, context);
        String sender = m.from();
        Reply r = check(at, SmtpStage.MAIL, "MAIL FROM:<" + sender + ">",
                session(at, "mail").mail(sender, m.options()), Reply::isPositiveCompletion);
        if (r != null && r.isPositiveCompletion()) {
            dialogue.mailAccepted(sender);
        }
        return r;
    }

    /**
     * RCPT TO: {@code rcpt to: 'b@y'} or a list ({@code rcpt to: ['a@y', 'b@y']}: one RCPT each);
     * options {@code notify} (NEVER or SUCCESS,FAILURE,DELAY), {@code orcpt}. Expects 250 for each.
     *
     * @return the last reply
     */
    public Reply rcpt(Map<String, ?> options) {
        ScriptLocation at = here();
        return step(at, "rcpt", () -> rcptChecked(at, options));
    }

    private Reply rcptChecked(ScriptLocation at, Map<String, ?> options) throws SmtpException {
        EnvelopeArgs.Rcpt rcpt = EnvelopeArgs.Rcpt.of(options, at);
        Reply last = null;
        for (String address : rcpt.to()) {
            Reply r = check(at, SmtpStage.RCPT, "RCPT TO:<" + address + ">",
                    session(at, "rcpt").rcpt(address, rcpt.options()), Reply::isPositiveCompletion);
            if (r != null && r.isPositiveCompletion()) {
                dialogue.rcptAccepted(address);
            }
            last = r;
        }
        return last;
    }

    /**
     * DATA with a message described in the block ({@code subject}, {@code text}, {@code html},
     * {@code attach}, ...). Expects 354, then 250 after the final dot.
     */
    public Reply data(@DelegatesTo(value = DataSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        ScriptLocation at = here();
        return data(at, delegating(block));
    }

    /** The Java form of {@link #data(Closure)}. */
    public Reply data(Consumer<DataSpec> block) {
        return data(here(), block);
    }

    /** DATA with a raw message, sent as written (line endings normalised, dots stuffed). */
    public Reply data(String raw) {
        return data(Map.of(), raw);
    }

    /** DATA with a raw message from a file ({@code data file('msg.eml')}). */
    public Reply data(File raw) {
        return data(Map.of(), raw);
    }

    /** {@code data()} with nothing to send: a mistake, named with the right spelling. */
    public Reply data() {
        return data(here(), (Consumer<DataSpec>) null);
    }

    /** DATA with a raw message; option {@code addMissingHeaders: true} adds Date and Message-ID. */
    public Reply data(Map<String, ?> options, Object raw) {
        ScriptLocation at = here();
        return step(at, "data", () -> {
            requireValue(at, "data", raw);
            NamedArgs a = VerbOptions.DATA.check(options, at);
            DataSpec spec = new DataSpec(scope, at);
            spec.raw(raw, a.bool("addMissingHeaders", false));
            return dataChecked(at, spec);
        });
    }

    private Reply data(ScriptLocation at, Consumer<DataSpec> block) {
        return step(at, "data", () -> {
            requireValue(at, "data", block);
            DataSpec spec = new DataSpec(scope, at);
            dialogue.inBlock(() -> block.accept(spec));
            return dataChecked(at, spec);
        });
    }

    private Reply dataChecked(ScriptLocation at, DataSpec spec) throws SmtpException {
        SmtpSession s = session(at, "data");
        dialogue.envelopeDefaults(spec);
        Reply r = s.data(spec.content());
        if (s.inTransaction()) {
            // Still in the transaction: DATA itself was refused, so the message was never sent.
            return check(at, SmtpStage.DATA, "DATA", r, Reply::isPositiveIntermediate);
        }
        return check(at, SmtpStage.DATA_END, "DATA (end of message)", r, Reply::isPositiveCompletion);
    }

    /**
     * A whole transaction from a message spec: MAIL from the spec's {@code from}, RCPT for every
     * {@code to}, {@code cc} and {@code bcc}, DATA and the message (pipelined when offered). Every
     * recipient must be accepted; a refused one stops the script (inside {@code expect}, it is checked).
     */
    public SendResult send(@DelegatesTo(value = DataSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        return send(here(), delegating(block));
    }

    /** The Java form of {@link #send(Closure)}. */
    public SendResult send(Consumer<DataSpec> block) {
        return send(here(), block);
    }

    /** {@code send()} with no message: a mistake, named with the right spelling. */
    public SendResult send() {
        return send(here(), (Consumer<DataSpec>) null);
    }

    private SendResult send(ScriptLocation at, Consumer<DataSpec> block) {
        return step(at, "send", () -> {
            requireValue(at, "send", block);
            DataSpec spec = new DataSpec(scope, at);
            dialogue.inBlock(() -> block.accept(spec));
            spec.senderDefault(profileFrom());
            SendResult result = session(at, "send").send(spec.envelope(), spec.content());
            return dialogue.checkSend(at, spec.envelopeFrom(), result);
        });
    }

    /** RSET: ends the transaction. Expects 250. */
    public Reply rset() {
        ScriptLocation at = here();
        return step(at, "rset", () -> check(at, SmtpStage.RSET, "RSET", session(at, "rset").rset(),
                Reply::isPositiveCompletion));
    }

    /** NOOP. Expects 250. */
    public Reply noop() {
        ScriptLocation at = here();
        return step(at, "noop", () -> check(at, SmtpStage.NOOP, "NOOP", session(at, "noop").noop(),
                Reply::isPositiveCompletion));
    }

    /** VRFY: expects 250, 251 or 252. */
    public Reply vrfy(String what) {
        ScriptLocation at = here();
        return step(at, "vrfy", () -> check(at, SmtpStage.VRFY, "VRFY " + requireValue(at, "vrfy", what),
                session(at, "vrfy").vrfy(what), Reply::isPositiveCompletion));
    }

    /** Any command line, as written; returns the reply. Fails on 4xx/5xx unless inside {@code expect}. */
    public Reply raw(String line) {
        ScriptLocation at = here();
        return step(at, "raw", () -> {
            requireValue(at, "raw", line);
            Reply r = session(at, "raw").raw(line);
            String shown = line.regionMatches(true, 0, "AUTH ", 0, 5) ? "AUTH ..." : line;
            return check(at, SmtpStage.RAW, shown, r, x -> x.code() < 400);
        });
    }

    /** QUIT and close; does nothing when not connected. */
    public Reply quit() {
        ScriptLocation at = here();
        if (refusedHere(at, "quit") || session == null || !session.isOpen()) {
            return null;
        }
        return step(at, () -> session.quit());
    }

    // ------------------------------------------------------------------ batch (the work is in BatchRun)

    /**
     * A bulk send: the block runs once per row and describes that row's message with
     * {@code send { }}; the batch sends them over its own pool of connections, made like the last
     * {@code connect} and {@code auth}. Options: {@code concurrency}, {@code rate} ('30/min'),
     * {@code perConnection}, {@code retries}, {@code retryDelay}, {@code maxRetryDelay},
     * {@code maxErrors}, {@code journal}, {@code fsync}, {@code resume}, {@code resendInDoubt}, {@code report},
     * {@code shard} ('2/4'), {@code addressField} ('email'). Deferred or failed recipients make the
     * run exit 75 or 69 when the script ends; an AUTH refusal stops the script at once.
     */
    public BatchResult batch(Map<String, ?> options, Object rows,
            @DelegatesTo(value = BatchRowSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        ScriptLocation at = here();
        if (refusedHere(at, "batch")) {
            return null;
        }
        return dialogue.inBatch(() -> {
            try {
                return new BatchRun(scope, at, options, rows, block).run();
            } catch (ScriptError e) {
                return problem(e, null);
            }
        });
    }

    /** A bulk send with default options: {@code batch(csv('people.csv')) { row -> send { ... } }}. */
    public BatchResult batch(Object rows,
            @DelegatesTo(value = BatchRowSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        return batch(Map.of(), rows, block);
    }

    // ------------------------------------------------------------------ expectations

    /**
     * Runs the block expecting a specific reply from every command in it instead of success:
     * a code ({@code 550}), a list of codes, an enhanced code ({@code '5.1.1'}), a code class
     * ({@code '5xx'}) or a regex on the text ({@code ~/Relay/}). A reply that does not match
     * stops the script.
     */
    public Object expect(Object wanted, Closure<?> block) {
        ScriptLocation at = here();
        if (refusedHere(at, "expect")) {
            return null;
        }
        if (block == null) {
            return problem(new ScriptError(at, VerbSpelling.missingValue("expect")), null);
        }
        return dialogue.expect(Expectation.of(wanted, at), at, block::call);
    }

    // ------------------------------------------------------------------ Groovy plumbing

    /** Makes {@code quit}, {@code ehlo}, {@code rset}, {@code noop}, {@code starttls} work without parentheses. */
    @Override
    public Object getProperty(String name) {
        if (BARE_VERBS.contains(name) && !getBinding().hasVariable(name)) {
            return switch (name) {
                case "quit" -> quit();
                case "ehlo" -> ehlo();
                case "helo" -> helo();
                case "rset" -> rset();
                case "noop" -> noop();
                case "starttls" -> starttls();
                case "mail" -> mail();
                case "connect" -> connect(Map.of());
                default -> auth(Map.of());
            };
        }
        return super.getProperty(name);
    }

    /**
     * A call Groovy could not match: a verb with arguments it does not take ({@code rcpt 'x'},
     * {@code connect 25}), a message word outside its block, an AUTH mechanism used as a verb, or an
     * unknown verb (the nearest real one is named).
     */
    public Object methodMissing(String name, Object args) {
        Object[] given = args instanceof Object[] a ? a : new Object[] {args};
        boolean messageWordCall = VerbSpelling.MESSAGE_WORDS.contains(name)
                && InvokerHelper.getMetaClass(DataSpec.class).respondsTo(null, name, given).size() > 0;
        return problem(new ScriptError(here(), VerbSpelling.unmatchedCall(name, given, messageWordCall, VERBS)), null);
    }

    /** An unknown variable: names the nearest verb or variable. */
    public Object propertyMissing(String name) {
        if (name.equals("out")) {
            // Groovy's println, print and printf look for an "out" variable and, when there is
            // none, write to standard output: say there is none.
            throw new groovy.lang.MissingPropertyException(name, getClass());
        }
        if (VerbSpelling.MECHANISMS.contains(name) && !getBinding().hasVariable(name)) {
            return problem(new ScriptError(here(), VerbSpelling.mechanismAsVerb(name)), null);
        }
        List<String> known = new ArrayList<>(VERBS);
        getBinding().getVariables().keySet().forEach(k -> known.add(String.valueOf(k)));
        return problem(new ScriptError(here(), VerbSpelling.unknownName(name, known)), null);
    }

    // ------------------------------------------------------------------ internals

    /**
     * The sender when the script names none: the {@code from:} of the profile the connection was made
     * from, or null. One rule for a bare {@code mail}, a top-level {@code send { }} and a batch's rows.
     */
    final String profileFrom() {
        return context.profileFrom();
    }

    final ScriptLocation here() {
        return context.here();
    }

    final Path resolve(String path) {
        return context.resolve(path);
    }

    /** Records a mistake in a dry run (and returns {@code fallback}); throws it otherwise. */
    final <T> T problem(ScriptError error, T fallback) {
        return context.problem(error, fallback);
    }

    private boolean refusedHere(ScriptLocation at, String verb) {
        return dialogue.refusedHere(at, verb);
    }

    /** A message block's closure as the Consumer its Java form takes (null stays null: a mistake to name). */
    private static Consumer<DataSpec> delegating(Closure<?> block) {
        return block == null ? null : spec -> {
            block.setResolveStrategy(Closure.DELEGATE_FIRST);
            block.setDelegate(spec);
            block.call(spec);
        };
    }

    /** {@code value}, or a script error naming the verb's spelling when it is null. */
    private static <T> T requireValue(ScriptLocation at, String verb, T value) {
        if (value == null) {
            throw new ScriptError(at, VerbSpelling.missingValue(verb));
        }
        return value;
    }

    private SmtpSession session(ScriptLocation at, String verb) {
        return dialogue.session(at, verb);
    }

    private Reply check(ScriptLocation at, SmtpStage stage, String command, Reply r, Predicate<Reply> ok) {
        return dialogue.check(at, stage, command, r, ok);
    }

    private <T> T step(ScriptLocation at, String verb, Dialogue.SmtpStep<T> body) {
        return dialogue.step(at, verb, body);
    }

    private <T> T step(ScriptLocation at, Dialogue.SmtpStep<T> body) {
        return dialogue.step(at, body);
    }

    private void quitQuietly() {
        try {
            session.quit();
        } catch (SmtpException ignored) {
            session.close();
        }
    }

    /** Sends QUIT if a connection is still open; called by the runner when the script ends. */
    final void finish() {
        if (session != null && session.isOpen()) {
            quitQuietly();
        }
    }

    private String defaultHelo() {
        if (context.current() != null && context.current().helo() != null) {
            return context.current().helo();
        }
        String v = context.options().env().apply("POSTILION_HELO");
        if (v != null) {
            return v;
        }
        return LocalName.forEhlo();
    }

}
