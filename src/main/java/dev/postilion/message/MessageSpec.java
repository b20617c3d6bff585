package dev.postilion.message;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a mail author says about one message, collected by the DSL's {@code data { }} and
 * {@code send { }} blocks and by {@code postilion send} options: plain mutable data. Every
 * setter checks its value at once and throws {@link MessageException} (exit 65) naming the
 * field, so a CR or LF in a header value, name or address is refused before anything is
 * built. {@code bcc} is envelope only: it is never written as a header.
 *
 * <p>A spec is either MIME (subject, text, html, attachments, ...) or raw (a message sent
 * as written); in both cases from/to/cc/bcc give the envelope. {@link MimeAssembler} turns
 * it into bytes.
 */
public final class MessageSpec {

    /** Headers the spec owns, with the word to use instead. */
    private static final List<String[]> OWNED_HEADERS = List.of(
            new String[] {"from", "use from"},
            new String[] {"to", "use to"},
            new String[] {"cc", "use cc"},
            new String[] {"bcc", "use bcc (envelope only: it is never written as a header)"},
            new String[] {"reply-to", "use replyTo"},
            new String[] {"subject", "use subject"},
            new String[] {"date", "use date"},
            new String[] {"message-id", "use messageId"},
            new String[] {"x-priority", "use priority"},
            new String[] {"importance", "use priority"},
            new String[] {"mime-version", "it is set when the message is built"},
            new String[] {"content-type", "it is set when the message is built"},
            new String[] {"content-transfer-encoding", "it is set when the message is built"},
            new String[] {"content-disposition", "it is set when the message is built"},
            new String[] {"content-id", "it is set when the message is built"});

    private Mailbox from;
    private final List<Mailbox> to = new ArrayList<>();
    private final List<Mailbox> cc = new ArrayList<>();
    private final List<Mailbox> bcc = new ArrayList<>();
    private final List<Mailbox> replyTo = new ArrayList<>();
    private String subject;
    private final List<Header> headers = new ArrayList<>();
    private String text;
    private String html;
    private final List<Attachment> attachments = new ArrayList<>();
    private final List<InlineImage> inlines = new ArrayList<>();
    private Integer priority;
    private String messageId;
    private ZonedDateTime date;
    private byte[] raw;
    private Path rawFile;
    private boolean addMissingHeaders;

    /** An empty spec. */
    public MessageSpec() {
    }

    /** A deep copy: a batch can fill a base spec once and copy it per recipient. */
    public MessageSpec copy() {
        MessageSpec c = new MessageSpec();
        c.from = from;
        c.to.addAll(to);
        c.cc.addAll(cc);
        c.bcc.addAll(bcc);
        c.replyTo.addAll(replyTo);
        c.subject = subject;
        c.headers.addAll(headers);
        c.text = text;
        c.html = html;
        c.attachments.addAll(attachments);
        c.inlines.addAll(inlines);
        c.priority = priority;
        c.messageId = messageId;
        c.date = date;
        c.raw = raw == null ? null : raw.clone();
        c.rawFile = rawFile;
        c.addMissingHeaders = addMissingHeaders;
        return c;
    }

    // ---- addresses -------------------------------------------------------------------------

    /** Sets the author: {@code a@example.com} or {@code Name <a@example.com>}. */
    public MessageSpec from(String address) {
        this.from = Mailbox.parse("from", address);
        return this;
    }

    /** Adds recipients shown in To. */
    public MessageSpec to(String... addresses) {
        return to(Arrays.asList(addresses));
    }

    /** Adds recipients shown in To. */
    public MessageSpec to(Collection<String> addresses) {
        addAll("to", to, addresses);
        return this;
    }

    /** Adds recipients shown in Cc. */
    public MessageSpec cc(String... addresses) {
        return cc(Arrays.asList(addresses));
    }

    /** Adds recipients shown in Cc. */
    public MessageSpec cc(Collection<String> addresses) {
        addAll("cc", cc, addresses);
        return this;
    }

