package dev.postilion.message;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParameterList;

import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Turns a {@link MessageSpec} into an {@link OutgoingMessage} with Jakarta Mail (Eclipse
 * Angus). The MIME structure is the standard one:
 * {@code mixed(related(alternative(text, html), inline...), attachment...)}, each level only
 * when needed. Subjects, display names and custom headers with non-ASCII are RFC 2047-encoded;
 * bodies are UTF-8, sent as 7bit only when every line is short ASCII, otherwise
 * quoted-printable (or base64 when mostly non-ASCII), so no line over 998 octets goes out
 * raw. Date and Message-ID are added when absent; Bcc is never written.
 */
public final class MimeAssembler {

    private static final String UTF_8 = StandardCharsets.UTF_8.name();
    /** The property Jakarta Mail's FactoryFinder reads before it falls back to a ServiceLoader scan. */
    static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    static {
        // jakarta.mail-api 2.1 looks its StreamProvider up on every MimeUtility.encode, scanning
        // the class path each time (jakartaee/mail-api#861): a fifth of a bulk send's CPU. Naming
        // Angus' provider makes the lookup a plain class load. A value set by the user is kept.
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final String[] PRIORITY_NAMES = {"", "Highest", "High", "Normal", "Low", "Lowest"};

    private final Clock clock;

    /** An assembler on the system clock. */
    public MimeAssembler() {
        this(Clock.systemDefaultZone());
    }

    /** An assembler whose Date and Message-ID come from the given clock (for tests). */
    public MimeAssembler(Clock clock) {
        this.clock = clock;
    }

    /**
     * Builds the message. Boundaries, Date and Message-ID are fixed here, once, so every
     * later write is byte-for-byte the same; boundaries follow from the Message-ID, so a rebuild
     * with the same Message-ID and Date is the same too.
     *
     * @throws MessageException naming the field when the spec cannot make a message
     */
    public OutgoingMessage assemble(MessageSpec spec) {
        List<String> recipients = envelopeRecipients(spec);
        if (spec.isRaw()) {
            return assembleRaw(spec, recipients);
        }
        Mailbox from = spec.getFrom().orElseThrow(() -> new MessageException(
                "from: missing: a message needs a From address (RFC 5322 3.6.2)"));
        if (!spec.getInlines().isEmpty() && spec.getHtml().isEmpty()) {
            throw new MessageException("inline " + FieldRules.shown(String.valueOf(spec.getInlines().get(0).path()))
                    + ": an inline image needs an html body that shows it with cid:");
        }
        String messageId = spec.getMessageId().orElseGet(() -> Stamps.messageId(clock, from.domain()));
        StampedMessage message = new StampedMessage(SESSION, messageId);
        try {
            message.setHeader("Date", Stamps.date(spec.getDate().orElseGet(() -> ZonedDateTime.now(clock))));
            message.setHeader("From", addressHeader("From", List.of(from)));
            if (!spec.getReplyTo().isEmpty()) {
                message.setHeader("Reply-To", addressHeader("Reply-To", spec.getReplyTo()));
            }
            if (!spec.getTo().isEmpty()) {
                message.setHeader("To", addressHeader("To", spec.getTo()));
            } else if (spec.getCc().isEmpty() && !spec.getBcc().isEmpty()) {
                // RFC 5322 3.6.3: with only blind recipients, an empty group keeps the To field
                message.setHeader("To", "undisclosed-recipients:;");
            }
            if (!spec.getCc().isEmpty()) {
                message.setHeader("Cc", addressHeader("Cc", spec.getCc()));
            }
            // RFC 5321 7.2 and 5322 3.6.3: Bcc recipients are envelope only; no Bcc header at all
            if (spec.getSubject().isPresent()) {
                message.setSubject(spec.getSubject().get(), UTF_8);
            }
            if (spec.getPriority().isPresent()) {
                int p = spec.getPriority().get();
                message.setHeader("X-Priority", p + " (" + PRIORITY_NAMES[p] + ")");
                message.setHeader("Importance", p < 3 ? "high" : p == 3 ? "normal" : "low");
            }
            for (Header h : spec.getHeaders()) {
                message.addHeader(h.name(), encodedHeaderValue(h));
            }
            setBody(message, spec, messageId);
            message.saveChanges();
            checkHeaderLines(message, "");
        } catch (MessagingException e) {
            throw new MessageException(MessageException.Kind.BAD_DATA,
                    "the message could not be built: " + e.getMessage(), e);
        }
        return new AssembledMessage(message, from.address(), recipients, smtpUtf8Reason(spec));
    }

    private OutgoingMessage assembleRaw(MessageSpec spec, List<String> recipients) {
        List<String> mimeWords = spec.mimeOnlyWordsSet();
        if (!mimeWords.isEmpty()) {
            throw new MessageException("raw message: " + String.join(", ", mimeWords)
                    + " cannot be combined with a raw message, which is sent as written");
        }
        RawMessage raw = spec.getRaw().isPresent()
                ? RawMessage.of(spec.getRaw().get())
                : RawMessage.ofFile(spec.getRawFile().orElseThrow());
        raw = raw.withEnvelope(spec.getFrom().map(Mailbox::address).orElse(null), recipients);
        if (spec.isAddMissingHeaders()) {
            raw = raw.withMissingHeaders(clock);
        }
        return raw;
    }

    /** to + cc + bcc, each address once (domains compared without case), first order kept. */
    static List<String> envelopeRecipients(MessageSpec spec) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (List<Mailbox> list : List.of(spec.getTo(), spec.getCc(), spec.getBcc())) {
            for (Mailbox m : list) {
                seen.putIfAbsent(m.dedupKey(), m.address());
            }
        }
        return List.copyOf(seen.values());
    }

