package dev.postilion.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.function.Predicate;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.transcript.SecretStrings;
import dev.postilion.transcript.TranscriptListener;

/**
 * Writes one validated command line and reads one bounded reply within the stage's timeout, over
 * one connection: I/O failures become {@link SmtpException}s, and replies out of step with the
 * commands (misplaced, unsolicited, lost) are caught here (the {@code Http1ExchangeCodec} role).
 */
final class SmtpCodec {

    private final SmtpConnection conn;
    private final SessionOptions options;
    private final TranscriptListener transcript;
    private final SecretStrings secrets;
    private final SessionState state;
    /** Reads a pending final dot's reply before anything else is said; set by the pipeline. */
    private Runnable settle = () -> { };
    /** True while a pipelined group goes out ahead of the unanswered dot's reply. */
    private boolean writingAhead;

    SmtpCodec(SmtpConnection conn, SessionOptions options, TranscriptListener transcript, SecretStrings secrets,
              SessionState state) {
        this.conn = conn;
        this.options = options;
        this.transcript = transcript;
        this.secrets = secrets;
        this.state = state;
    }

    /** Runs {@code settle} before every command that is not part of a group written ahead. */
    void settleWith(Runnable settle) {
        this.settle = settle;
    }

    /** Marks the lines written from now until {@code false} as one group written ahead of a pending reply. */
    void writingAhead(boolean on) {
        this.writingAhead = on;
    }

    SmtpConnection conn() {
        return conn;
    }

    boolean tls() {
        return conn.tls();
    }

    boolean isOpen() {
        return conn.isOpen();
    }

    void close() {
        conn.close();
    }

    OutputStream output() {
        return conn.output();
    }

    private String server() {
        return state.server();
    }

    /** A closed connection is a temporary failure at {@code stage}: nothing can be sent on it. */
    void requireOpen(SmtpStage stage) throws SmtpException {
        if (!conn.isOpen()) {
            throw SmtpException.noReply(Kind.TEMPORARY, stage, null, server(), "the connection is closed", null);
        }
    }

    /**
     * Writes one command, flushes and reads its reply. A 421 that was already waiting is returned
     * instead, without writing (RFC 5321 3.8: it may come at any time).
     */
    Reply command(SmtpStage stage, String line, Predicate<Reply> expected) throws SmtpException {
        settle.run();
        requireOpen(stage);
        Reply closing = unsolicited(stage, line);
        if (closing != null) {
            return closing;
        }
        write(stage, line, null, false, false);
        flush(stage, line);
        return read(stage, line, expected);
    }

    /**
     * Writes one line without flushing; outside a group written ahead, first makes sure no
     * unasked-for reply is waiting.
     *
     * @param shown what errors name the line as (a masked form), or null for the line itself
     * @param secret true when the line carries a credential (printers mask it)
     */
    void writeLine(SmtpStage stage, String line, String shown, boolean secret) throws SmtpException {
        write(stage, line, shown, secret, !writingAhead);
    }

    private void write(SmtpStage stage, String line, String shown, boolean secret, boolean checkInStep)
            throws SmtpException {
        if (!writingAhead) {
            settle.run();
        }
        requireOpen(stage);
        if (checkInStep) {
            Reply closing = unsolicited(stage, shown != null ? shown : line);
            if (closing != null) {
                throw SmtpException.unexpected(stage, shown != null ? shown : line, closing, server());
            }
        }
        byte[] bytes = CommandWriter.encode(line, state.capabilities.smtpUtf8(), stage);
        // Listeners get the real line and the secret flag; every printer masks unless --show-secrets.
        transcript.sent(line, secret, conn.tls());
        try {
            conn.write(bytes);
        } catch (IOException e) {
            throw lost(stage, shown != null ? shown : line, e);
        }
    }

    /** Writes raw octets (a BDAT chunk) without any transcript line. */
    void writeBytes(SmtpStage stage, String command, byte[] bytes) throws SmtpException {
        try {
            conn.write(bytes);
        } catch (IOException e) {
            throw lost(stage, command, e);
        }
    }

    void flush(SmtpStage stage, String command) throws SmtpException {
        try {
            conn.flush();
        } catch (IOException e) {
            throw lost(stage, command, e);
        }
    }

