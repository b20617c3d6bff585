package dev.postilion.smtp;

import java.io.Closeable;
import java.net.SocketTimeoutException;
import java.util.function.Predicate;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.smtp.StartTls.Upgrade;
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
 *
 * <p>This class is the façade; the layers below it do the work. {@link Dialer} opens the socket,
 * {@link SmtpCodec} writes one line and reads one reply, {@link Commands} builds each line,
 * {@link StartTls} holds the TLS policy, {@link AuthDialogue} runs AUTH, {@link Pipeline} runs a
 * transaction, and {@link DataWriter} and {@link BdatWriter} stream the message.
 *
 * <p>The lifecycle of a session:
 * <ol>
 *   <li>new: no connection; every verb but {@code connect}/{@code open} is refused ({@code STATE}).
 *   <li>{@code connect}: resolve, try each address in turn ({@link Dialer}); with implicit TLS,
 *       the handshake; then the greeting (220; a 554 greeting is returned, not thrown).
 *   <li>{@code ehlo}/{@code helo}: the capabilities are kept, the session is greeted and any
 *       transaction ends. {@code greet} falls back to HELO when EHLO is refused with a 5xx.
 *   <li>{@code starttls} (or {@code secure}, as the TLS mode asks): on 220, the handshake, then
 *       everything learnt before it is forgotten and EHLO is said again (RFC 3207 4.2).
 *   <li>{@code auth}: only once, outside a transaction, and over cleartext only when allowed or
 *       to loopback; with a required TLS mode, only after TLS.
 *   <li>a transaction: {@code mail}, {@code rcpt}…, {@code data} or {@code bdat}; or
 *       {@code send}/{@code sendAhead}, the whole of it at once (pipelined when offered). An
 *       accepted MAIL opens it; the reply after the final dot, {@code rset} or a new EHLO ends it.
 *   <li>{@code quit} (or {@code close}): the connection ends; a reply still pending after a
 *       written-ahead dot is read first, or reported lost.
 * </ol>
 * A 421 at any stage closes the connection and ends the transaction; a reply out of step with the
 * commands closes it as a protocol error.
 */
public final class SmtpSession implements Closeable {

    private static final Predicate<Reply> POSITIVE = Reply::isPositiveCompletion;

    private final SessionOptions options;
    private final TranscriptListener transcript;
    private final SessionState state = new SessionState();
    /** Every secret this session sent, in the forms a server could quote back: masked in every reply. */
    private final SecretStrings secrets = new SecretStrings();
    private final AuthDialogue authDialogue;
    private final StartTls startTls;
    private SmtpCodec codec;
    private Pipeline pipeline;

    /** A session that will connect with these options and report to {@code transcript}. */
    public SmtpSession(SessionOptions options, TranscriptListener transcript) {
        this.options = options;
        this.transcript = transcript == null ? TranscriptListener.NONE : transcript;
        this.authDialogue = new AuthDialogue(secrets, this.transcript, state);
        this.startTls = new StartTls(options, this.transcript, state);
    }

    // ---------------------------------------------------------------- connection

    /**
     * Opens the connection (with TLS at once in implicit mode) and reads the greeting.
     *
     * @return the greeting (220 expected; a 554 greeting is returned, not thrown)
     */
    public Reply connect(String host, int port) throws SmtpException {
        if (isOpen()) {
            throw state.state(SmtpStage.CONNECT, "already connected to " + server() + "; quit first");
        }
        if (pipeline != null) {
            pipeline.abandon("the connection was closed before the reply", null);
        }
        state.host = host;
        state.port = port;
        state.resetSession();
        SmtpConnection conn = Dialer.dial(host, port, options, transcript);
        codec = new SmtpCodec(conn, options, transcript, secrets, state);
        pipeline = new Pipeline(codec, state, options, transcript);
        transcript.connected(host);
        if (options.tls().mode() == TlsMode.IMPLICIT) {
            startTls.handshake(codec, true);
        }
        return codec.read(SmtpStage.GREETING, null, r -> r.code() == 220);
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
            throw SmtpException.unexpected(state.esmtp ? SmtpStage.EHLO : SmtpStage.HELO,
                    (state.esmtp ? "EHLO " : "HELO ") + heloName, hello, server());
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
        state.requireConnected(stage, codec);
        Reply r = codec.command(stage, Commands.hello(stage, name), POSITIVE);
        if (r.isPositiveCompletion()) {
            state.esmtp = stage == SmtpStage.EHLO;
            state.capabilities = state.esmtp ? Capabilities.parse(r) : Capabilities.NONE;
            if (!codec.tls()) {
                state.plainCapabilities = state.capabilities;
            }
            state.greeted = true;
            state.heloName = name;
            state.resetTransaction();
        }
        return r;
    }