    private static Optional<String> smtpUtf8Reason(MessageSpec spec) {
        Map<String, List<Mailbox>> fields = new LinkedHashMap<>();
        fields.put("from", spec.getFrom().map(List::of).orElse(List.of()));
        fields.put("to", spec.getTo());
        fields.put("cc", spec.getCc());
        fields.put("bcc", spec.getBcc());
        fields.put("replyTo", spec.getReplyTo());
        for (Map.Entry<String, List<Mailbox>> e : fields.entrySet()) {
            for (Mailbox m : e.getValue()) {
                if (!m.isAscii()) {
                    return Optional.of(e.getKey() + " address " + FieldRules.shown(m.address()) + " is not ASCII");
                }
            }
        }
        return Optional.empty();
    }

    private static String addressHeader(String name, List<Mailbox> mailboxes) {
        InternetAddress[] addresses = new InternetAddress[mailboxes.size()];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = mailboxes.get(i).toInternetAddress();
        }
        // folds between addresses; display names are RFC 2047 encoded words (ASCII)
        return InternetAddress.toString(addresses, name.length() + 2);
    }

    private static String encodedHeaderValue(Header h) throws MessagingException {
        String value = h.value();
        if (!FieldRules.isAscii(value)) {
            try {
                // RFC 2047 5(1): an unstructured value as encoded words
                value = MimeUtility.encodeText(value, UTF_8, null);
            } catch (UnsupportedEncodingException e) {
                throw new MessagingException("UTF-8 is always supported", e);
            }
        }
        return MimeUtility.fold(h.name().length() + 2, value);
    }

    // ---- body structure --------------------------------------------------------------------

    /** A text leaf: a body, and its subtype (plain or html). */
    private record TextBody(String text, String subtype) {
    }

    /**
     * Builds the body. Every multipart boundary is derived from the Message-ID (RFC 2046 5.1.1 asks
     * only that it not occur in the parts), so the same spec with the same Message-ID and Date
     * gives the same bytes in another run: a message resent after a lost reply is byte-identical
     * (MIM-09), and a receiver can tell it is the same message.
     */
    private static void setBody(MimeMessage message, MessageSpec spec, String messageId) throws MessagingException {
        Optional<String> text = spec.getText();
        Optional<String> html = spec.getHtml();
        Object body = null;
        if (text.isPresent() && html.isPresent()) {
            MimeMultipart alternative = new StampedMultipart("alternative", messageId, null);
            // RFC 2046 5.1.4: the plainest part first, the preferred last
            alternative.addBodyPart(part(new TextBody(text.get(), "plain")));
            alternative.addBodyPart(part(new TextBody(html.get(), "html")));
            body = alternative;
        } else if (text.isPresent()) {
            body = new TextBody(text.get(), "plain");
        } else if (html.isPresent()) {
            body = new TextBody(html.get(), "html");
        }
        if (!spec.getInlines().isEmpty()) {
            String rootType = body instanceof MimeMultipart ? "multipart/alternative" : "text/html";
            MimeMultipart related = new StampedMultipart("related", messageId, rootType);
            related.addBodyPart(part(body));
            for (InlineImage image : spec.getInlines()) {
                related.addBodyPart(inlinePart(image));
            }
            body = related;
        }
        if (!spec.getAttachments().isEmpty()) {
            MimeMultipart mixed = new StampedMultipart("mixed", messageId, null);
            if (body != null) {
                mixed.addBodyPart(part(body));
            }
            for (Attachment a : spec.getAttachments()) {
                mixed.addBodyPart(attachmentPart(a));
            }
            body = mixed;
        }
        if (body == null) {
            body = new TextBody("", "plain");
        }
        if (body instanceof MimeMultipart multipart) {
            message.setContent(multipart);
        } else {
            fill(message, (TextBody) body);
        }
    }

    private static MimeBodyPart part(Object body) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        if (body instanceof MimeMultipart multipart) {
            part.setContent(multipart);
        } else {
            fill(part, (TextBody) body);
        }
        return part;
    }

    private static void fill(MimePart part, TextBody body) throws MessagingException {
        String crlf = crlf(body.text());
        part.setText(crlf, UTF_8, body.subtype());
        // set after setText, which clears the content headers
        part.setHeader("Content-Transfer-Encoding", transferEncoding(crlf));
    }

    /** The text with every line ending (CRLF, bare CR, bare LF) as CRLF: MIME's canonical form. */
    static String crlf(String text) {
        int i = firstLineBreak(text, 0);
        StringBuilder sb = null;
        int start = 0;
        while (i >= 0) {
            boolean crlf = text.charAt(i) == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n';
            if (!crlf && sb == null) {
                sb = new StringBuilder(text.length() + text.length() / 16 + 16);
            }
            int next = crlf ? i + 2 : i + 1;
            if (sb != null) {
                sb.append(text, start, i).append("\r\n");
                start = next;
            }
            i = firstLineBreak(text, next);
        }
        if (sb == null) {
            return text;  // already canonical (or a single line)
        }
        return sb.append(text, start, text.length()).toString();
    }

    /** The index of the first CR or LF at or after {@code from}, or -1. */
    private static int firstLineBreak(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * 7bit only for short-lined ASCII without NUL (RFC 2045 2.7); otherwise quoted-printable,
     * or base64 when more than a third of the octets are 8-bit (it is then smaller). Both
     * keep every line within 76 characters.
     */
    static String transferEncoding(String crlfText) {
        byte[] bytes = crlfText.getBytes(StandardCharsets.UTF_8);
        int eightBit = 0;
        int line = 0;
        boolean sevenBit = true;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
                line = 0;
                i++;
                continue;
            }
            if (b >= 0x80) {
                eightBit++;
                sevenBit = false;
            } else if (b == 0 || b == '\r' || b == '\n') {
                sevenBit = false;
            }
            if (++line > FieldRules.MAX_LINE_OCTETS) {
                sevenBit = false;
            }
        }
        if (sevenBit) {
            return "7bit";
        }
        return eightBit * 3L > bytes.length ? "base64" : "quoted-printable";
    }

    private static MimeBodyPart attachmentPart(Attachment a) throws MessagingException {
        String name = a.fileName();
        String type = a.contentType() != null ? a.contentType() : ContentTypes.forFile(a.path(), name);
        String label = "attach " + FieldRules.shown(String.valueOf(a.path()));
        return filePart(new FileSource(a.path(), type, name, label), Part.ATTACHMENT);
    }

    private static MimeBodyPart inlinePart(InlineImage image) throws MessagingException {
        String name = image.fileName();
        String type = image.contentType() != null ? image.contentType() : ContentTypes.forFile(image.path(), name);
        String label = "inline " + FieldRules.shown(String.valueOf(image.path()));
        MimeBodyPart part = filePart(new FileSource(image.path(), type, name, label), Part.INLINE);
        // RFC 2392: the HTML's cid:logo refers to Content-ID <logo>
        part.setHeader("Content-ID", "<" + image.cid() + ">");
        return part;
    }

    private static MimeBodyPart filePart(FileSource source, String disposition) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(source));
        ContentType type = new ContentType(source.getContentType());
        type.setParameterList(withName(type.getParameterList(), "name", source.getName()));
        part.setHeader("Content-Type", type.toString());
        // a fixed encoding: no scan of the file to choose one, and every line stays short
        part.setHeader("Content-Transfer-Encoding", "base64");
        ContentDisposition cd = new ContentDisposition(disposition,
                withName(null, "filename", source.getName()));
        part.setHeader("Content-Disposition", cd.toString());
        return part;
    }

    /** Adds a file name parameter, RFC 2231-encoded (UTF-8) when it is not ASCII. */
    private static ParameterList withName(ParameterList list, String parameter, String name) {
        ParameterList l = list == null ? new ParameterList() : list;
        l.set(parameter, name, UTF_8);
        return l;
    }

    /**
     * A multipart whose boundary comes from the Message-ID and its subtype (not from the clock and
     * a counter, as Jakarta Mail's does); multipart/related also names its root's type (RFC 2387
     * 3.1). "=_" cannot occur in base64 or quoted-printable text, the hash makes a clash with 7bit
     * text as unlikely as Jakarta Mail's own.
     */
    private static final class StampedMultipart extends MimeMultipart {

        StampedMultipart(String subtype, String messageId, String rootType) throws MessagingException {
            super(subtype);
            ContentType ct = new ContentType(contentType);
            ct.setParameter("boundary", boundary(messageId, subtype));
            if (rootType != null) {
                ct.setParameter("type", rootType);
            }
            contentType = ct.toString();
        }
    }

    static String boundary(String messageId, String subtype) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((messageId + "/" + subtype).getBytes(StandardCharsets.UTF_8));
            return "=_" + subtype + "_" + java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** A MimeMessage whose Message-ID is chosen once, not replaced by saveChanges(). */
    private static final class StampedMessage extends MimeMessage {

        private final String id;

        StampedMessage(Session session, String id) {
            super(session);
            this.id = id;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", id);
        }
    }

    // ---- checks ----------------------------------------------------------------------------

    /**
     * RFC 5322 2.1.1: no header line over 998 octets. Also: every part header is ASCII (only
     * the top-level address fields may carry UTF-8, under SMTPUTF8).
     */
    private static void checkHeaderLines(Part part, String where) throws MessagingException {
        Enumeration<String> lines = ((MimePart) part).getAllHeaderLines();
        while (lines.hasMoreElements()) {
            String header = lines.nextElement();
            int colon = header.indexOf(':');
            String name = colon > 0 ? header.substring(0, colon) : header;
            for (int start = 0, end; start <= header.length(); start = end + 2) {
                end = header.indexOf("\r\n", start);
                if (end < 0) {
                    end = header.length();
                }
                String physical = header.substring(start, end);
                if (physical.length() > FieldRules.MAX_LINE_OCTETS / 4
                        && physical.getBytes(StandardCharsets.UTF_8).length > FieldRules.MAX_LINE_OCTETS) {
                    throw new MessageException(where + "header " + FieldRules.shown(name)
                            + ": a line would be longer than 998 octets (RFC 5322 2.1.1);"
                            + " put spaces in the value so it can be folded");
                }
            }
            if (!where.isEmpty() && !FieldRules.isAscii(header)) {
                throw new IllegalStateException("non-ASCII part header: " + FieldRules.shown(header));
            }
        }
        if (part.isMimeType("multipart/*")) {
            MimeMultipart multipart;
            try {
                multipart = (MimeMultipart) part.getDataHandler().getContent();
            } catch (IOException e) {
                throw new MessagingException("cannot read back a part", e);
            }
            for (int i = 0; i < multipart.getCount(); i++) {
                String inner = where + "part " + (i + 1) + " of " + part.getContentType().toLowerCase(Locale.ROOT)
                        .split(";")[0] + ": ";
                checkHeaderLines(multipart.getBodyPart(i), inner);
            }
        }
    }
}
