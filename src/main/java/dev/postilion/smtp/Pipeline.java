package dev.postilion.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.transcript.TranscriptListener;

/**
 * The transaction engine: MAIL, every RCPT, DATA and the message, one command at a time or, when
 * the server offers PIPELINING (RFC 2920), in one flush with the replies read in order; and, for
 * a stream of messages, the next group written ahead of the previous final dot's reply.
 */
final class Pipeline {

    private static final Predicate<Reply> POSITIVE = Reply::isPositiveCompletion;
    private static final String END_OF_DATA = DataWriter.END_OF_DATA;

    /** A transaction whose final dot is written (maybe not yet flushed) and whose reply is unread. */
    private record Unanswered(Reply mail, List<SendResult.RecipientReply> recipients, Reply data,
                              TransactionListener listener) {
    }

    /** The replies to MAIL, every RCPT and (when pipelined) DATA, as read so far. */
    private record Envelopes(Reply mail, List<SendResult.RecipientReply> recipients, Reply data) {
    }

    private final SmtpCodec codec;
    private final SessionState state;
    private final SessionOptions options;
    private final TranscriptListener transcript;
    private final DataWriter dataWriter;
    private final BdatWriter bdatWriter;
    private Unanswered unanswered;

    Pipeline(SmtpCodec codec, SessionState state, SessionOptions options, TranscriptListener transcript) {
        this.codec = codec;
        this.state = state;
        this.options = options;
        this.transcript = transcript;
        this.dataWriter = new DataWriter(codec, state, options, transcript);
        this.bdatWriter = new BdatWriter(codec, state, transcript);
        codec.settleWith(this::completePending);
    }

    /** MAIL FROM, alone: on 250 the transaction is open. */
    Reply mail(String from, MailOptions mo) throws SmtpException {
        state.requireGreeted(SmtpStage.MAIL, codec);
        state.requireTlsIfRequired(SmtpStage.MAIL, options.tls().mode(), codec);
        if (state.mailAccepted) {
            throw SmtpException.state(SmtpStage.MAIL, state.server(), "mail from: given twice",
                    SmtpException.Hint.TRANSACTION_OPEN);
        }
        Reply r = codec.command(SmtpStage.MAIL, Commands.mail(from, mo, state.capabilities, state.server()),
                POSITIVE);
        if (r.isPositiveCompletion()) {
            state.mailAccepted = true;
            state.acceptedRecipients = 0;
        }
        return r;
    }

    /** RCPT TO, alone, in an open transaction. */
    Reply rcpt(String to, RcptOptions ro) throws SmtpException {
        if (!state.mailAccepted) {
            state.requireGreeted(SmtpStage.RCPT, codec);
            throw state.state(SmtpStage.RCPT, "rcpt needs a mail from: first");
        }
        Reply r = codec.command(SmtpStage.RCPT, Commands.rcpt(to, ro, state.capabilities, state.server()), POSITIVE);
        if (r.isPositiveCompletion()) {
            state.acceptedRecipients++;
        }
        return r;
    }

    /** DATA, alone: on 354 (any 3yz) the message and the reply after the final dot; else DATA's reply. */
    Reply data(MessageContent content) throws SmtpException {
        state.requireRecipients(SmtpStage.DATA, codec);
        Reply r = codec.command(SmtpStage.DATA, Commands.DATA, Reply::isPositiveIntermediate);
        if (!r.isPositiveIntermediate()) {
            return r;
        }
        return dataWriter.send(content, null);
    }

    /** BDAT, alone: the message in chunks; the reply to the LAST chunk, or the first refusal. */
    Reply bdat(MessageContent content, int chunkSize) throws SmtpException {
        state.requireRecipients(SmtpStage.BDAT, codec);
        if (!state.capabilities.chunking()) {
            throw state.state(SmtpStage.BDAT, "the server did not offer CHUNKING, so BDAT cannot be used");
        }
        return bdatWriter.send(content, chunkSize, null);
    }

    /** True when the next message may go out ahead of this one's final reply (PIPELINING, no BDAT). */
    boolean canWriteAhead() {
        return options.pipelining() && state.capabilities.pipelining()
                && !(options.chunking() && state.capabilities.chunking());
    }

    /** True while a message's final dot has gone out (or is buffered) and its reply is not read yet. */
    boolean hasPending() {
        return unanswered != null;
    }

    /**
     * Sends anything buffered and reads the reply to a pending final dot, handing it to that
     * message's {@link TransactionListener}. Never throws: a failure here is the pending
     * message's outcome ({@link TransactionListener#lost}).
     */
    void completePending() {
        if (unanswered == null) {
            return;
        }
        try {
            codec.conn().flush();
        } catch (java.io.IOException e) {
            codec.close();
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
            end = codec.read(SmtpStage.DATA_END, END_OF_DATA, POSITIVE);
        } catch (SmtpException e) {
            u.listener().lost(e);
            return;
        }
        u.listener().ended(new SendResult(u.mail(), u.recipients(), u.data(), end));
    }