    /**
     * Reads one complete reply within {@code stage}'s timeout, reports it, masks the session's
     * secrets in it, and closes the connection on a 421 or on a reply that cannot answer the stage.
     *
     * @param expected the replies the transcript shows as expected (unless the session's expectation is set)
     */
    Reply read(SmtpStage stage, String command, Predicate<Reply> expected) throws SmtpException {
        Reply r;
        try {
            r = conn.read(options.timeouts().forStage(stage));
        } catch (SocketTimeoutException e) {
            conn.close();
            String why = "timed out after " + Timeouts.describe(options.timeouts().forStage(stage)) + inDoubt(stage);
            if (stage == SmtpStage.GREETING && !conn.tls()) {
                // A port that speaks TLS from the first byte (SMTPS) waits, silent, for our handshake.
                SmtpException plain = SmtpException.noReply(Kind.TEMPORARY, stage, command, server(), why, e);
                throw new SmtpException(Kind.TEMPORARY, stage, command, null, server(), plain.getMessage()
                        + "\n    this port may speak TLS from the first byte (as port 465 does)", e,
                        SmtpException.Hint.NO_GREETING);
            }
            throw SmtpException.noReply(Kind.TEMPORARY, stage, command, server(), why, e);
        } catch (ReplyReader.TlsRecordException e) {
            conn.close();
            if (stage == SmtpStage.GREETING && !conn.tls()) {
                throw new SmtpException(Kind.TLS, stage, command, null, server(), (command == null
                        ? stage.label() + " " + server() : command) + " failed: the server speaks TLS, not plain SMTP"
                        + "\n    this port speaks TLS from the first byte", e,
                        SmtpException.Hint.PORT_SPEAKS_TLS);
            }
            throw new SmtpProtocolException(stage, command, server(), e.getMessage());
        } catch (EOFException e) {
            conn.close();
            throw SmtpException.noReply(Kind.TEMPORARY, stage, command, server(),
                    "connection closed by the server" + inDoubt(stage), e);
        } catch (ReplyReader.MalformedReplyException e) {
            conn.close();
            throw new SmtpProtocolException(stage, command, server(), secrets.mask(e.getMessage()) + inDoubt(stage));
        } catch (IOException e) {
            throw lost(stage, command, e);
        }
        boolean ok = state.expectation != null ? state.expectation.test(r) : expected.test(r);
        // Listeners get the lines as received and mask the session's secrets themselves (unless
        // --show-secrets); the caller, its errors and reports get the reply masked, always.
        transcript.received(r.lines(), ok, conn.tls());
        if (!secrets.isEmpty()) {
            r = new Reply(r.code(), r.enhanced(), secrets.mask(r.lines()));
        }
        if (r.isClosing()) {
            // RFC 5321 3.8: 421 means the server is closing the channel; nothing more can be said.
            conn.close();
            state.resetTransaction();
        }
        String misplaced = misplaced(stage, r);
        if (misplaced != null) {
            // The replies no longer line up with the commands: no later reply can be trusted.
            conn.close();
            state.resetTransaction();
            throw new SmtpProtocolException(stage, command, server(), r, misplaced + inDoubt(stage));
        }
        return r;
    }

    private static String inDoubt(SmtpStage stage) {
        return stage == SmtpStage.DATA_END ? "; the message may or may not have been delivered" : "";
    }

    /** How many octets the server has sent that no read has taken yet. */
    int buffered(SmtpStage stage, String command) throws SmtpException {
        try {
            return conn.buffered();
        } catch (IOException e) {
            throw lost(stage, command, e);
        }
    }

    /**
     * RFC 5321 4.2: a client decides by the reply's first digit, and a 3yz where no more input can
     * follow breaks the protocol; so does a 2yz to DATA, which must say 354 (or another 3yz) before
     * the content. Either is also what replies out of step with the commands look like (RFC 2920).
     *
     * @return why {@code r} cannot answer {@code stage}, or null when it can
     */
    static String misplaced(SmtpStage stage, Reply r) {
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
    Reply unsolicited(SmtpStage stage, String command) throws SmtpException {
        if (buffered(stage, command) == 0) {
            return null;
        }
        Reply r = read(stage, command, Reply::isClosing);
        if (r.isClosing()) {
            return r;
        }
        conn.close();
        state.resetTransaction();
        throw new SmtpProtocolException(stage, command, server(), r, "this reply came before "
                + (command == null ? stage.label() : command) + " was sent, answering nothing; its replies are"
                + " out of step with the commands, so the connection was dropped and is not used again");
    }

    /** The connection failed under {@code command}: it is closed, and the failure is temporary. */
    SmtpException lost(SmtpStage stage, String command, IOException e) {
        conn.close();
        String why = e instanceof SmtpConnection.ConnectionLostException ? e.getMessage()
                : "connection lost: " + e.getMessage();
        return SmtpException.noReply(Kind.TEMPORARY, stage, command, server(), why, e);
    }
}
