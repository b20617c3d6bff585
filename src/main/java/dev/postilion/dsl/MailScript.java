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
import dev.postilion.batch.RowSource;
import dev.postilion.profile.ConnectionPlan;
import dev.postilion.profile.Profile;
import dev.postilion.smtp.LocalName;
import dev.postilion.smtp.MailOptions;
import dev.postilion.smtp.RcptOptions;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.SmtpStage;
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
                    context.options(), this::resolve));
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
        connectSettings.connected(plan, this::defaultHelo);
        Reply r = session.connect(plan.dialHost(), plan.dialPort());
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
        SmtpSession s = session(at, "auth");
        Reply r;
        try {
            r = s.auth(mechanismName, credentials);
        } catch (SmtpException | dev.postilion.profile.ProfileException e) {
            // A secret that could not be read when the server asked: the profile's error, not a refusal.
            dev.postilion.profile.ProfileException unreadable = dev.postilion.profile.ProfileException.causing(e);
            if (unreadable == null) {
                throw e;
            }
            throw new ScriptError(at, unreadable.kind() == dev.postilion.profile.ProfileException.Kind.NOINPUT
                    ? ScriptError.Kind.MISSING_FILE : ScriptError.Kind.CONFIG, unreadable.getMessage(), unreadable);
        }
        check(at, SmtpStage.AUTH, "AUTH " + s.authMechanism(), r, Reply::isPositiveCompletion);
        if (r != null && r.isPositiveCompletion()) {
            connectSettings.authenticated(mechanismName, credentials, o.renewal(credentials));
        }
        return r;
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
        return ConnectionPlan.helo(null, context.current(), context.options().env());
    }

}