    /** The connection failed with a final dot unanswered: that message is in doubt. */
    void abandon(String why, Throwable cause) {
        Unanswered u = unanswered;
        if (u == null) {
            return;
        }
        unanswered = null;
        u.listener().lost(SmtpException.noReply(Kind.TEMPORARY, SmtpStage.DATA_END, END_OF_DATA, state.server(),
                why + "; the message may or may not have been delivered", cause));
    }

    /**
     * One whole transaction. With {@code ahead}, the final dot's reply is left unread (the result is
     * null) and goes to {@code ahead} when the next command reads it.
     */
    SendResult transact(Envelope envelope, MessageContent content, DataEndListener listener,
                        TransactionListener ahead) throws SmtpException {
        state.requireGreeted(SmtpStage.MAIL, codec);
        if (state.mailAccepted) {
            throw SmtpException.state(SmtpStage.MAIL, state.server(), "a mail transaction is already open",
                    SmtpException.Hint.TRANSACTION_OPEN);
        }
        String mailLine = Commands.mail(envelope.from(), mailOptions(envelope, content), state.capabilities,
                state.server());
        List<String> rcptLines = new ArrayList<>();
        for (String to : envelope.recipients()) {
            rcptLines.add(Commands.rcpt(to, envelope.rcptOptions(), state.capabilities, state.server()));
        }
        if (rcptLines.isEmpty()) {
            throw state.state(SmtpStage.RCPT, "a message needs at least one recipient");
        }
        boolean pipelined = options.pipelining() && state.capabilities.pipelining();
        boolean bdat = options.chunking() && state.capabilities.chunking();
        Envelopes replies;
        if (pipelined) {
            if (unanswered == null) {
                Reply closing = codec.unsolicited(SmtpStage.MAIL, mailLine);
                if (closing != null) {
                    return new SendResult(closing, List.of(), null, null);
                }
            }
            replies = pipelined(envelope, mailLine, rcptLines, bdat);
        } else {
            replies = oneByOne(envelope, mailLine, rcptLines);
            if (!codec.isOpen()) {
                // A 421 to MAIL or to a RCPT closed the connection: the result carries it, no DATA.
                state.resetTransaction();
                return new SendResult(replies.mail(), replies.recipients(), null, null);
            }
        }
        Reply mailReply = replies.mail();
        List<SendResult.RecipientReply> rcpts = replies.recipients();
        Reply dataReply = replies.data();
        boolean anyAccepted = rcpts.stream().anyMatch(SendResult.RecipientReply::accepted);
        state.mailAccepted = mailReply.isPositiveCompletion();
        state.acceptedRecipients = (int) rcpts.stream().filter(SendResult.RecipientReply::accepted).count();
        if (!mailReply.isPositiveCompletion() || !anyAccepted) {
            if (dataReply != null && dataReply.isPositiveIntermediate()) {
                // RFC 2920 3.1: DATA was accepted though nothing else was; end it empty.
                codec.writeLine(SmtpStage.DATA_END, Commands.DATA_END, null, false);
                codec.flush(SmtpStage.DATA_END, END_OF_DATA);
                codec.read(SmtpStage.DATA_END, END_OF_DATA, x -> !x.isPositiveCompletion());
            }
            resetAfterFailure();
            return new SendResult(mailReply, rcpts, dataReply, null);
        }
        List<String> accepted = rcpts.stream().filter(SendResult.RecipientReply::accepted)
                .map(SendResult.RecipientReply::address).toList();
        DataWriter.Gate gate = listener == null ? null : () -> listener.beforeDataEnd(accepted);
        if (bdat) {
            Reply end = bdatWriter.send(content, 1 << 20, gate);
            return new SendResult(mailReply, rcpts, null, end);
        }
        if (!pipelined) {
            dataReply = codec.command(SmtpStage.DATA, Commands.DATA, Reply::isPositiveIntermediate);
        }
        if (dataReply == null || !dataReply.isPositiveIntermediate()) {
            resetAfterFailure();
            return new SendResult(mailReply, rcpts, dataReply, null);
        }
        if (ahead != null) {
            Reply early = dataWriter.write(content, gate, false);
            if (early != null) {
                return new SendResult(mailReply, rcpts, dataReply, early);
            }
            unanswered = new Unanswered(mailReply, rcpts, dataReply, ahead);
            state.resetTransaction();
            return null;
        }
        Reply end = dataWriter.send(content, gate);
        return new SendResult(mailReply, rcpts, dataReply, end);
    }

