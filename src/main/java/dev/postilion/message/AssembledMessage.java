package dev.postilion.message;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** A MIME message built by {@link MimeAssembler}: saved once, then written as often as asked. */
final class AssembledMessage implements OutgoingMessage {

    private final MimeMessage message;
    private final String envelopeFrom;
    private final List<String> recipients;
    private final Optional<String> smtpUtf8Reason;
    private OctetCounter.Facts facts;

    AssembledMessage(MimeMessage message, String envelopeFrom, List<String> recipients,
            Optional<String> smtpUtf8Reason) {
        this.message = message;
        this.envelopeFrom = envelopeFrom;
        this.recipients = List.copyOf(recipients);
        this.smtpUtf8Reason = smtpUtf8Reason;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        // Angus writes much of a part byte by byte: buffer so each byte is not a call on `out`
        WriteBuffer buffered = new WriteBuffer(out, 8 * 1024);
        try {
            message.writeTo(new HeaderLineStream(buffered));
        } catch (MessagingException e) {
            throw new MessageException(MessageException.Kind.BAD_DATA,
                    "the message could not be written: " + e.getMessage(), e);
        }
        buffered.flush();
    }

    @Override
    public long size() {
        return facts().size();
    }

    @Override
    public boolean is8bit() {
        return facts().eightBit();
    }

    /** The longest line in octets, without its CRLF (at most 998 by construction). */
    int longestLine() {
        return facts().longestLine();
    }

    private synchronized OctetCounter.Facts facts() {
        if (facts == null) {
            OctetCounter counter = new OctetCounter(false);
            try {
                writeTo(counter);
            } catch (IOException e) {
                throw new UncheckedIOException("a counter does not fail", e);
            }
            facts = counter.facts();
        }
        return facts;
    }

    @Override
    public boolean needsSmtpUtf8() {
        return smtpUtf8Reason.isPresent();
    }

    @Override
    public Optional<String> smtpUtf8Reason() {
        return smtpUtf8Reason;
    }

    @Override
    public Optional<String> envelopeFrom() {
        return Optional.of(envelopeFrom);
    }

    @Override
    public List<String> envelopeRecipients() {
        return recipients;
    }
}