    /** Adds blind recipients: envelope only, never written as a header. */
    public MessageSpec bcc(String... addresses) {
        return bcc(Arrays.asList(addresses));
    }

    /** Adds blind recipients: envelope only, never written as a header. */
    public MessageSpec bcc(Collection<String> addresses) {
        addAll("bcc", bcc, addresses);
        return this;
    }

    /** Adds addresses for Reply-To. */
    public MessageSpec replyTo(String... addresses) {
        return replyTo(Arrays.asList(addresses));
    }

    /** Adds addresses for Reply-To. */
    public MessageSpec replyTo(Collection<String> addresses) {
        addAll("replyTo", replyTo, addresses);
        return this;
    }

    private static void addAll(String field, List<Mailbox> into, Collection<String> addresses) {
        if (addresses == null) {
            throw new MessageException(field + ": no address given (null)");
        }
        List<Mailbox> parsed = new ArrayList<>(addresses.size());
        for (String a : addresses) {
            parsed.add(Mailbox.parse(field, a));
        }
        into.addAll(parsed);
    }

    // ---- headers ---------------------------------------------------------------------------

    /** Sets the subject; non-ASCII is RFC 2047-encoded when the message is built. */
    public MessageSpec subject(String subject) {
        this.subject = FieldRules.refuseControls("subject", "value", subject);
        return this;
    }

    /**
     * Adds a custom header, e.g. {@code header("X-Campaign", "spring")}. Headers this spec owns
     * (From, To, Subject, Content-Type, ...) are refused with the word to use instead.
     */
    public MessageSpec header(String name, String value) {
        FieldRules.headerName(name);
        String lower = name.toLowerCase(Locale.ROOT);
        for (String[] owned : OWNED_HEADERS) {
            if (owned[0].equals(lower)) {
                throw new MessageException("header " + FieldRules.shown(name) + ": not a custom header; "
                        + owned[1]);
            }
        }
        headers.add(new Header(name, value));
        return this;
    }

    /**
     * Sets the priority: 1 (highest) to 5 (lowest). Written as X-Priority and Importance.
     */
    public MessageSpec priority(int priority) {
        if (priority < 1 || priority > 5) {
            throw new MessageException("priority: " + priority + " is not 1-5 or high, normal, low");
        }
        this.priority = priority;
        return this;
    }

    /** Sets the priority from a word: {@code high} (1), {@code normal} (3), {@code low} (5), or "1"-"5". */
    public MessageSpec priority(String priority) {
        FieldRules.refuseControls("priority", "value", priority);
        String w = priority.trim().toLowerCase(Locale.ROOT);
        switch (w) {
            case "high", "highest", "urgent" -> this.priority = 1;
            case "normal" -> this.priority = 3;
            case "low", "lowest" -> this.priority = 5;
            default -> {
                if (w.length() == 1 && w.charAt(0) >= '1' && w.charAt(0) <= '5') {
                    this.priority = w.charAt(0) - '0';
                } else {
                    throw new MessageException("priority: " + FieldRules.shown(priority)
                            + " is not 1-5 or high, normal, low");
                }
            }
        }
        return this;
    }

