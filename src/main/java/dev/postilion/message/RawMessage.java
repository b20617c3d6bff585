package dev.postilion.message;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A message sent as written: text, bytes, or an {@code .eml} file streamed from disk. Line
 * endings are left alone here (the engine's DATA stream turns bare CR and LF into CRLF), and
 * {@link #size()} counts them as the CRLF that will be sent. {@link #withMissingHeaders} adds
 * Date and Message-ID at the top when the header block has none.
 */
public final class RawMessage implements OutgoingMessage {

    /** How much of the start is read to find the header block. */
    private static final int HEAD_LIMIT = 1024 * 1024;

    private final byte[] bytes;
    private final Path file;
    private final byte[] prefix;
    private final String envelopeFrom;
    private final List<String> recipients;
    private Head head;
    private OctetCounter.Facts facts;

    private RawMessage(byte[] bytes, Path file, byte[] prefix, String envelopeFrom, List<String> recipients) {
        this.bytes = bytes;
        this.file = file;
        this.prefix = prefix;
        this.envelopeFrom = envelopeFrom;
        this.recipients = List.copyOf(recipients);
    }

    /** A raw message from text, encoded as UTF-8. */
    public static RawMessage of(String text) {
        if (text == null) {
            throw new MessageException("raw: no message given (null)");
        }
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A raw message from bytes (copied). */
    public static RawMessage of(byte[] message) {
        if (message == null) {
            throw new MessageException("raw: no message given (null)");
        }
        return new RawMessage(message.clone(), null, new byte[0], null, List.of());
    }

    /**
     * A raw message read from a file each time it is written, never held in memory.
     *
     * @throws MessageException missing input (66) when there is no such file
     */
    public static RawMessage ofFile(Path file) {
        String label = "raw " + FieldRules.shown(String.valueOf(file));
        if (file == null || !Files.isRegularFile(file)) {
            throw new MessageException(MessageException.Kind.MISSING_INPUT, label + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new MessageException(MessageException.Kind.LOCAL_IO, label + ": not readable");
        }
        return new RawMessage(null, file, new byte[0], null, List.of());
    }

    /**
     * The same message with an envelope: the reverse path (or null for none) and the
     * recipients. Each address is checked like any other (no CR, LF or NUL).
     */
    public RawMessage withEnvelope(String from, List<String> recipients) {
        String checkedFrom = from == null ? null : Mailbox.parse("envelope from", from).address();
        List<String> checked = new ArrayList<>();
        for (String r : recipients) {
            checked.add(Mailbox.parse("envelope recipient", r).address());
        }
        RawMessage m = new RawMessage(bytes, file, prefix, checkedFrom, checked);
        m.head = head;
        return m;
    }

    /**
     * The same message with Date and Message-ID added at the top when its header block has
     * none. The Message-ID's domain is the From header's, else the envelope sender's.
     */
    public RawMessage withMissingHeaders(Clock clock) {
        Head h = head();
        StringBuilder added = new StringBuilder();
        if (!h.hasDate()) {
            added.append("Date: ").append(Stamps.date(clock)).append("\r\n");
        }
        if (!h.hasMessageId()) {
            String domain = h.fromDomain() != null ? h.fromDomain()
                    : envelopeFrom != null ? envelopeFrom.substring(envelopeFrom.lastIndexOf('@') + 1)
                    : null;
            added.append("Message-ID: ").append(Stamps.messageId(clock, domain)).append("\r\n");
        }
        if (added.length() > 0 && !h.hasHeaderBlock()) {
            // RFC 5322 2.1: the body is separated from the header fields by an empty line
            added.append("\r\n");
        }
        byte[] more = added.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[prefix.length + more.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(more, 0, all, prefix.length, more.length);
        RawMessage m = new RawMessage(bytes, file, all, envelopeFrom, recipients);
        m.head = new Head(true, true, h.fromDomain(), h.nonAscii(), true);
        return m;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        out.write(prefix);
        try (InputStream in = open()) {
            in.transferTo(out);
        }
        out.flush();
    }

    private InputStream open() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        String label = "raw " + FieldRules.shown(String.valueOf(file));
        return new FileSource(file, "message/rfc822", String.valueOf(file.getFileName()), label).getInputStream();
    }

    @Override
    public synchronized long size() {
        if (facts == null) {
            OctetCounter counter = new OctetCounter(true);
            try {
                writeTo(counter);
            } catch (IOException e) {
                throw new UncheckedIOException("a counter does not fail", e);
            }
            facts = counter.facts();
        }
        return facts.size();
    }

    @Override
    public boolean is8bit() {
        size();
        return facts.eightBit();
    }

    @Override
    public boolean needsSmtpUtf8() {
        return smtpUtf8Reason().isPresent();
    }

    @Override
    public Optional<String> smtpUtf8Reason() {
        if (envelopeFrom != null && !FieldRules.isAscii(envelopeFrom)) {
            return Optional.of("envelope from address " + FieldRules.shown(envelopeFrom) + " is not ASCII");
        }
        for (String r : recipients) {
            if (!FieldRules.isAscii(r)) {
                return Optional.of("envelope recipient " + FieldRules.shown(r) + " is not ASCII");
            }
        }
        if (head().nonAscii()) {
            // RFC 6532: UTF-8 in header fields may only be sent with SMTPUTF8
            return Optional.of("the raw message has non-ASCII in its header block");
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> envelopeFrom() {
        return Optional.ofNullable(envelopeFrom);
    }

    @Override
    public List<String> envelopeRecipients() {
        return recipients;
    }

    // ---- the header block ------------------------------------------------------------------

    /** What the header block says, found by reading only the start of the message. */
    private record Head(boolean hasDate, boolean hasMessageId, String fromDomain, boolean nonAscii,
            boolean hasHeaderBlock) {
    }

    private synchronized Head head() {
        if (head == null) {
            try (InputStream in = open()) {
                head = readHead(in);
            } catch (IOException e) {
                throw new MessageException(MessageException.Kind.LOCAL_IO, "raw message: cannot be read: " + e, e);
            }
        }
        return head;
    }

    private static Head readHead(InputStream in) throws IOException {
        InputStream buffered = in instanceof ByteArrayInputStream ? in : new BufferedInputStream(in);
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean nonAscii = false;
        boolean blankLineSeen = false;
        int total = 0;
        int b;
        while (total < HEAD_LIMIT && (b = buffered.read()) != -1) {
            total++;
            if (b == '\n') {
                if (line.size() == 0) {
                    blankLineSeen = true;
                    break;
                }
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
                continue;
            }
            if (b == '\r') {
                continue;
            }
            if (b >= 0x80) {
                nonAscii = true;
            }
            line.write(b);
        }
        if (line.size() > 0) {
            lines.add(line.toString(StandardCharsets.UTF_8));
        }
        // unfold (RFC 5322 2.2.3) and stop at the first line that is not a header field
        List<String> fields = new ArrayList<>();
        for (String l : lines) {
            if (!l.isEmpty() && (l.charAt(0) == ' ' || l.charAt(0) == '\t') && !fields.isEmpty()) {
                int last = fields.size() - 1;
                fields.set(last, fields.get(last) + l);
            } else if (fieldName(l) != null) {
                fields.add(l);
            } else {
                break;
            }
        }
        boolean hasHeaderBlock = !fields.isEmpty() || (lines.isEmpty() && blankLineSeen);
        if (fields.isEmpty()) {
            nonAscii = false;
        }
        boolean hasDate = false;
        boolean hasMessageId = false;
        String fromDomain = null;
        for (String f : fields) {
            String name = fieldName(f).toLowerCase(Locale.ROOT);
            String value = f.substring(f.indexOf(':') + 1).trim();
            switch (name) {
                case "date" -> hasDate = true;
                case "message-id" -> hasMessageId = true;
                case "from" -> fromDomain = domainOf(value);
                default -> {
                    // other fields are sent as they are
                }
            }
        }
        return new Head(hasDate, hasMessageId, fromDomain, nonAscii, hasHeaderBlock);
    }

    /** The field name when the line starts a header field (RFC 5322 3.6.8), else null. */
    private static String fieldName(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        // obsolete syntax (RFC 5322 4.5) allows white space before the colon
        String name = line.substring(0, colon).stripTrailing();
        if (name.isEmpty()) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126) {
                return null;
            }
        }
        return name;
    }

    private static String domainOf(String fromValue) {
        try {
            InternetAddress[] all = InternetAddress.parseHeader(fromValue, false);
            if (all.length > 0 && all[0].getAddress() != null) {
                String a = all[0].getAddress();
                int at = a.lastIndexOf('@');
                return at >= 0 && at < a.length() - 1 ? a.substring(at + 1).replace(">", "") : null;
            }
        } catch (AddressException e) {
            // no usable From: fall back to the envelope
        }
        return null;
    }
}