    /** EHLO, falling back to HELO when the server refuses EHLO with a 5xx (RFC 5321 3.2). */
    public Reply greet(String name) throws SmtpException {
        Reply r = ehlo(name);
        if (r.isPermanentNegative() && isOpen()) {
            transcript.ehloFallback();
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

    private Upgrade upgrade() throws SmtpException {
        state.requireGreeted(SmtpStage.STARTTLS, codec);
        return startTls.upgrade(codec, this::hello);
    }

    /**
     * Applies the TLS mode after EHLO: {@code starttls} upgrades or fails closed,
     * {@code starttls-if-offered} upgrades when offered and otherwise says it goes on in plain text.
     *
     * @return the EHLO reply after TLS, or null when nothing changed
     */
    public Reply secure() throws SmtpException {
        if (!startTls.wanted(codec)) {
            return null;
        }
        if (!state.capabilities.startTls()) {
            startTls.notOffered();
            return null;
        }
        Upgrade u = upgrade();
        if (u.starttls().code() != 220) {
            startTls.refused(u.starttls(), isOpen());
            return null;
        }
        return u.hello();
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
        state.requireGreeted(SmtpStage.AUTH, codec);
        state.requireTlsIfRequired(SmtpStage.AUTH, options.tls().mode(), codec);
        return authDialogue.run(codec, options, mechanism, credentials);
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
            throw SmtpException.unexpected(SmtpStage.AUTH, "AUTH " + state.authMechanism, r, server());
        }
        return r;
    }

    // ---------------------------------------------------------------- transaction

    /** MAIL FROM; an empty {@code from} sends the null reverse path {@code <>}. */
    public Reply mail(String from, MailOptions mailOptions) throws SmtpException {
        return transaction(SmtpStage.MAIL).mail(from, mailOptions == null ? MailOptions.NONE : mailOptions);
    }

    /** RCPT TO. */
    public Reply rcpt(String to, RcptOptions rcptOptions) throws SmtpException {
        return transaction(SmtpStage.RCPT).rcpt(to, rcptOptions == null ? RcptOptions.NONE : rcptOptions);
    }

    /**
     * DATA: on 354 (any 3yz: RFC 5321 4.2 decides by the first digit) the content goes out
     * (dot-stuffed, CRLF line endings, one terminator) and the reply after the final dot is
     * returned. Any other reply to DATA is returned as it is.
     */
    public Reply data(MessageContent content) throws SmtpException {
        return transaction(SmtpStage.DATA).data(content);
    }

    /**
     * BDAT (RFC 3030 CHUNKING): the content goes out in chunks of at most {@code chunkSize} octets
     * with CRLF line endings and no dot-stuffing; the reply to the LAST chunk is returned (or the
     * first refusal).
     */
    public Reply bdat(MessageContent content, int chunkSize) throws SmtpException {
        return transaction(SmtpStage.BDAT).bdat(content, chunkSize);
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
        return transaction(SmtpStage.MAIL).transact(envelope, content, listener, null);
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
        boolean ahead = transaction(SmtpStage.MAIL).canWriteAhead();
        if (!ahead) {
            completePending();
        }
        SendResult r = pipeline.transact(envelope, content, listener, ahead ? done : null);
        if (r != null) {
            done.ended(r);
        }
    }

    /** The transaction engine of the connection; before any, {@code stage}'s refusal. */
    private Pipeline transaction(SmtpStage stage) throws SmtpException {
        if (pipeline == null) {
            state.requireConnected(stage, codec);
        }
        return pipeline;
    }

    /** True while a message's final dot has gone out (or is buffered) and its reply is not read yet. */
    public boolean hasPending() {
        return pipeline != null && pipeline.hasPending();
    }

    /**
     * Sends anything buffered and reads the reply to a pending final dot, handing it to that
     * message's {@link TransactionListener}. Does nothing when nothing is pending. Never throws:
     * a failure here is the pending message's outcome ({@link TransactionListener#lost}).
     */
    public void completePending() {
        if (pipeline != null) {
            pipeline.completePending();
        }
    }

    /** RSET: ends any transaction. */
    public Reply rset() throws SmtpException {
        state.requireConnected(SmtpStage.RSET, codec);
        Reply r = codec.command(SmtpStage.RSET, Commands.RSET, POSITIVE);
        if (r.isPositiveCompletion()) {
            state.resetTransaction();
        }
        return r;
    }

    /** NOOP. */
    public Reply noop() throws SmtpException {
        state.requireConnected(SmtpStage.NOOP, codec);
        return codec.command(SmtpStage.NOOP, Commands.NOOP, POSITIVE);
    }

    /** VRFY (250, 251 and 252 are all positive). */
    public Reply vrfy(String what) throws SmtpException {
        state.requireConnected(SmtpStage.VRFY, codec);
        return codec.command(SmtpStage.VRFY, Commands.vrfy(what), POSITIVE);
    }

    /**
     * QUIT, then close. Returns null when the connection was already closed. A server that drops
     * the connection instead of answering, or does not answer within the quit timeout, is not an
     * error: the session is over either way, and nothing waits for the server to close its side.
     */
    public Reply quit() throws SmtpException {
        if (!isOpen()) {
            return null;
        }
        try {
            return codec.command(SmtpStage.QUIT, Commands.QUIT, POSITIVE);
        } catch (SmtpException e) {
            if (e.kind() == Kind.TEMPORARY) {
                transcript.quitUnanswered(e.getCause() instanceof SocketTimeoutException
                        ? Timeouts.describe(options.timeouts().quit()) : null);
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
        state.requireConnected(SmtpStage.RAW, codec);
        return authDialogue.raw(codec, line);
    }

    // ---------------------------------------------------------------- state

    /** What the server offered in its last EHLO. */
    public Capabilities capabilities() {
        return state.capabilities;
    }

    /** True while the connection is open. */
    public boolean isOpen() {
        return codec != null && codec.isOpen();
    }

    /** True when the connection is encrypted. */
    public boolean isTls() {
        return codec != null && codec.tls();
    }

    /** True after an AUTH exchange ended with 235. */
    public boolean isAuthenticated() {
        return state.authenticated;
    }

    /** The mechanism of the last AUTH begun, upper case and as sent ({@code auto} resolved), or null. */
    public String authMechanism() {
        return state.authMechanism;
    }

    /** What the last EHLO before TLS offered (what the path could read); NONE under implicit TLS. */
    public Capabilities capabilitiesBeforeTls() {
        return state.plainCapabilities;
    }

    /** {@code text} with every secret this session has sent masked (for callers that print server text). */
    public String mask(String text) {
        return secrets.mask(text);
    }

    /** True after EHLO or HELO was accepted. */
    public boolean isGreeted() {
        return state.greeted;
    }

    /** True between an accepted MAIL and the end of its transaction. */
    public boolean inTransaction() {
        return state.mailAccepted;
    }

    /** Recipients accepted in the open transaction. */
    public int acceptedRecipients() {
        return state.acceptedRecipients;
    }

    /** {@code host:port}, or "(not connected)". */
    public String server() {
        return state.server();
    }

    /** The options this session runs with. */
    public SessionOptions options() {
        return options;
    }

    /** The reply classes the transcript shows as expected from now on; null: each command's own. */
    public void expecting(Predicate<Reply> expected) {
        state.expectation = expected;
    }

    /** Tests only: treat a loopback peer as remote, so the cleartext-AUTH rule can be exercised. */
    void assumeRemote() {
        state.assumeRemote = true;
    }

    /** Closes the connection without QUIT. */
    @Override
    public void close() {
        if (codec != null) {
            codec.close();
            pipeline.abandon("the connection was closed before the reply", null);
        }
    }
}
