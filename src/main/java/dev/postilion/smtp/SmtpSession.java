package dev.postilion.smtp;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.smtp.auth.AuthException;
import dev.postilion.smtp.auth.AuthExchange;
import dev.postilion.smtp.auth.AuthMechanisms;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.transcript.SecretStrings;
import dev.postilion.transcript.TranscriptListener;

/**
 * One SMTP conversation over one connection. Every verb writes one command (validated: no CR, LF
 * or NUL ever reaches the wire), reads one complete reply within the stage's timeout, reports both
 * to the transcript, and returns the {@link Reply} without judging it. Failures without a reply
 * (refused, timed out, dropped, malformed) are {@link SmtpException}s carrying the stage. The
 * session knows its stage and refuses verbs out of order (RCPT before MAIL, DATA with no accepted
 * recipient), and with a required TLS mode it refuses AUTH and MAIL until TLS is up.
 */
public final class SmtpSession implements Closeable {

    private static final Predicate<Reply> POSITIVE = Reply::isPositiveCompletion;
    /** The least time each address gets when a host has several (Go's net.Dialer: 2 s). */
    private static final long MIN_CONNECT_SHARE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How errors name the step after the final dot; the batch journal reads this prefix. */
    private static final String END_OF_DATA = ".";
    /** The remedy when a port speaks TLS from its first byte (SMTPS). */
    private static final String USE_IMPLICIT = "use --tls implicit (tls: 'implicit')";

    private final SessionOptions options;
    private final TranscriptListener transcript;
    private SmtpConnection conn;
    private String host;
    private int port;
    private Capabilities capabilities = Capabilities.NONE;
    /** What the last EHLO in plain text offered on this connection (before any STARTTLS). */
    private Capabilities plainCapabilities = Capabilities.NONE;
    /** The mechanism of the last AUTH exchange begun, as sent ({@code auto} resolved). */
    private String authMechanism;
    /** Every secret this session sent, in the forms a server could quote back: masked in every reply. */
    private final SecretStrings secrets = new SecretStrings();
    private String heloName;
    private boolean greeted;
    private boolean esmtp;
    private boolean authenticated;
    private boolean mailAccepted;
    private int acceptedRecipients;
    private boolean rawAuth;
    /** The 334 that the next raw AUTH answer goes to asked for the user name, not a secret. */
    private boolean rawUserPrompt;
    private Predicate<Reply> expectation;
    private boolean assumeRemote;
    /** A transaction whose final dot is written (maybe not yet flushed) and whose reply is unread. */
    private Unanswered unanswered;
    /** True while sendAhead writes a pipelined group that goes out ahead of the unanswered dot's reply. */
    private boolean writingAhead;

    private record Unanswered(Reply mail, List<SendResult.RecipientReply> recipients, Reply data,
                              TransactionListener listener) {
    }

    /** A session that will connect with these options and report to {@code transcript}. */
    public SmtpSession(SessionOptions options, TranscriptListener transcript) {
        this.options = options;
        this.transcript = transcript == null ? TranscriptListener.NONE : transcript;
    }

    // ---------------------------------------------------------------- connection

    /**
     * Opens the connection (with TLS at once in implicit mode) and reads the greeting.
     *
     * @return the greeting (220 expected; a 554 greeting is returned, not thrown)
     */
    public Reply connect(String host, int port) throws SmtpException {
        if (conn != null && conn.isOpen()) {
            throw state(SmtpStage.CONNECT, "already connected to " + server() + "; quit first");
        }
        this.host = host;
        this.port = port;
        resetSessionState();
        conn = dial(host, port);
        transcript.info("Connected to " + host + ".");
        if (options.tls().mode() == TlsMode.IMPLICIT) {
            handshake(true);
        }
        return read(SmtpStage.GREETING, null, r -> r.code() == 220);
    }

