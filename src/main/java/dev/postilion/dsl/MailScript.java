package dev.postilion.dsl;

import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.codehaus.groovy.runtime.InvokerHelper;

import dev.postilion.batch.BatchResult;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpStage;

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
    /** The script as its blocks see it. */
    private ScriptScope scope;
    /** The rules every verb's step goes through, and the transaction. */
    private Dialogue dialogue;
    /** The script's connection: connect, EHLO and AUTH. */
    private Connector connector;

    /** Attaches the run's context; called by {@link ScriptRunner} before {@code run()}. */
    final void attach(ScriptContext context) {
        this.context = context;
        this.dialogue = new Dialogue(context, () -> connector.session());
        this.connector = new Connector(context, dialogue);
        this.scope = ScriptScope.of(context, this::getBinding, connector::connections);
        attachScope(scope);
        // At the run's time limit, a verb waiting on the server must not wait out its own timeout.
        context.limit().onStop(() -> {
            connector.close();
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
        Reply r = step(at, () -> connector.connect(at, options, host));
        if (context.options().dryRun() && !connector.isOpen()) {
            // A dry run keeps walking the script after a bad connect: it talks to the stand-in anyway.
            r = step(at, () -> connector.connect(at, Map.of(), host != null ? host : "dry-run.invalid"));
        }
        return r;
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
        return ehlo(connector.defaultHelo());
    }

    /**
     * EHLO (HELO when the server refuses EHLO); with {@code tls: 'starttls'} or
     * {@code 'starttls-if-offered'} STARTTLS and a fresh EHLO follow at once.
     */
    public Reply ehlo(String name) {
        ScriptLocation at = here();
        return step(at, "ehlo", () -> {
            VerbSpelling.requireValue(at, "ehlo", name == null || name.isBlank() ? null : name);
            return connector.ehlo(at, name);
        });
    }

    /** HELO: no extensions. */
    public Reply helo(String name) {
        ScriptLocation at = here();
        return step(at, "helo", () -> dialogue.check(at, SmtpStage.HELO,
                "HELO " + VerbSpelling.requireValue(at, "helo", name == null || name.isBlank() ? null : name),
                dialogue.session(at, "helo").helo(name), Reply::isPositiveCompletion));
    }

    /** HELO with this machine's name. */
    public Reply helo() {
        return helo(connector.defaultHelo());
    }

    /** STARTTLS (expects 220), the handshake, and a fresh EHLO. Does nothing when TLS is already up. */
    public Reply starttls() {
        ScriptLocation at = here();
        return step(at, "starttls", () -> connector.starttls(at));
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
        return step(at, "auth", () -> connector.auth(at, options, mechanism));
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
        return step(at, "mail", () -> dialogue.mail(at, VerbSpelling.requireValue(at, "mail", options)));
    }

    /**
     * RCPT TO: {@code rcpt to: 'b@y'} or a list ({@code rcpt to: ['a@y', 'b@y']}: one RCPT each);
     * options {@code notify} (NEVER or SUCCESS,FAILURE,DELAY), {@code orcpt}. Expects 250 for each.
     *
     * @return the last reply
     */
    public Reply rcpt(Map<String, ?> options) {
        ScriptLocation at = here();
        return step(at, "rcpt", () -> dialogue.rcpt(at, options));
    }

    /**
     * DATA with a message described in the block ({@code subject}, {@code text}, {@code html},
     * {@code attach}, ...). Expects 354, then 250 after the final dot.
     */
    public Reply data(@DelegatesTo(value = DataSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        ScriptLocation at = here();
        return data(at, Dialogue.delegating(block));
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
            VerbSpelling.requireValue(at, "data", raw);
            NamedArgs a = VerbOptions.DATA.check(options, at);
            DataSpec spec = new DataSpec(scope, at);
            spec.raw(raw, a.bool("addMissingHeaders", false));
            return dialogue.data(at, spec);
        });
    }

    private Reply data(ScriptLocation at, Consumer<DataSpec> block) {
        return step(at, "data", () -> {
            VerbSpelling.requireValue(at, "data", block);
            DataSpec spec = new DataSpec(scope, at);
            dialogue.inBlock(() -> block.accept(spec));
            return dialogue.data(at, spec);
        });
    }

    /**
     * A whole transaction from a message spec: MAIL from the spec's {@code from}, RCPT for every
     * {@code to}, {@code cc} and {@code bcc}, DATA and the message (pipelined when offered). Every
     * recipient must be accepted; a refused one stops the script (inside {@code expect}, it is checked).
     */
    public SendResult send(@DelegatesTo(value = DataSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        return send(here(), Dialogue.delegating(block));
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
            VerbSpelling.requireValue(at, "send", block);
            DataSpec spec = new DataSpec(scope, at);
            dialogue.inBlock(() -> block.accept(spec));
            return dialogue.send(at, spec);
        });
    }

    /** RSET: ends the transaction. Expects 250. */
    public Reply rset() {
        ScriptLocation at = here();
        return step(at, "rset", () -> dialogue.check(at, SmtpStage.RSET, "RSET", dialogue.session(at, "rset").rset(),
                Reply::isPositiveCompletion));
    }

    /** NOOP. Expects 250. */
    public Reply noop() {
        ScriptLocation at = here();
        return step(at, "noop", () -> dialogue.check(at, SmtpStage.NOOP, "NOOP", dialogue.session(at, "noop").noop(),
                Reply::isPositiveCompletion));
    }

    /** VRFY: expects 250, 251 or 252. */
    public Reply vrfy(String what) {
        ScriptLocation at = here();
        return step(at, "vrfy", () -> dialogue.check(at, SmtpStage.VRFY,
                "VRFY " + VerbSpelling.requireValue(at, "vrfy", what),
                dialogue.session(at, "vrfy").vrfy(what), Reply::isPositiveCompletion));
    }

    /** Any command line, as written; returns the reply. Fails on 4xx/5xx unless inside {@code expect}. */
    public Reply raw(String line) {
        ScriptLocation at = here();
        return step(at, "raw", () -> {
            VerbSpelling.requireValue(at, "raw", line);
            Reply r = dialogue.session(at, "raw").raw(line);
            String shown = line.regionMatches(true, 0, "AUTH ", 0, 5) ? "AUTH ..." : line;
            return dialogue.check(at, SmtpStage.RAW, shown, r, x -> x.code() < 400);
        });
    }

    /** QUIT and close; does nothing when not connected. */
    public Reply quit() {
        ScriptLocation at = here();
        if (refusedHere(at, "quit") || !connector.isOpen()) {
            return null;
        }
        return step(at, () -> connector.session().quit());
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

    final ScriptLocation here() {
        return context.here();
    }

    /**
     * The sender when the script names none: the {@code from:} of the profile the connection was made
     * from, or null. One rule for a bare {@code mail}, a top-level {@code send { }} and a batch's rows.
     */
    final String profileFrom() {
        return context.profileFrom();
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

    private <T> T step(ScriptLocation at, String verb, Dialogue.SmtpStep<T> body) {
        return dialogue.step(at, verb, body);
    }

    private <T> T step(ScriptLocation at, Dialogue.SmtpStep<T> body) {
        return dialogue.step(at, body);
    }

    /** Sends QUIT if a connection is still open; called by the runner when the script ends. */
    final void finish() {
        connector.finish();
    }

}