    /**
     * MAIL's parameters from the message and the addresses: SIZE, BODY=8BITMIME and SMTPUTF8 when
     * the server offers them. Too large for the server's SIZE limit, or a non-ASCII address it
     * cannot carry, is refused before anything is sent; so is plain text when TLS is required.
     */
    private MailOptions mailOptions(Envelope envelope, MessageContent content) throws SmtpException {
        Capabilities capabilities = state.capabilities;
        MailOptions mo = envelope.mailOptions();
        long size = content.size();
        if (size >= 0 && capabilities.sizeLimit() > 0 && size > capabilities.sizeLimit()) {
            throw SmtpException.failure(Kind.PERMANENT, SmtpStage.MAIL, state.server(),
                    "message too large for " + state.server() + ": it is " + size + " octets, and the server's SIZE"
                            + " limit is " + capabilities.sizeLimit() + " octets; nothing was sent", null);
        }
        if (size >= 0 && capabilities.size() && mo.size() < 0) {
            mo = mo.withSize(size);
        }
        if (content.eightBit() && mo.body() == null) {
            if (capabilities.eightBitMime()) {
                mo = mo.withBody("8BITMIME");
            } else {
                transcript.eightBitUnannounced(state.server());
            }
        }
        String nonAscii = Commands.firstNeedingUtf8(envelope);
        if (nonAscii != null && !capabilities.smtpUtf8()) {
            throw SmtpException.input(SmtpStage.MAIL, state.server(), "address " + nonAscii
                    + " is not ASCII, and " + state.server() + " does not offer SMTPUTF8 (RFC 6531) to carry it;"
                    + " nothing was sent");
        }
        if (nonAscii != null && !mo.smtpUtf8()) {
            mo = mo.withSmtpUtf8(true);
        }
        state.requireTlsIfRequired(SmtpStage.MAIL, options.tls().mode(), codec);
        return mo;
    }

    /** RFC 2920: MAIL, every RCPT and DATA in one flush (with a pending dot ahead of them), then the replies in order. */
    private Envelopes pipelined(Envelope envelope, String mailLine, List<String> rcptLines, boolean bdat)
            throws SmtpException {
        codec.writingAhead(true);
        try {
            codec.writeLine(SmtpStage.MAIL, mailLine, null, false);
            for (String l : rcptLines) {
                codec.writeLine(SmtpStage.RCPT, l, null, false);
            }
            if (!bdat) {
                codec.writeLine(SmtpStage.DATA, Commands.DATA, null, false);
            }
            codec.flush(SmtpStage.MAIL, mailLine);
        } catch (SmtpException e) {
            abandon("connection lost while the next message's commands were written", e);
            throw e;
        } finally {
            codec.writingAhead(false);
        }
        if (unanswered != null) {
            // The previous message's dot went out in this flush; its reply comes first.
            readPending();
            if (!codec.isOpen()) {
                state.resetTransaction();
                throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.MAIL, mailLine, state.server(),
                        "the connection closed after the previous message, before the reply to MAIL", null);
            }
        }
        Reply mailReply = codec.read(SmtpStage.MAIL, mailLine, POSITIVE);
        List<SendResult.RecipientReply> replies = new ArrayList<>();
        for (int i = 0; i < rcptLines.size(); i++) {
            if (!codec.isOpen()) {
                break;
            }
            replies.add(new SendResult.RecipientReply(envelope.recipients().get(i),
                    codec.read(SmtpStage.RCPT, rcptLines.get(i), POSITIVE)));
        }
        Reply dataReply = null;
        if (!bdat && codec.isOpen()) {
            dataReply = codec.read(SmtpStage.DATA, Commands.DATA, Reply::isPositiveIntermediate);
        }
        return new Envelopes(mailReply, replies, dataReply);
    }

    /** Without pipelining: each command waits for its reply; no RCPT after a refused MAIL. */
    private Envelopes oneByOne(Envelope envelope, String mailLine, List<String> rcptLines) throws SmtpException {
        Reply mailReply = codec.command(SmtpStage.MAIL, mailLine, POSITIVE);
        List<SendResult.RecipientReply> replies = new ArrayList<>();
        if (mailReply.isPositiveCompletion()) {
            for (int i = 0; i < rcptLines.size() && codec.isOpen(); i++) {
                replies.add(new SendResult.RecipientReply(envelope.recipients().get(i),
                        codec.command(SmtpStage.RCPT, rcptLines.get(i), POSITIVE)));
            }
        }
        return new Envelopes(mailReply, replies, null);
    }

    private void resetAfterFailure() throws SmtpException {
        if (codec.isOpen() && state.mailAccepted) {
            codec.command(SmtpStage.RSET, Commands.RSET, POSITIVE);
        }
        state.resetTransaction();
    }
}
