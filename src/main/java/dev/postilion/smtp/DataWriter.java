package dev.postilion.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Predicate;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.transcript.TranscriptListener;

/**
 * Streams a message after DATA's 354: dot-stuffed, CRLF line endings, one terminator. It stops
 * before the final dot when the data-end gate fails, when the content fails half-way, or when the
 * server refuses the message while it streams in; the connection is then dropped, so the server
 * discards what it has (RFC 5321 3.8).
 */
final class DataWriter {

    /** How errors name the step after the final dot; the batch journal reads this prefix. */
    static final String END_OF_DATA = Commands.DATA_END;
    private static final Predicate<Reply> POSITIVE = Reply::isPositiveCompletion;

    /** The caller's last word before the final dot; if it throws, the dot is never sent. */
    @FunctionalInterface
    interface Gate {
        void pass() throws IOException;
    }

    private final SmtpCodec codec;
    private final SessionState state;
    private final SessionOptions options;
    private final TranscriptListener transcript;

    DataWriter(SmtpCodec codec, SessionState state, SessionOptions options, TranscriptListener transcript) {
        this.codec = codec;
        this.state = state;
        this.options = options;
        this.transcript = transcript;
    }

    /** Writes the message and the terminator, and reads the reply after the final dot (or returns the early one). */
    Reply send(MessageContent content, Gate gate) throws SmtpException {
        Reply early = write(content, gate, true);
        if (early != null) {
            return early;
        }
        try {
            return codec.read(SmtpStage.DATA_END, END_OF_DATA, POSITIVE);
        } finally {
            state.resetTransaction();
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
    Reply write(MessageContent content, Gate gate, boolean flush) throws SmtpException {
        boolean tap = transcript != TranscriptListener.NONE && options.dataLinesShown() > 0;
        DataTap dataTap = tap ? new DataTap(codec.output(), transcript, options.dataLinesShown(), codec.tls()) : null;
        OutputStream wire = tap ? dataTap : codec.output();
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(wire);
        try {
            content.writeTo(stuffed);
            Reply early = earlyReply(false);
            if (early != null) {
                return early;
            }
            pass(gate);
            // The last data and the terminator go out in one flush (no delayed-ACK stall).
            stuffed.finish();
            if (flush) {
                codec.conn().flush();
            }
        } catch (SmtpException e) {
            throw e;
        } catch (SmtpConnection.ConnectionLostException e) {
            Reply early = codec.conn().writeTimedOut() ? null : earlyReply(true);
            if (early != null) {
                return early;
            }
            codec.close();
            throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.DATA, "DATA", state.server(),
                    e.getMessage() + "; the final dot was not sent, so the message was not delivered", e);
        } catch (IOException | RuntimeException e) {
            throw halfWay(codec, state, e);
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
            waiting = codec.conn().buffered();
        } catch (IOException e) {
            if (afterFailedWrite) {
                return null;
            }
            throw codec.lost(SmtpStage.DATA, "DATA", e);
        }
        if (waiting == 0) {
            return null;
        }
        String what = "DATA (before the final dot)";
        Reply r;
        try {
            r = codec.read(SmtpStage.RAW, what, x -> false);
        } catch (SmtpException e) {
            if (afterFailedWrite) {
                return null;
            }
            throw new SmtpException(e.kind(), SmtpStage.DATA, what, e.reply(), state.server(), e.getMessage()
                    + "\n    the final dot was not sent, so the message was not delivered", e);
        }
        codec.close();
        state.resetTransaction();
        if (!r.isTransientNegative() && !r.isPermanentNegative()) {
            throw new SmtpProtocolException(SmtpStage.DATA, what, state.server(), r, "this reply came while the"
                    + " message was still being sent, answering nothing; its replies are out of step with the"
                    + " commands\n    the final dot was not sent, so the message was not delivered");
        }
        transcript.earlyReply();
        return r;
    }

    /** Runs the data-end gate; if it fails, the final dot is never sent. */
    static void pass(Gate gate, SmtpCodec codec, SessionState state) throws SmtpException {
        if (gate == null) {
            return;
        }
        try {
            gate.pass();
        } catch (IOException | RuntimeException e) {
            // RFC 5321 3.8: closing without the terminator makes the server discard the message.
            codec.close();
            state.resetTransaction();
            throw SmtpException.localIo(SmtpStage.DATA, "DATA", state.server(),
                    "stopped before the final dot: " + e.getMessage()
                            + "\n    the connection was dropped before the final dot, so nothing was delivered", e);
        }
    }

    private void pass(Gate gate) throws SmtpException {
        pass(gate, codec, state);
    }

    /**
     * The content failed half-way (unreadable, or a vanished attachment): close, reset, rethrow.
     * The terminator is never sent after a partial message: dropping the connection makes the
     * server discard what it has (RFC 5321 3.8 treats the loss as a failed transaction). An
     * {@link IOException} becomes a {@link Kind#LOCAL_IO} failure; a runtime failure is rethrown as it is.
     *
     * @return never returns normally; typed so callers can write {@code throw halfWay(...)}
     */
    static SmtpException halfWay(SmtpCodec codec, SessionState state, Exception e) {
        codec.close();
        state.resetTransaction();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        return SmtpException.localIo(SmtpStage.DATA, "DATA", state.server(),
                "message content could not be read: " + e.getMessage()
                        + "\n    the connection was dropped before the final dot, so nothing was delivered", e);
    }
}
