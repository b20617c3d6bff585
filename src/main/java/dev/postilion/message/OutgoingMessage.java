package dev.postilion.message;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

import dev.postilion.smtp.Envelope;
import dev.postilion.smtp.MailOptions;
import dev.postilion.smtp.MessageContent;
import dev.postilion.smtp.RcptOptions;

/**
 * A message ready for DATA: its bytes, and the facts the transport needs before it sends
 * anything (RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, the envelope).
 *
 * <p>The bytes are written as often as asked and are the same every time, so {@link #size()}
 * (which counts them by writing to a counter, never by buffering) matches what is sent.
 * Files are read from disk while writing: a 200 MB attachment never needs a 200 MB heap.
 * Dot-stuffing is the engine's job, not this one's.
 */
public interface OutgoingMessage extends MessageContent {

    /**
     * Writes the message. An {@link IOException} comes only from {@code out}; a file that
     * cannot be read while writing is a {@link MessageException} (66 or 74), so the caller
     * can tell a dropped connection from a vanished attachment. After a MessageException
     * the output is incomplete: the engine must not end DATA with the final dot.
     */
    @Override
    void writeTo(OutputStream out) throws IOException;

    /**
     * The message size in octets with CRLF line endings, as RFC 1870 SIZE counts it. For a
     * built MIME message this is exactly the number of bytes {@link #writeTo} writes; for a
     * raw message it counts each bare CR or LF as the CRLF the engine will send. Computed
     * once (by streaming, reading files from disk) and remembered.
     *
     * @throws MessageException when a file cannot be read
     */
    @Override
    long size();

    /** True when any octet of the message is 8-bit (ask for BODY=8BITMIME, RFC 6152). */
    boolean is8bit();

    /**
     * True when an address (envelope or header) or a header has non-ASCII that must be sent
     * raw, so MAIL needs SMTPUTF8 (RFC 6531).
     */
    boolean needsSmtpUtf8();

    /** Why SMTPUTF8 is needed, naming the first non-ASCII address or header; empty when it is not. */
    Optional<String> smtpUtf8Reason();

    /** The reverse path for MAIL FROM: the From address, or empty when the spec had none. */
    Optional<String> envelopeFrom();

    /** The forward paths for RCPT TO: to, cc and bcc, duplicates removed, order kept. */
    List<String> envelopeRecipients();

    /** For the engine: 8-bit content asks for BODY=8BITMIME. */
    @Override
    default boolean eightBit() {
        return is8bit();
    }

    /** The SMTP envelope for these recipients, with SMTPUTF8 when the message needs it. */
    default Envelope envelope(List<String> recipients) {
        return new Envelope(envelopeFrom().orElse(""), recipients, MailOptions.NONE.withSmtpUtf8(needsSmtpUtf8()),
                RcptOptions.NONE);
    }

    /** The SMTP envelope: {@link #envelopeFrom()} to {@link #envelopeRecipients()}. */
    default Envelope envelope() {
        return envelope(envelopeRecipients());
    }
}