    /**
     * Resolves the host and tries its addresses in order until one accepts, all within the connect
     * timeout. Each address gets an equal share of the time left, but at least 2 s (as Go's
     * net.Dialer does), so a black-holed IPv6 address cannot use up the time of the IPv4 one behind
     * it (Postfix: "tries the next address"). A name that does not exist is {@link Kind#NO_HOST};
     * a lookup that fails for now, and addresses that all fail, are temporary.
     */
    private SmtpConnection dial(String host, int port) throws SmtpException {
        String server = host + ":" + port;
        List<InetAddress> addresses;
        try {
            addresses = options.resolver().resolve(host);
        } catch (UnknownHostException e) {
            throw new SmtpException(Kind.NO_HOST, SmtpStage.CONNECT, null, null, server,
                    "CONNECT " + server + " failed: host not found: '" + host + "' does not exist (DNS has no"
                            + " address for it)\n    check the host name in the script, profile or --server", e);
        } catch (IOException e) {
            throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.CONNECT, null, server,
                    "the host name could not be looked up: " + e.getMessage() + "; try again later", e);
        }
        if (addresses == null || addresses.isEmpty()) {
            throw new SmtpException(Kind.NO_HOST, SmtpStage.CONNECT, null, null, server,
                    "CONNECT " + server + " failed: host not found: '" + host + "' has no address"
                            + "\n    check the host name in the script, profile or --server", null);
        }
        long deadline = System.nanoTime() + options.timeouts().connect().toNanos();
        List<String> failures = new ArrayList<>();
        IOException last = null;
        for (int i = 0; i < addresses.size(); i++) {
            InetAddress address = addresses.get(i);
            String at = text(address);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                failures.add(at + ": not tried, the connect timeout of "
                        + Timeouts.describe(options.timeouts().connect()) + " was used up");
                continue;
            }
            long share = Math.max(left / (addresses.size() - i), Math.min(left, MIN_CONNECT_SHARE_NANOS));
            boolean literal = host.equals(address.getHostAddress()) || host.indexOf(':') >= 0;
            transcript.info("Trying " + server + (literal ? "" : " (" + at + ")") + "...");
            try {
                return SmtpConnection.open(host, port, address, options.timeouts(), Duration.ofNanos(share));
            } catch (IOException e) {
                last = e;
                String why = e instanceof ConnectException ? "connection refused"
                        : e instanceof SocketTimeoutException ? "connect timed out after "
                        + Timeouts.describe(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(share)))
                        : String.valueOf(e.getMessage());
                failures.add(addresses.size() == 1 ? why : at + ": " + why);
                if (i + 1 < addresses.size()) {
                    transcript.info(at + ": " + why + "; trying the next address");
                }
            }
        }
        throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.CONNECT, null, server, String.join("; ", failures), last);
    }

    /** An address as people write it: IPv6 with its longest run of zero groups as "::" (RFC 5952). */
    private static String text(InetAddress address) {
        String full = address.getHostAddress();
        int scope = full.indexOf('%');
        if (address.getAddress().length != 16) {
            return full;
        }
        String[] groups = (scope >= 0 ? full.substring(0, scope) : full).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + (scope >= 0 ? full.substring(scope) : "");
    }

    /**
     * Connects, checks the greeting, says EHLO (HELO if EHLO is refused) and starts TLS as the mode
     * asks: everything before AUTH and MAIL, each reply checked.
     *
     * @return the last EHLO (or HELO) reply
     */
    public Reply open(String host, int port, String heloName) throws SmtpException {
        Reply greeting = connect(host, port);
        if (greeting.code() != 220) {
            throw SmtpException.unexpected(SmtpStage.GREETING, "CONNECT " + server(), greeting, server());
        }
        Reply hello = greet(heloName);
        if (!hello.isPositiveCompletion()) {
            throw SmtpException.unexpected(esmtp ? SmtpStage.EHLO : SmtpStage.HELO,
                    (esmtp ? "EHLO " : "HELO ") + heloName, hello, server());
        }
        Reply secured = secure();
        return secured != null ? secured : hello;
    }

    // ---------------------------------------------------------------- greeting and TLS

    /** EHLO: on 250 the capabilities are parsed and kept. */
    public Reply ehlo(String name) throws SmtpException {
        return hello(SmtpStage.EHLO, name);
    }

    /** HELO: the server then offers no extensions. */
    public Reply helo(String name) throws SmtpException {
        return hello(SmtpStage.HELO, name);
    }

    private Reply hello(SmtpStage stage, String name) throws SmtpException {
        requireConnected(stage);
        CommandWriter.checkArgument(stage.label() + " name", name, stage);
        Reply r = command(stage, stage.label() + " " + name, POSITIVE);
        if (r.isPositiveCompletion()) {
            esmtp = stage == SmtpStage.EHLO;
            capabilities = esmtp ? Capabilities.parse(r) : Capabilities.NONE;
            if (!conn.tls()) {
                plainCapabilities = capabilities;
            }
            greeted = true;
            heloName = name;
            resetTransaction();
        }
        return r;
    }

    /** EHLO, falling back to HELO when the server refuses EHLO with a 5xx (RFC 5321 3.2). */
    public Reply greet(String name) throws SmtpException {
        Reply r = ehlo(name);
        if (r.isPermanentNegative() && isOpen()) {
            transcript.info("EHLO refused; trying HELO");
            return helo(name);
        }
        return r;
    }

    /**
     * STARTTLS (RFC 3207): on 220 the handshake runs, everything learnt before it is forgotten,
     * and EHLO is sent again. Any byte the server sent after its 220 and before the handshake is a
     * response-injection attempt and fails the session.
     *
     * @return the reply to STARTTLS (220 expected)
     */
    public Reply starttls() throws SmtpException {
        return upgrade().starttls();
    }

    /** The replies of a STARTTLS exchange: to STARTTLS, and to the EHLO after it (null if there was none). */
    private record Upgrade(Reply starttls, Reply hello) {
    }

    private Upgrade upgrade() throws SmtpException {
        requireGreeted(SmtpStage.STARTTLS);
        if (conn.tls()) {
            throw state(SmtpStage.STARTTLS, "TLS is already active on this connection");
        }
        Reply r = command(SmtpStage.STARTTLS, "STARTTLS", x -> x.code() == 220);
        if (r.code() != 220) {
            return new Upgrade(r, null);
        }
        try {
            int extra = conn.buffered();
            if (extra > 0) {
                conn.close();
                throw new SmtpProtocolException(SmtpStage.STARTTLS, "STARTTLS", server(),
                        "it sent " + extra + " more octets after its 220 reply, before the TLS handshake"
                                + " (a STARTTLS response injection); the connection was dropped");
            }
        } catch (SmtpException e) {
            throw e;
        } catch (IOException e) {
            throw lost(SmtpStage.STARTTLS, "STARTTLS", e);
        }
        handshake(false);
        // RFC 3207 4.2: discard all knowledge obtained before TLS and say EHLO again.
        String name = heloName;
        boolean wasEsmtp = esmtp;
        capabilities = Capabilities.NONE;
        greeted = false;
        authenticated = false;
        resetTransaction();
        Reply again = wasEsmtp ? ehlo(name) : helo(name);
        if (!again.isPositiveCompletion()) {
            throw SmtpException.unexpected(SmtpStage.EHLO, (wasEsmtp ? "EHLO " : "HELO ") + name
                    + " (after STARTTLS)", again, server());
        }
        return new Upgrade(r, again);
    }

    /**
     * Applies the TLS mode after EHLO: {@code starttls} upgrades or fails closed,
     * {@code starttls-if-offered} upgrades when offered and otherwise says it goes on in plain text.
     *
     * @return the EHLO reply after TLS, or null when nothing changed
     */
    public Reply secure() throws SmtpException {
        TlsMode mode = options.tls().mode();
        if (conn.tls() || (mode != TlsMode.STARTTLS && mode != TlsMode.STARTTLS_IF_OFFERED)) {
            return null;
        }
        if (!capabilities.startTls()) {
            if (mode.required()) {
                throw new SmtpException(Kind.TLS, SmtpStage.STARTTLS, null, null, server(),
                        "STARTTLS required, but " + server() + " did not offer it\n    refusing to continue in"
                                + " plain text; use tls 'starttls-if-offered' to allow it, or 'implicit' for port 465",
                        null);
            }
            transcript.error("Host did not advertise STARTTLS; continuing in plain text (starttls-if-offered)");
            return null;
        }
        Upgrade u = upgrade();
        Reply r = u.starttls();
        if (r.code() != 220) {
            if (mode.required() || r.isClosing() || !isOpen()) {
                throw new SmtpException(Kind.TLS, SmtpStage.STARTTLS, "STARTTLS", r, server(),
                        "STARTTLS refused; TLS is required, so nothing more is sent\n"
                                + SmtpException.quote(server(), r), null);
            }
            transcript.error("STARTTLS refused; continuing in plain text (starttls-if-offered)");
            return null;
        }
        return u.hello();
    }

    /**
     * The TLS handshake; {@code implicit}: at connect, before any SMTP (the greeting's time limit
     * applies), otherwise after STARTTLS's 220.
     */
    private void handshake(boolean implicit) throws SmtpException {
        Duration limit = implicit ? options.timeouts().greeting() : options.timeouts().command();
        try {
            transcript.tlsStarted(conn.startTls(options.tls(), limit));
            if (options.tls().insecure()) {
                transcript.error("TLS certificate checks are OFF (--insecure)");
            }
        } catch (SmtpException e) {
            conn.close();
            throw e;
        } catch (IOException e) {
            conn.close();
            throw handshakeFailure(e, implicit, limit);
        }
    }

    private SmtpException handshakeFailure(IOException e, boolean implicit, Duration limit) {
        if (e instanceof SocketTimeoutException || conn.writeTimedOut()) {
            // The read timed out, or the watchdog closed a socket whose handshake outlived the limit.
            return SmtpException.noReply(Kind.TEMPORARY, SmtpStage.TLS, "TLS handshake with " + server(), server(),
                    "timed out after " + Timeouts.describe(limit), e);
        }
        if (e instanceof SSLException) {
            if (implicit && String.valueOf(e.getMessage()).contains("nsupported or unrecognized SSL message")) {
                // JSSE read "220 ..." as a TLS record: the server greets in plain text.
                return new SmtpException(Kind.TLS, SmtpStage.TLS, null, null, server(),
                        "TLS handshake with " + server() + " failed: the server answered in plain text, not TLS"
                                + "\n    this port speaks plain SMTP first: use --tls starttls or none (tls:"
                                + " 'starttls' or 'none')", e, SmtpException.Hint.PORT_SPEAKS_PLAIN);
            }
            if (e instanceof SSLHandshakeException h) {
                return tlsFailure(h);
            }
            return new SmtpException(Kind.TLS, SmtpStage.TLS, null, null, server(),
                    "TLS handshake with " + server() + " failed: " + e.getMessage(), e);
        }
        return lost(SmtpStage.TLS, "TLS handshake", e);
    }

    private SmtpException tlsFailure(SSLHandshakeException e) {
        Throwable root = e;
        boolean certificate = false;
        boolean expired = false;
        while (root.getCause() != null) {
            root = root.getCause();
            certificate |= root instanceof CertificateException
                    || root instanceof java.security.cert.CertPathValidatorException;
            expired |= root instanceof java.security.cert.CertificateExpiredException;
        }
        String why = String.valueOf(root.getMessage());
        String obsolete = obsoleteProtocol(why);
        if (obsolete != null) {
            return new SmtpException(Kind.TLS, SmtpStage.TLS, null, null, server(),
                    "TLS handshake with " + server() + " failed: " + obsolete + "\n    TLS 1.0 and 1.1 are refused"
                            + " (RFC 8996: obsolete and insecure); the server must allow TLS 1.2 or 1.3", e);
        }
        if (certificate || why.contains("PKIX") || why.contains("subject alternative") || why.contains("certificate")) {
            String hint = expired ? "the certificate has expired; the server must renew it (--insecure skips every"
                    + " check, never for real credentials)"
                    : why.contains("subject alternative") || why.contains("No name matching")
                    ? "the certificate does not name '" + host + "': connect with the name the certificate"
                    + " carries"
                    : "to trust it, pass the issuing CA's certificate as PEM with --tls-ca FILE (tls_ca: in a"
                    + " profile, tlsCa: in connect); --insecure skips every check (never for real credentials)";
            return new SmtpException(Kind.TLS, SmtpStage.TLS, null, null, server(),
                    "TLS certificate of " + server() + " not trusted: " + why + "\n    " + hint, e);
        }
        return new SmtpException(Kind.TLS, SmtpStage.TLS, null, null, server(),
                "TLS handshake with " + server() + " failed: " + why, e);
    }

    /**
     * Names the protocol when a handshake failed because the server speaks only an obsolete TLS
     * version: it chose one (JSSE: "The server selected protocol version TLS11 is not accepted by
     * client preferences [TLS13, TLS12]"), or it refused ours with a protocol_version alert.
     *
     * @return the explanation, or null when the failure was about something else
     */
    private static String obsoleteProtocol(String why) {
        java.util.regex.Matcher m = Pattern.compile("selected protocol version (\\w+)").matcher(why);
        if (m.find()) {
            String version = switch (m.group(1)) {
                case "TLS10" -> "TLS 1.0";
                case "TLS11" -> "TLS 1.1";
                case "SSL30" -> "SSL 3.0";
                default -> m.group(1);
            };
            return "the server chose " + version + " (" + why + ")";
        }
        if (why.contains("protocol_version")) {
            return "the server accepts neither TLS 1.2 nor TLS 1.3 (it answered with a protocol_version alert),"
                    + " so it speaks only an older protocol such as TLS 1.0 or 1.1";
        }
        return null;
    }

    // ---------------------------------------------------------------- AUTH

    /**
     * AUTH with a mechanism ({@code LOGIN}, {@code PLAIN}, ... or {@code auto} for the strongest
     * offered). Refused over cleartext to a host that is not loopback unless allowed. Secret client
     * lines are masked in the transcript from the AUTH command to its final reply.
     *
     * @return the final reply (235 expected)
     */
    public Reply auth(String mechanism, Credentials credentials) throws SmtpException {
        requireGreeted(SmtpStage.AUTH);
        requireTlsIfRequired(SmtpStage.AUTH);
        if (authenticated) {
            throw state(SmtpStage.AUTH, "already authenticated on this connection");
        }
        if (mailAccepted) {
            throw state(SmtpStage.AUTH, "auth is not allowed during a mail transaction (RFC 4954 4)");
        }
        if (!conn.tls() && !options.allowCleartextAuth() && (assumeRemote || !conn.loopback())) {
            throw new SmtpException(Kind.CONFIG, SmtpStage.AUTH, null, null, server(),
                    "AUTH refused: the connection to " + server() + " is not encrypted, and the password would"
                            + " cross the network readable\n    use tls 'starttls' or 'implicit'; or allow it"
                            + " explicitly with allowCleartextAuth / --allow-cleartext-auth", null);
        }
        if (credentials.username() != null) {
            // RFC 4616 2: NUL separates PLAIN's fields, so a user name holding one could name another.
            CommandWriter.checkArgument("AUTH user name", credentials.username(), SmtpStage.AUTH);
        }
        String mech = mechanism == null ? "auto" : mechanism.trim().toUpperCase(Locale.ROOT);
        if (mech.equals("AUTO")) {
            mech = AuthMechanisms.choose(capabilities.authMechanisms(), credentials);
            if (mech == null) {
                throw new SmtpException(Kind.AUTH, SmtpStage.AUTH, null, null, server(),
                        "AUTH impossible: " + server() + " offers " + offered() + ", none of which Postilion"
                                + " can use with these credentials", null);
            }
        } else if (capabilities.esmtp() && !capabilities.authMechanisms().contains(mech)) {
            throw new SmtpException(Kind.AUTH, SmtpStage.AUTH, null, null, server(),
                    "AUTH " + mech + " impossible: " + server() + " offers " + offered(), null);
        }
        authMechanism = mech;
        AuthExchange exchange;
        AuthExchange.Response initial;
        try {
            exchange = AuthMechanisms.start(mech, credentials, host, port);
            initial = exchange.initialResponse();
        } catch (AuthException e) {
            throw new SmtpException(Kind.AUTH, SmtpStage.AUTH, null, null, server(), "AUTH " + mech + " impossible: "
                    + secrets.mask(e.getMessage()), e);
        }
        remember(initial);
        String line = "AUTH " + mech + (initial == null ? "" : " " + b64(initial.bytes()));
        String shown = initial != null && initial.secret() ? "AUTH " + mech + " ********" : line;
        writeLine(SmtpStage.AUTH, line, shown, initial != null && initial.secret());
        flush(SmtpStage.AUTH, shown);
        // RFC 4954 4: 235 is the only success; 334 asks for more.
        Predicate<Reply> expected = x -> x.code() == 235 || x.code() == 334;
        Reply r = read(SmtpStage.AUTH, shown, expected);
        int rounds = 0;
        while (r.code() == 334) {
            if (++rounds > 10) {
                cancelAuth(shown);
                throw new SmtpProtocolException(SmtpStage.AUTH, shown, server(), "more than 10 AUTH challenges");
            }
            byte[] challenge;
            try {
                challenge = Base64.getDecoder().decode(r.text().trim());
            } catch (IllegalArgumentException e) {
                cancelAuth(shown);
                throw new SmtpProtocolException(SmtpStage.AUTH, shown, server(),
                        "AUTH challenge is not base64: " + ReplyReader.show(r.toString()));
            }
            AuthExchange.Response response;
            try {
                response = exchange.evaluate(challenge);
            } catch (AuthException e) {
                cancelAuth(shown);
                throw new SmtpException(Kind.AUTH, SmtpStage.AUTH, shown, r, server(),
                        "AUTH " + mech + " cancelled: " + secrets.mask(e.getMessage()), e);
            }
            remember(response);
            writeLine(SmtpStage.AUTH, b64(response.bytes()), response.secret() ? "********" : null, response.secret());
            flush(SmtpStage.AUTH, shown);
            r = read(SmtpStage.AUTH, shown, expected);
        }
        if (r.isPositiveCompletion() && r.code() != 235) {
            // smtp-sink and other stand-ins answer everything with 250: that is no login.
            throw new SmtpProtocolException(SmtpStage.AUTH, shown, server(), r, "a " + r.code() + " reply cannot"
                    + " answer AUTH: only 235 means the credentials were accepted (RFC 4954 4), so this session"
                    + " is not authenticated");
        }
        if (r.code() == 235) {
            authenticated = true;
        }
        return r;
    }

    /**
     * Keeps every form of a secret response that a server could quote back (the base64 line, the
     * text, the password or token inside), so replies, errors and the transcript mask them.
     */
    private void remember(AuthExchange.Response response) {
        if (response == null || !response.secret()) {
            return;
        }
        List<String> forms = new ArrayList<>(SecretStrings.forms(response.bytes()));
        for (String part : response.parts()) {
            forms.addAll(SecretStrings.forms(part));
        }
        remember(forms);
    }

    private void remember(List<String> forms) {
        for (String form : forms) {
            if (secrets.add(form)) {
                transcript.secret(form);
            }
        }
    }

    /**
     * {@link #auth} for callers that need to be logged in: any final reply but 235 is thrown as
     * the refusal it is, naming the mechanism actually used.
     *
     * @return the 235 reply
     */
    public Reply authenticate(String mechanism, Credentials credentials) throws SmtpException {
        Reply r = auth(mechanism, credentials);
        if (r.code() != 235) {
            throw SmtpException.unexpected(SmtpStage.AUTH, "AUTH " + authMechanism, r, server());
        }
        return r;
    }

    private void cancelAuth(String shown) throws SmtpException {
        // RFC 4954 4: a client cancels an exchange with a line holding a single "*".
        writeLine(SmtpStage.AUTH, "*", null, false);
        flush(SmtpStage.AUTH, shown);
        read(SmtpStage.AUTH, shown, x -> x.code() == 501);
    }

    private String offered() {
        return capabilities.authMechanisms().isEmpty() ? "no AUTH mechanism"
                : "AUTH " + String.join(" ", capabilities.authMechanisms());
    }

    // ---------------------------------------------------------------- transaction

    /** MAIL FROM; an empty {@code from} sends the null reverse path {@code <>}. */
    public Reply mail(String from, MailOptions mailOptions) throws SmtpException {
        String line = mailLine(from, mailOptions == null ? MailOptions.NONE : mailOptions);
        Reply r = command(SmtpStage.MAIL, line, POSITIVE);
        if (r.isPositiveCompletion()) {
            mailAccepted = true;
            acceptedRecipients = 0;
        }
        return r;
    }

    /** RCPT TO. */
    public Reply rcpt(String to, RcptOptions rcptOptions) throws SmtpException {
        String line = rcptLine(to, rcptOptions == null ? RcptOptions.NONE : rcptOptions);
        Reply r = command(SmtpStage.RCPT, line, POSITIVE);
        if (r.isPositiveCompletion()) {
            acceptedRecipients++;
        }
        return r;
    }

    /**
     * DATA: on 354 (any 3yz: RFC 5321 4.2 decides by the first digit) the content goes out
     * (dot-stuffed, CRLF line endings, one terminator) and the reply after the final dot is
     * returned. Any other reply to DATA is returned as it is.
     */
    public Reply data(MessageContent content) throws SmtpException {
        requireRecipients(SmtpStage.DATA);
        Reply r = command(SmtpStage.DATA, "DATA", Reply::isPositiveIntermediate);
        if (!r.isPositiveIntermediate()) {
            return r;
        }
        return sendContent(content, null);
    }

    /**
     * BDAT (RFC 3030 CHUNKING): the content goes out in chunks of at most {@code chunkSize} octets
     * with CRLF line endings and no dot-stuffing; the reply to the LAST chunk is returned (or the
     * first refusal).
     */
    public Reply bdat(MessageContent content, int chunkSize) throws SmtpException {
        requireRecipients(SmtpStage.BDAT);
        if (!capabilities.chunking()) {
            throw state(SmtpStage.BDAT, "the server did not offer CHUNKING, so BDAT cannot be used");
        }
        return bdatContent(content, chunkSize, null);
    }

    private Reply bdatContent(MessageContent content, int chunkSize, DataEndGate gate) throws SmtpException {
        ChunkWriter chunks = new ChunkWriter(Math.max(1024, chunkSize));
        try (DotStuffingOutputStream normalised = DotStuffingOutputStream.lineEndingsOnly(chunks)) {
            content.writeTo(normalised);
            normalised.finish();
            passGate(gate);
            chunks.last();
        } catch (ChunkRefused refused) {
            resetTransaction();
            return refused.reply;
        } catch (SmtpException e) {
            throw e;
        } catch (IOException e) {
            abortContent(e);
        } catch (RuntimeException e) {
            conn.close();
            resetTransaction();
            throw e;
        }
        resetTransaction();
        return chunks.lastReply;
    }

    /**
     * A whole transaction: MAIL, every RCPT and DATA (in one write when the server offers
     * PIPELINING, RFC 2920), then the message. SIZE, BODY=8BITMIME and SMTPUTF8 are added from the
     * message and the addresses when the server offers them. A refused sender or recipients come
     * back in the result; the transaction is then reset with RSET.
     */
    public SendResult send(Envelope envelope, MessageContent content) throws SmtpException {
        return send(envelope, content, null);
    }

    /**
     * {@link #send(Envelope, MessageContent)}, telling {@code listener} (when not null) right before
     * the end of data goes out, with the recipients the server accepted. If the listener throws,
     * the connection is dropped without the final dot and a {@link Kind#LOCAL_IO} failure is thrown.
     */
    public SendResult send(Envelope envelope, MessageContent content, DataEndListener listener)
            throws SmtpException {
        completePending();
        return transact(envelope, content, listener, null);
    }

    /**
     * {@link #send(Envelope, MessageContent, DataEndListener)} for a stream of messages on one
     * connection. When the server offers PIPELINING (and BDAT is not in use) the reply to this
     * message's final dot is not waited for: the next {@code sendAhead} writes its MAIL, RCPTs and
     * DATA in the same flush as this dot and reads the dot's reply first (RFC 2920 3.1), so each
     * message costs one round trip instead of two. The reply is read at the latest by
     * {@link #completePending()}, by any other command, or (as lost) by {@link #close()}.
     *
     * <p>The outcome always goes to {@code done}: {@link TransactionListener#ended} with every
     * reply, or {@link TransactionListener#lost} when the connection failed after the dot.
     * Failures before this message's dot (and, without pipelining, after it) are thrown as by
     * {@code send}; a pending earlier message gets its outcome before this one's exception.
     */
    public void sendAhead(Envelope envelope, MessageContent content, DataEndListener listener,
                          TransactionListener done) throws SmtpException {
        boolean ahead = options.pipelining() && capabilities.pipelining()
                && !(options.chunking() && capabilities.chunking());
        if (!ahead) {
            completePending();
        }
        SendResult r = transact(envelope, content, listener, ahead ? done : null);
        if (r != null) {
            done.ended(r);
        }
    }

    /** True while a message's final dot has gone out (or is buffered) and its reply is not read yet. */
    public boolean hasPending() {
        return unanswered != null;
    }

    /**
     * Sends anything buffered and reads the reply to a pending final dot, handing it to that
     * message's {@link TransactionListener}. Does nothing when nothing is pending. Never throws:
     * a failure here is the pending message's outcome ({@link TransactionListener#lost}).
     */
    public void completePending() {
        if (unanswered == null) {
            return;
        }
        try {
            conn.flush();
        } catch (IOException e) {
            conn.close();
            abandon("connection lost: " + e.getMessage(), e);
            return;
        }
        readPending();
    }

    /** Reads the pending dot's reply and delivers it. */
    private void readPending() {
        Unanswered u = unanswered;
        unanswered = null;
        Reply end;
        try {
            end = read(SmtpStage.DATA_END, END_OF_DATA, POSITIVE);
        } catch (SmtpException e) {
            u.listener().lost(e);
            return;
        }
        u.listener().ended(new SendResult(u.mail(), u.recipients(), u.data(), end));
    }

    /** The connection failed with a final dot unanswered: that message is in doubt. */
    private void abandon(String why, Throwable cause) {
        Unanswered u = unanswered;
        if (u == null) {
            return;
        }
        unanswered = null;
        u.listener().lost(SmtpException.noReply(Kind.TEMPORARY, SmtpStage.DATA_END, END_OF_DATA, server(),
                why + "; the message may or may not have been delivered", cause));
    }

    private SendResult transact(Envelope envelope, MessageContent content, DataEndListener listener,
                                TransactionListener ahead) throws SmtpException {
        requireGreeted(SmtpStage.MAIL);
        if (mailAccepted) {
            throw state(SmtpStage.MAIL, "a mail transaction is already open; finish it or rset() first");
        }
        MailOptions mo = envelope.mailOptions();
        long size = content.size();
        if (size >= 0 && capabilities.sizeLimit() > 0 && size > capabilities.sizeLimit()) {
            throw new SmtpException(Kind.PERMANENT, SmtpStage.MAIL, null, null, server(),
                    "message too large for " + server() + ": it is " + size + " octets, and the server's SIZE"
                            + " limit is " + capabilities.sizeLimit() + " octets; nothing was sent", null);
        }
        if (size >= 0 && capabilities.size() && mo.size() < 0) {
            mo = mo.withSize(size);
        }
        if (content.eightBit() && mo.body() == null) {
            if (capabilities.eightBitMime()) {
                mo = mo.withBody("8BITMIME");
            } else {
                transcript.error("message has 8-bit content and " + server() + " does not offer 8BITMIME");
            }
        }
        String nonAscii = Commands.firstNeedingUtf8(envelope);
        if (nonAscii != null && !capabilities.smtpUtf8()) {
            throw new SmtpException(Kind.INPUT, SmtpStage.MAIL, null, null, server(), "address " + nonAscii
                    + " is not ASCII, and " + server() + " does not offer SMTPUTF8 (RFC 6531) to carry it;"
                    + " nothing was sent", null);
        }
        if (nonAscii != null && !mo.smtpUtf8()) {
            mo = mo.withSmtpUtf8(true);
        }
        String mailLine = mailLine(envelope.from(), mo);
        List<String> rcptLines = new ArrayList<>();
        for (String to : envelope.recipients()) {
            rcptLines.add(rcptLineChecked(to, envelope.rcptOptions()));
        }
        if (rcptLines.isEmpty()) {
            throw state(SmtpStage.RCPT, "a message needs at least one recipient");
        }
        boolean pipelined = options.pipelining() && capabilities.pipelining();
        boolean bdat = options.chunking() && capabilities.chunking();
        Reply mailReply;
        List<SendResult.RecipientReply> replies = new ArrayList<>();
        Reply dataReply = null;
        if (pipelined) {
            if (unanswered == null) {
                Reply closing = unsolicited(SmtpStage.MAIL, mailLine);
                if (closing != null) {
                    return new SendResult(closing, List.of(), null, null);
                }
            }
            writingAhead = true;
            try {
                writeLine(SmtpStage.MAIL, mailLine, null, false);
                for (String l : rcptLines) {
                    writeLine(SmtpStage.RCPT, l, null, false);
                }
                if (!bdat) {
                    writeLine(SmtpStage.DATA, "DATA", null, false);
                }
                flush(SmtpStage.MAIL, mailLine);
            } catch (SmtpException e) {
                abandon("connection lost while the next message's commands were written", e);
                throw e;
            } finally {
                writingAhead = false;
            }
            if (unanswered != null) {
                // The previous message's dot went out in this flush; its reply comes first.
                readPending();
                if (!isOpen()) {
                    resetTransaction();
                    throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.MAIL, mailLine, server(),
                            "the connection closed after the previous message, before the reply to MAIL", null);
                }
            }
            mailReply = read(SmtpStage.MAIL, mailLine, POSITIVE);
            for (int i = 0; i < rcptLines.size(); i++) {
                if (!isOpen()) {
                    break;
                }
                replies.add(new SendResult.RecipientReply(envelope.recipients().get(i),
                        read(SmtpStage.RCPT, rcptLines.get(i), POSITIVE)));
            }
            if (!bdat && isOpen()) {
                dataReply = read(SmtpStage.DATA, "DATA", Reply::isPositiveIntermediate);
            }
        } else {
            mailReply = command(SmtpStage.MAIL, mailLine, POSITIVE);
            if (mailReply.isPositiveCompletion()) {
                for (int i = 0; i < rcptLines.size() && isOpen(); i++) {
                    replies.add(new SendResult.RecipientReply(envelope.recipients().get(i),
                            command(SmtpStage.RCPT, rcptLines.get(i), POSITIVE)));
                }
            }
            if (!isOpen()) {
                // A 421 to MAIL or to a RCPT closed the connection: the result carries it, no DATA.
                resetTransaction();
                return new SendResult(mailReply, replies, null, null);
            }
        }
        boolean anyAccepted = replies.stream().anyMatch(SendResult.RecipientReply::accepted);
        mailAccepted = mailReply.isPositiveCompletion();
        acceptedRecipients = (int) replies.stream().filter(SendResult.RecipientReply::accepted).count();
        if (!mailReply.isPositiveCompletion() || !anyAccepted) {
            if (dataReply != null && dataReply.isPositiveIntermediate()) {
                // RFC 2920 3.1: DATA was accepted though nothing else was; end it empty.
                writeLine(SmtpStage.DATA_END, ".", null, false);
                flush(SmtpStage.DATA_END, END_OF_DATA);
                read(SmtpStage.DATA_END, END_OF_DATA, x -> !x.isPositiveCompletion());
            }
            resetAfterFailure();
            return new SendResult(mailReply, replies, dataReply, null);
        }
        List<String> accepted = replies.stream().filter(SendResult.RecipientReply::accepted)
                .map(SendResult.RecipientReply::address).toList();
        DataEndGate gate = listener == null ? null : () -> listener.beforeDataEnd(accepted);
        if (bdat) {
            Reply end = bdatContent(content, 1 << 20, gate);
            return new SendResult(mailReply, replies, null, end);
        }
        if (!pipelined) {
            dataReply = command(SmtpStage.DATA, "DATA", Reply::isPositiveIntermediate);
        }
        if (dataReply == null || !dataReply.isPositiveIntermediate()) {
            resetAfterFailure();
            return new SendResult(mailReply, replies, dataReply, null);
        }
        if (ahead != null) {
            Reply early = writeContent(content, gate, false);
            if (early != null) {
                return new SendResult(mailReply, replies, dataReply, early);
            }
            unanswered = new Unanswered(mailReply, replies, dataReply, ahead);
            resetTransaction();
            return null;
        }
        Reply end = sendContent(content, gate);
        return new SendResult(mailReply, replies, dataReply, end);
    }

    private void resetAfterFailure() throws SmtpException {
        if (isOpen() && mailAccepted) {
            command(SmtpStage.RSET, "RSET", POSITIVE);
        }
        resetTransaction();
    }

    private Reply sendContent(MessageContent content, DataEndGate gate) throws SmtpException {
        Reply early = writeContent(content, gate, true);
        if (early != null) {
            return early;
        }
        try {
            return read(SmtpStage.DATA_END, END_OF_DATA, POSITIVE);
        } finally {
            resetTransaction();
        }
    }

    /**
     * Writes the message, dot-stuffed, and the terminator; flushes unless the next group shares the
     * flush. A server may refuse the message while it streams in (smtp-sink -A: 550 right after
     * 354, then it stops listening): a reply waiting before the terminator, or one found after a
     * failed write, is returned instead, without the terminator and with the connection closed.
     *
     * @return null when the terminator went out; else the server's early 4xx or 5xx reply
     */
    private Reply writeContent(MessageContent content, DataEndGate gate, boolean flush) throws SmtpException {
        boolean tap = transcript != TranscriptListener.NONE && options.dataLinesShown() > 0;
        DataTap dataTap = tap ? new DataTap(conn.output(), transcript, options.dataLinesShown(), conn.tls()) : null;
        OutputStream wire = tap ? dataTap : conn.output();
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(wire);
        try {
            content.writeTo(stuffed);
            Reply early = earlyReply(false);
            if (early != null) {
                return early;
            }
            passGate(gate);
            // The last data and the terminator go out in one flush (no delayed-ACK stall).
            stuffed.finish();
            if (flush) {
                conn.flush();
            }
        } catch (SmtpException e) {
            throw e;
        } catch (SmtpConnection.ConnectionLostException e) {
            Reply early = conn.writeTimedOut() ? null : earlyReply(true);
            if (early != null) {
                return early;
            }
            conn.close();
            throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.DATA, "DATA", server(),
                    e.getMessage() + "; the final dot was not sent, so the message was not delivered", e);
        } catch (IOException e) {
            abortContent(e);
        } catch (RuntimeException e) {
            // The content failed half-way (a vanished attachment): never send the terminator.
            conn.close();
            resetTransaction();
            throw e;
        }
        if (dataTap != null) {
            dataTap.summarize();
        }
        return null;
    }

    /**
     * A reply the server sent while the message was still going out (every earlier reply has been
     * read, so anything waiting answers the message itself). A 4xx or 5xx is the message's outcome:
     * the terminator is not sent and the connection is closed, since the server is still in its
     * DATA state (or has gone). Anything else is out of step: a protocol error, not delivered.
     *
     * @param afterFailedWrite true when a write already failed: only what is waiting is read
     * @return the early reply, or null when none is waiting
     */
    private Reply earlyReply(boolean afterFailedWrite) throws SmtpException {
        int waiting;
        try {
            waiting = conn.buffered();
        } catch (IOException e) {
            if (afterFailedWrite) {
                return null;
            }
            throw lost(SmtpStage.DATA, "DATA", e);
        }
        if (waiting == 0) {
            return null;
        }
        String what = "DATA (before the final dot)";
        Reply r;
        try {
            r = read(SmtpStage.RAW, what, x -> false);
        } catch (SmtpException e) {
            if (afterFailedWrite) {
                return null;
            }
            throw new SmtpException(e.kind(), SmtpStage.DATA, what, e.reply(), server(), e.getMessage()
                    + "\n    the final dot was not sent, so the message was not delivered", e);
        }
        conn.close();
        resetTransaction();
        if (!r.isTransientNegative() && !r.isPermanentNegative()) {
            throw new SmtpProtocolException(SmtpStage.DATA, what, server(), r, "this reply came while the message"
                    + " was still being sent, answering nothing; its replies are out of step with the commands"
                    + "\n    the final dot was not sent, so the message was not delivered");
        }
        transcript.info("The server replied before the end of the message; the final dot was not sent and the"
                + " connection is closed");
        return r;
    }

    /** Runs the data-end listener; if it fails, the final dot is never sent. */
    private void passGate(DataEndGate gate) throws SmtpException {
        if (gate == null) {
            return;
        }
        try {
            gate.pass();
        } catch (IOException | RuntimeException e) {
            // RFC 5321 3.8: closing without the terminator makes the server discard the message.
            conn.close();
            resetTransaction();
            throw new SmtpException(Kind.LOCAL_IO, SmtpStage.DATA, "DATA", null, server(),
                    "stopped before the final dot: " + e.getMessage()
                            + "\n    the connection was dropped before the final dot, so nothing was delivered", e);
        }
    }

    @FunctionalInterface
    private interface DataEndGate {
        void pass() throws IOException;
    }

    private void abortContent(IOException e) throws SmtpException {
        // Never send the terminator after a partial message: dropping the connection makes the
        // server discard what it has (RFC 5321 3.8 treats the loss as a failed transaction).
        conn.close();
        resetTransaction();
        throw new SmtpException(Kind.LOCAL_IO, SmtpStage.DATA, "DATA", null, server(),
                "message content could not be read: " + e.getMessage()
                        + "\n    the connection was dropped before the final dot, so nothing was delivered", e);
    }

    /** RSET: ends any transaction. */
    public Reply rset() throws SmtpException {
        requireConnected(SmtpStage.RSET);
        Reply r = command(SmtpStage.RSET, "RSET", POSITIVE);
        if (r.isPositiveCompletion()) {
            resetTransaction();
        }
        return r;
    }

    /** NOOP. */
    public Reply noop() throws SmtpException {
        requireConnected(SmtpStage.NOOP);
        return command(SmtpStage.NOOP, "NOOP", POSITIVE);
    }

    /** VRFY (250, 251 and 252 are all positive). */
    public Reply vrfy(String what) throws SmtpException {
        requireConnected(SmtpStage.VRFY);
        CommandWriter.checkArgument("VRFY argument", what, SmtpStage.VRFY);
        return command(SmtpStage.VRFY, "VRFY " + what, POSITIVE);
    }

    /**
     * QUIT, then close. Returns null when the connection was already closed. A server that drops
     * the connection instead of answering, or does not answer within the quit timeout, is not an
     * error: the session is over either way, and nothing waits for the server to close its side.
     */
    public Reply quit() throws SmtpException {
        if (conn == null || !conn.isOpen()) {
            return null;
        }
        try {
            return command(SmtpStage.QUIT, "QUIT", POSITIVE);
        } catch (SmtpException e) {
            if (e.kind() == Kind.TEMPORARY) {
                transcript.info(e.getCause() instanceof SocketTimeoutException
                        ? "No reply to QUIT within " + Timeouts.describe(options.timeouts().quit())
                        + "; the connection is closed anyway"
                        : "Connection closed before the reply to QUIT");
                return null;
            }
            throw e;
        } finally {
            close();
        }
    }

    /**
     * Any command, written as given (validated) and its reply read. The session's stage does not
     * change. An {@code AUTH} line with an argument, and every line that answers its challenges,
     * are masked in the transcript.
     */
    public Reply raw(String line) throws SmtpException {
        requireConnected(SmtpStage.RAW);
        boolean startsAuth = line.regionMatches(true, 0, "AUTH ", 0, 5);
        boolean secret = rawAuth || (startsAuth && line.trim().indexOf(' ', 5) > 0);
        String shown = secret ? (startsAuth ? line.substring(0, line.trim().indexOf(' ', 5)) + " ********"
                : "********") : line;
        if (secret) {
            rememberRaw(startsAuth ? line.trim().substring(line.trim().indexOf(' ', 5) + 1).trim() : line.trim());
        }
        writeLine(SmtpStage.RAW, line, secret ? shown : null, secret);
        flush(SmtpStage.RAW, shown);
        Reply r = read(SmtpStage.RAW, shown, x -> x.code() < 400);
        rawAuth = (startsAuth || rawAuth) && r.code() == 334;
        rawUserPrompt = rawAuth && SecretStrings.forms(decoded(r.text().trim())).stream()
                .anyMatch(t -> t.toLowerCase(Locale.ROOT).contains("user"));
        if ((startsAuth || secret) && r.code() == 235) {
            authenticated = true;
        }
        return r;
    }

    /**
     * Keeps a raw AUTH argument or answer as a secret: the base64 as written and, when it decodes,
     * the password in it (AUTH PLAIN's last field; a LOGIN answer unless it answers the user-name prompt).
     */
    private void rememberRaw(String base64) {
        List<String> forms = new ArrayList<>();
        forms.add(base64);
        byte[] plain = decoded(base64);
        if (plain != null && plain.length > 0) {
            String text = new String(plain, StandardCharsets.UTF_8);
            int nul = text.lastIndexOf('\0');
            if (nul >= 0) {
                forms.addAll(SecretStrings.forms(text.substring(nul + 1)));
            } else if (!rawUserPrompt) {
                forms.addAll(SecretStrings.forms(plain));
            }
        }
        remember(forms);
    }

    /** The bytes of a base64 text, or null when it is not base64. */
    private static byte[] decoded(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- state

    /** What the server offered in its last EHLO. */
    public Capabilities capabilities() {
        return capabilities;
    }

    /** True while the connection is open. */
    public boolean isOpen() {
        return conn != null && conn.isOpen();
    }

    /** True when the connection is encrypted. */
    public boolean isTls() {
        return conn != null && conn.tls();
    }

    /** True after an AUTH exchange ended with 235. */
    public boolean isAuthenticated() {
        return authenticated;
    }

    /**
     * The mechanism of the last AUTH exchange begun on this session, upper case and as sent (the
     * one {@code auto} chose), or null before any.
     */
    public String authMechanism() {
        return authMechanism;
    }

    /**
     * What the server offered in its last EHLO before TLS on this connection: with STARTTLS, the
     * offer any listener on the path could read; {@link Capabilities#NONE} when the connection was
     * encrypted from its first byte.
     */
    public Capabilities capabilitiesBeforeTls() {
        return plainCapabilities;
    }

    /** {@code text} with every secret this session has sent masked (for callers that print server text). */
    public String mask(String text) {
        return secrets.mask(text);
    }

    /** True after EHLO or HELO was accepted. */
    public boolean isGreeted() {
        return greeted;
    }

    /** True between an accepted MAIL and the end of its transaction. */
    public boolean inTransaction() {
        return mailAccepted;
    }

    /** Recipients accepted in the open transaction. */
    public int acceptedRecipients() {
        return acceptedRecipients;
    }

    /** {@code host:port}, or "(not connected)". */
    public String server() {
        return host == null ? "(not connected)" : host + ":" + port;
    }

    /** The options this session runs with. */
    public SessionOptions options() {
        return options;
    }

    /**
     * Replaces the reply classes the transcript treats as expected ({@code <-} rather than
     * {@code <**}) for the following commands; null restores each command's own.
     */
    public void expecting(Predicate<Reply> expected) {
        this.expectation = expected;
    }

    /** Tests only: treat a loopback peer as remote, so the cleartext-AUTH rule can be exercised. */
    void assumeRemote() {
        this.assumeRemote = true;
    }

    /** Closes the connection without QUIT. */
    @Override
    public void close() {
        if (conn != null) {
            conn.close();
            abandon("the connection was closed before the reply", null);
        }
    }

    // ---------------------------------------------------------------- internals

    private String mailLine(String from, MailOptions mo) throws SmtpException {
        requireGreeted(SmtpStage.MAIL);
        requireTlsIfRequired(SmtpStage.MAIL);
        if (mailAccepted) {
            throw state(SmtpStage.MAIL, "mail from: given twice; finish the transaction with data, or rset() first");
        }
        return Commands.mail(from, mo, capabilities, server());
    }

    private String rcptLine(String to, RcptOptions ro) throws SmtpException {
        if (!mailAccepted) {
            requireGreeted(SmtpStage.RCPT);
            throw state(SmtpStage.RCPT, "rcpt needs a mail from: first");
        }
        return rcptLineChecked(to, ro);
    }

    private String rcptLineChecked(String to, RcptOptions ro) throws SmtpException {
        return Commands.rcpt(to, ro, capabilities, server());
    }

    private Reply command(SmtpStage stage, String line, Predicate<Reply> expected) throws SmtpException {
        if (unanswered != null) {
            completePending();
        }
        requireConnected(stage);
        Reply closing = unsolicited(stage, line);
        if (closing != null) {
            return closing;
        }
        write(stage, line, null, false, false);
        flush(stage, line);
        return read(stage, line, expected);
    }

    private void writeLine(SmtpStage stage, String line, String shown, boolean secret) throws SmtpException {
        write(stage, line, shown, secret, !writingAhead);
    }

    /** Writes one command line; {@code checkInStep}: first make sure no unasked-for reply is waiting. */
    private void write(SmtpStage stage, String line, String shown, boolean secret, boolean checkInStep)
            throws SmtpException {
        if (unanswered != null && !writingAhead) {
            completePending();
        }
        requireConnected(stage);
        if (checkInStep) {
            Reply closing = unsolicited(stage, shown != null ? shown : line);
            if (closing != null) {
                throw SmtpException.unexpected(stage, shown != null ? shown : line, closing, server());
            }
        }
        byte[] bytes = CommandWriter.encode(line, capabilities.smtpUtf8(), stage);
        // Listeners get the real line and the secret flag; every printer masks unless --show-secrets.
        transcript.sent(line, secret, conn.tls());
        try {
            conn.write(bytes);
        } catch (IOException e) {
            throw lost(stage, shown != null ? shown : line, e);
        }
    }

    private void flush(SmtpStage stage, String command) throws SmtpException {
        try {
            conn.flush();
        } catch (IOException e) {
            throw lost(stage, command, e);
        }
    }

    private Reply read(SmtpStage stage, String command, Predicate<Reply> expected) throws SmtpException {
        Reply r;
        try {
            r = conn.read(options.timeouts().forStage(stage));
        } catch (SocketTimeoutException e) {
            conn.close();
            String why = "timed out after " + Timeouts.describe(options.timeouts().forStage(stage))
                    + (stage == SmtpStage.DATA_END ? "; the message may or may not have been delivered" : "");
            if (stage == SmtpStage.GREETING && !conn.tls()) {
                // A port that speaks TLS from the first byte (SMTPS) waits, silent, for our handshake.
                SmtpException plain = SmtpException.noReply(Kind.TEMPORARY, stage, command, server(), why, e);
                throw new SmtpException(Kind.TEMPORARY, stage, command, null, server(), plain.getMessage()
                        + "\n    if this port speaks TLS from the first byte (as port 465 does), " + USE_IMPLICIT, e,
                        SmtpException.Hint.NO_GREETING);
            }
            throw SmtpException.noReply(Kind.TEMPORARY, stage, command, server(), why, e);
        } catch (ReplyReader.TlsRecordException e) {
            conn.close();
            if (stage == SmtpStage.GREETING && !conn.tls()) {
                throw new SmtpException(Kind.TLS, stage, command, null, server(), (command == null
                        ? stage.label() + " " + server() : command) + " failed: the server speaks TLS, not plain SMTP"
                        + "\n    this port speaks TLS from the first byte: " + USE_IMPLICIT, e,
                        SmtpException.Hint.PORT_SPEAKS_TLS);
            }
            throw new SmtpProtocolException(stage, command, server(), e.getMessage());
        } catch (EOFException e) {
            conn.close();
            throw SmtpException.noReply(Kind.TEMPORARY, stage, command, server(),
                    "connection closed by the server"
                            + (stage == SmtpStage.DATA_END ? "; the message may or may not have been delivered" : ""), e);
        } catch (ReplyReader.MalformedReplyException e) {
            conn.close();
            throw new SmtpProtocolException(stage, command, server(), secrets.mask(e.getMessage())
                    + (stage == SmtpStage.DATA_END ? "; the message may or may not have been delivered" : ""));
        } catch (IOException e) {
            throw lost(stage, command, e);
        }
        boolean ok = expectation != null ? expectation.test(r) : expected.test(r);
        // Listeners get the lines as received and mask the session's secrets themselves (unless
        // --show-secrets); the caller, its errors and reports get the reply masked, always.
        transcript.received(r.lines(), ok, conn.tls());
        if (!secrets.isEmpty()) {
            r = new Reply(r.code(), r.enhanced(), secrets.mask(r.lines()));
        }
        if (r.isClosing()) {
            // RFC 5321 3.8: 421 means the server is closing the channel; nothing more can be said.
            conn.close();
            resetTransaction();
        }
        String misplaced = misplaced(stage, r);
        if (misplaced != null) {
            // The replies no longer line up with the commands: no later reply can be trusted.
            conn.close();
            resetTransaction();
            throw new SmtpProtocolException(stage, command, server(), r, misplaced
                    + (stage == SmtpStage.DATA_END ? "; the message may or may not have been delivered" : ""));
        }
        return r;
    }

    /**
     * RFC 5321 4.2: a client decides by the reply's first digit, and a 3yz where no more input can
     * follow breaks the protocol; so does a 2yz to DATA, which must say 354 (or another 3yz) before
     * the content. Either is also what replies out of step with the commands look like (RFC 2920).
     *
     * @return why {@code r} cannot answer {@code stage}, or null when it can
     */
    private static String misplaced(SmtpStage stage, Reply r) {
        switch (stage) {
            case GREETING, EHLO, HELO, MAIL, RCPT, RSET, NOOP, VRFY, QUIT, BDAT, DATA_END -> {
                if (r.isPositiveIntermediate()) {
                    return "a " + r.code() + " (intermediate) reply cannot answer " + stage.label()
                            + ", which takes no more input; its replies are out of step with the commands";
                }
                return null;
            }
            case DATA -> {
                if (r.isPositiveCompletion()) {
                    return "a " + r.code() + " reply to DATA, which must be answered 354 before the message;"
                            + " its replies are out of step with the commands";
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * Checks that no reply is waiting before a command is written: with nothing outstanding, a
     * waiting reply was never asked for, so the replies and commands are out of step (an extra
     * reply; RFC 2920: each reply answers the next command, in order) and any further reply would
     * be taken for the wrong command (Postfix smtp_chat.c: a QUIT reply read as the end-of-data
     * reply loses mail). A 421 is the exception (RFC 5321 3.8: it may come at any time): it is
     * read, the connection is closed, and it is returned.
     *
     * @return null when nothing was waiting; a 421 that was waiting
     * @throws SmtpProtocolException for any other waiting reply (the connection is closed)
     */
    private Reply unsolicited(SmtpStage stage, String command) throws SmtpException {
        int waiting;
        try {
            waiting = conn.buffered();
        } catch (IOException e) {
            throw lost(stage, command, e);
        }
        if (waiting == 0) {
            return null;
        }
        Reply r = read(stage, command, Reply::isClosing);
        if (r.isClosing()) {
            return r;
        }
        conn.close();
        resetTransaction();
        throw new SmtpProtocolException(stage, command, server(), r, "this reply came before "
                + (command == null ? stage.label() : command) + " was sent, answering nothing; its replies are"
                + " out of step with the commands, so the connection was dropped and is not used again");
    }

    private SmtpException lost(SmtpStage stage, String command, IOException e) {
        conn.close();
        String why = e instanceof SmtpConnection.ConnectionLostException ? e.getMessage()
                : "connection lost: " + e.getMessage();
        return SmtpException.noReply(Kind.TEMPORARY, stage, command, server(), why, e);
    }

    private void requireConnected(SmtpStage stage) throws SmtpException {
        if (conn == null) {
            throw state(stage, stage.label().toLowerCase(Locale.ROOT) + " needs a connection: connect first");
        }
        if (!conn.isOpen()) {
            throw SmtpException.noReply(Kind.TEMPORARY, stage, null, server(), "the connection is closed", null);
        }
    }

    private void requireGreeted(SmtpStage stage) throws SmtpException {
        requireConnected(stage);
        if (!greeted) {
            throw state(stage, stage.label().toLowerCase(Locale.ROOT) + " needs ehlo (or helo) first");
        }
    }

    private void requireRecipients(SmtpStage stage) throws SmtpException {
        requireGreeted(stage);
        if (!mailAccepted) {
            throw state(stage, stage.label().toLowerCase(Locale.ROOT) + " needs a mail from: first");
        }
        if (acceptedRecipients == 0) {
            throw state(stage, stage.label().toLowerCase(Locale.ROOT) + " needs an accepted recipient first");
        }
    }

    private void requireTlsIfRequired(SmtpStage stage) throws SmtpException {
        if (options.tls().mode().required() && !conn.tls()) {
            throw new SmtpException(Kind.TLS, stage, null, null, server(), "TLS is required (tls '"
                    + options.tls().mode().word() + "'), but the connection to " + server()
                    + " is not encrypted; nothing was sent\n    call starttls() after ehlo, or let ehlo do it", null);
        }
    }

    private SmtpException state(SmtpStage stage, String message) {
        return new SmtpException(Kind.STATE, stage, null, null, server(), message, null);
    }

    private void resetTransaction() {
        mailAccepted = false;
        acceptedRecipients = 0;
    }

    private void resetSessionState() {
        capabilities = Capabilities.NONE;
        plainCapabilities = Capabilities.NONE;
        authMechanism = null;
        greeted = false;
        esmtp = false;
        authenticated = false;
        rawAuth = false;
        resetTransaction();
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Collects normalised content into chunks and sends each as BDAT, reading its reply. */
    private final class ChunkWriter extends OutputStream {
        private final byte[] buf;
        private int len;
        private Reply lastReply;

        ChunkWriter(int size) {
            this.buf = new byte[size];
        }

        @Override
        public void write(int b) throws IOException {
            if (len == buf.length) {
                chunk(false);
            }
            buf[len++] = (byte) b;
        }

        void last() throws IOException {
            chunk(true);
        }

        private void chunk(boolean last) throws IOException {
            String line = "BDAT " + len + (last ? " LAST" : "");
            writeLine(SmtpStage.BDAT, line, null, false);
            conn.write(java.util.Arrays.copyOf(buf, len));
            transcript.dataSummary(0, len, 0, conn.tls());
            SmtpSession.this.flush(SmtpStage.BDAT, line);
            len = 0;
            Reply r = read(last ? SmtpStage.DATA_END : SmtpStage.BDAT, line, POSITIVE);
            lastReply = r;
            if (!r.isPositiveCompletion()) {
                throw new ChunkRefused(r);
            }
        }
    }

    private static final class ChunkRefused extends IOException {
        private final transient Reply reply;

        ChunkRefused(Reply reply) {
            super("BDAT refused");
            this.reply = reply;
        }
    }
}