    /**
     * Sets the Message-ID: {@code <left@right>} or {@code left@right}, printable ASCII.
     * Without it one is made from the From address's domain.
     */
    public MessageSpec messageId(String messageId) {
        FieldRules.refuseControls("messageId", "value", messageId);
        String id = messageId.trim();
        if (id.startsWith("<") && id.endsWith(">") && id.length() > 2) {
            id = id.substring(1, id.length() - 1);
        }
        int at = id.lastIndexOf('@');
        boolean printable = true;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') {
                printable = false;
            }
        }
        if (!printable || at <= 0 || at == id.length() - 1 || id.indexOf('@') != at) {
            throw new MessageException("messageId: " + FieldRules.shown(messageId)
                    + " is not a message id of the form <left@right> in printable ASCII (RFC 5322 3.6.4)");
        }
        this.messageId = "<" + id + ">";
        return this;
    }

    /** Sets the Date header. Without it the time of building is used. */
    public MessageSpec date(ZonedDateTime date) {
        if (date == null) {
            throw new MessageException("date: no value given (null)");
        }
        this.date = date;
        return this;
    }

    /**
     * Sets the Date header from text: RFC 5322 ({@code Tue, 3 Jun 2008 11:05:30 +0000}) or
     * ISO-8601 ({@code 2008-06-03T11:05:30Z}).
     */
    public MessageSpec date(String date) {
        FieldRules.refuseControls("date", "value", date);
        String t = date.trim();
        try {
            this.date = ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME);
            return this;
        } catch (DateTimeException e) {
            // not RFC 5322: try ISO-8601
        }
        try {
            this.date = ZonedDateTime.parse(t);
            return this;
        } catch (DateTimeException e) {
            // not a zoned ISO date: try an offset one
        }
        try {
            this.date = OffsetDateTime.parse(t).toZonedDateTime();
            return this;
        } catch (DateTimeException e) {
            throw new MessageException("date: " + FieldRules.shown(date) + " is neither an RFC 5322 date"
                    + " (Tue, 3 Jun 2008 11:05:30 +0000) nor ISO-8601 (2008-06-03T11:05:30Z)");
        }
    }

    // ---- bodies ----------------------------------------------------------------------------

    /** Sets the plain-text body. Any line endings; they become CRLF. */
    public MessageSpec text(String text) {
        if (text == null) {
            throw new MessageException("text: no value given (null)");
        }
        this.text = text;
        return this;
    }

    /** Sets the HTML body; with a text body too, the message is multipart/alternative. */
    public MessageSpec html(String html) {
        if (html == null) {
            throw new MessageException("html: no value given (null)");
        }
        this.html = html;
        return this;
    }

    /** Attaches a file; its type comes from the file name. */
    public MessageSpec attach(Path file) {
        return attach(file, null, null);
    }

    /**
     * Attaches a file with an optional type override and an optional name the recipient sees.
     *
     * @throws MessageException missing input (66) when the file does not exist
     */
    public MessageSpec attach(Path file, String contentType, String name) {
        Attachment a = new Attachment(requireFile("attach", file), contentType, name);
        attachments.add(a);
        return this;
    }

    /** Adds an inline image the HTML shows as {@code cid:<cid>}; its type comes from the file name. */
    public MessageSpec inline(Path file, String cid) {
        return inline(file, cid, null);
    }

    /** Adds an inline image with an optional type override. */
    public MessageSpec inline(Path file, String cid, String contentType) {
        InlineImage image = new InlineImage(requireFile("inline", file), cid, contentType);
        for (InlineImage other : inlines) {
            if (other.cid().equals(image.cid())) {
                throw new MessageException("inline " + FieldRules.shown(String.valueOf(file)) + ": cid "
                        + FieldRules.shown(image.cid()) + " is already used by "
                        + FieldRules.shown(String.valueOf(other.path())));
            }
        }
        inlines.add(image);
        return this;
    }

    private static Path requireFile(String field, Path file) {
        if (file == null) {
            throw new MessageException(field + ": no file given (null)");
        }
        String label = field + " " + FieldRules.shown(String.valueOf(file));
        if (!Files.exists(file)) {
            throw new MessageException(MessageException.Kind.MISSING_INPUT, label + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new MessageException(MessageException.Kind.MISSING_INPUT, label + ": not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new MessageException(MessageException.Kind.LOCAL_IO, label + ": not readable");
        }
        return file;
    }

    // ---- raw -------------------------------------------------------------------------------

    /** Makes this a raw message: the text (as UTF-8) is sent as written. */
    public MessageSpec raw(String message) {
        if (message == null) {
            throw new MessageException("raw: no message given (null)");
        }
        return raw(message.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes this a raw message: the bytes are sent as written. */
    public MessageSpec raw(byte[] message) {
        if (message == null) {
            throw new MessageException("raw: no message given (null)");
        }
        this.raw = message.clone();
        this.rawFile = null;
        return this;
    }

    /** Makes this a raw message read from a file (an .eml) while it is sent. */
    public MessageSpec rawFile(Path file) {
        this.rawFile = requireFile("raw", file);
        this.raw = null;
        return this;
    }

    /** For a raw message: add Date and Message-ID at the top when the header block has none. */
    public MessageSpec addMissingHeaders(boolean add) {
        this.addMissingHeaders = add;
        return this;
    }

    // ---- reading back ----------------------------------------------------------------------

    /** The author, if set. */
    public Optional<Mailbox> getFrom() {
        return Optional.ofNullable(from);
    }

    /** The To recipients, in order. */
    public List<Mailbox> getTo() {
        return Collections.unmodifiableList(to);
    }

    /** The Cc recipients, in order. */
    public List<Mailbox> getCc() {
        return Collections.unmodifiableList(cc);
    }

    /** The blind recipients (envelope only), in order. */
    public List<Mailbox> getBcc() {
        return Collections.unmodifiableList(bcc);
    }

    /** The Reply-To addresses, in order. */
    public List<Mailbox> getReplyTo() {
        return Collections.unmodifiableList(replyTo);
    }

    /** The subject, if set. */
    public Optional<String> getSubject() {
        return Optional.ofNullable(subject);
    }

    /** The custom headers, in the order given. */
    public List<Header> getHeaders() {
        return Collections.unmodifiableList(headers);
    }

    /** The plain-text body, if set. */
    public Optional<String> getText() {
        return Optional.ofNullable(text);
    }

    /** The HTML body, if set. */
    public Optional<String> getHtml() {
        return Optional.ofNullable(html);
    }

    /** The attachments, in order. */
    public List<Attachment> getAttachments() {
        return Collections.unmodifiableList(attachments);
    }

    /** The inline images, in order. */
    public List<InlineImage> getInlines() {
        return Collections.unmodifiableList(inlines);
    }

    /** The priority, 1 (highest) to 5 (lowest), if set. */
    public Optional<Integer> getPriority() {
        return Optional.ofNullable(priority);
    }

    /** The Message-ID with angle brackets, if set. */
    public Optional<String> getMessageId() {
        return Optional.ofNullable(messageId);
    }

    /** The date, if set. */
    public Optional<ZonedDateTime> getDate() {
        return Optional.ofNullable(date);
    }

    /** True when this is a raw message (text, bytes or a file sent as written). */
    public boolean isRaw() {
        return raw != null || rawFile != null;
    }

    /** The raw message bytes, if given as text or bytes. */
    public Optional<byte[]> getRaw() {
        return Optional.ofNullable(raw).map(byte[]::clone);
    }

    /** The raw message file, if given. */
    public Optional<Path> getRawFile() {
        return Optional.ofNullable(rawFile);
    }

    /** Whether a raw message gets Date and Message-ID when it has none. */
    public boolean isAddMissingHeaders() {
        return addMissingHeaders;
    }

    /** The words set that only a MIME message can have; a raw message must have none. */
    List<String> mimeOnlyWordsSet() {
        List<String> set = new ArrayList<>();
        if (subject != null) {
            set.add("subject");
        }
        if (text != null) {
            set.add("text");
        }
        if (html != null) {
            set.add("html");
        }
        if (!replyTo.isEmpty()) {
            set.add("replyTo");
        }
        if (!headers.isEmpty()) {
            set.add("header");
        }
        if (!attachments.isEmpty()) {
            set.add("attach");
        }
        if (!inlines.isEmpty()) {
            set.add("inline");
        }
        if (priority != null) {
            set.add("priority");
        }
        if (messageId != null) {
            set.add("messageId");
        }
        if (date != null) {
            set.add("date");
        }
        return set;
    }
}
