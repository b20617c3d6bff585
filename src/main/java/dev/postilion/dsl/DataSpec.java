package dev.postilion.dsl;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.postilion.message.MessageException;
import dev.postilion.message.MessageSpec;
import dev.postilion.message.MimeAssembler;
import dev.postilion.message.OutgoingMessage;
import dev.postilion.smtp.Envelope;
import dev.postilion.smtp.MessageContent;

/**
 * The words inside {@code data { }} and {@code send { }}: a mail author's words ({@code from},
 * {@code to}, {@code subject}, {@code text}, {@code html}, {@code attach}, ...). It only collects;
 * Jakarta Mail builds the MIME. Every value is checked as it is set: a line break in a header or
 * an address is refused (no header injection). SMTP verbs are refused here (see
 * {@link VerbRefusingBlock}): the block describes the message.
 */
public final class DataSpec extends VerbRefusingBlock {

    private final ScriptScope script;
    private final ScriptLocation at;
    private final MessageSpec spec = new MessageSpec();
    private OutgoingMessage built;

    DataSpec(ScriptScope script, ScriptLocation at) {
        this.script = script;
        this.at = at;
    }

    /** The From address ({@code 'Guy T <guyt@exchguy.com>'} works too); also the envelope sender in {@code send}. */
    public void from(String address) {
        guard(() -> spec.from(address));
    }

    /** To: one address or a list; also envelope recipients in {@code send}. */
    public void to(Object... addresses) {
        guard(() -> spec.to(flat("to", addresses)));
    }

    /** Cc: one address or a list; also envelope recipients in {@code send}. */
    public void cc(Object... addresses) {
        guard(() -> spec.cc(flat("cc", addresses)));
    }

    /** Bcc: envelope recipients only, never written as a header. */
    public void bcc(Object... addresses) {
        guard(() -> spec.bcc(flat("bcc", addresses)));
    }

    /** Reply-To: one address or a list. */
    public void replyTo(Object... addresses) {
        guard(() -> spec.replyTo(flat("replyTo", addresses)));
    }

    /** The Subject (non-ASCII is RFC 2047-encoded for you). */
    public void subject(Object text) {
        guard(() -> spec.subject(text == null ? null : text.toString()));
    }

    /** The plain-text body. */
    public void text(Object body) {
        guard(() -> spec.text(body == null ? null : body.toString()));
    }

    /** The HTML body; with {@code text} too, the message is multipart/alternative. */
    public void html(Object body) {
        guard(() -> spec.html(body == null ? null : body.toString()));
    }

    /** Any header: {@code header 'X-Campaign', 'autumn'}. */
    public void header(String name, Object value) {
        guard(() -> spec.header(name, value == null ? null : value.toString()));
    }

    /** Attaches a file (relative to the script's folder); its type comes from its name. */
    public void attach(Object file) {
        attach(Map.of(), file);
    }

    /** Attaches a file; options {@code type} (content type) and {@code name} (what the recipient sees). */
    public void attach(Map<String, ?> options, Object file) {
        NamedArgs a = VerbOptions.ATTACH.check(options, at);
        guard(() -> spec.attach(path("attach", file), a.string("type"), a.string("name")));
    }

    /** An inline image the HTML shows as {@code cid:NAME}: {@code inline 'logo.png', cid: 'logo'}. */
    public void inline(Map<String, ?> options, Object file) {
        NamedArgs a = VerbOptions.INLINE.check(options, at);
        guard(() -> spec.inline(path("inline", file), a.requireString("cid"), a.string("type")));
    }

    /** Priority: 1 (highest) to 5, or 'high', 'normal', 'low'. */
    public void priority(Object level) {
        guard(() -> {
            if (level instanceof Number n) {
                spec.priority(n.intValue());
            } else {
                spec.priority(String.valueOf(level));
            }
        });
    }

    /** The Message-ID (one is made when absent). */
    public void messageId(String id) {
        guard(() -> spec.messageId(id));
    }

    /** The Date header (RFC 5322 text or ISO-8601; now when absent). */
    public void date(Object date) {
        guard(() -> {
            if (date instanceof java.time.ZonedDateTime z) {
                spec.date(z);
            } else {
                spec.date(String.valueOf(date));
            }
        });
    }

    /** Renders a text template (Groovy template syntax) with these variables; data never runs as code. */
    public String template(String file, Map<String, ?> vars) {
        return guardValue(() -> Templates.render(script.resolve(file), vars));
    }

    /** Renders an HTML template; variable values are HTML-escaped. */
    public String templateHtml(String file, Map<String, ?> vars) {
        return guardValue(() -> Templates.renderHtml(script.resolve(file), vars));
    }

    // ---------------------------------------------------------------- SMTP verbs are refused here

    /** Refused here: a message cannot send another. */
    public Object send(Object... args) {
        return refuse("send");
    }

    @Override
    groovy.lang.Binding binding() {
        return script.binding();
    }

    @Override
    Object refuse(String verb) {
        throw new ScriptError(script.here(), VerbSpelling.insideMessageBlock(verb));
    }

    // ---------------------------------------------------------------- used by MailScript

    void raw(Object raw, boolean addMissingHeaders) {
        guard(() -> {
            if (raw instanceof File f) {
                spec.rawFile(f.toPath());
            } else if (raw instanceof Path p) {
                spec.rawFile(p);
            } else if (raw instanceof byte[] b) {
                spec.raw(b);
            } else {
                spec.raw(String.valueOf(raw));
            }
            spec.addMissingHeaders(addMissingHeaders);
        });
    }

    /** Inside {@code data { }}: From and To default to the transaction's envelope. */
    void defaults(String envelopeFrom, List<String> envelopeTo) {
        if (spec.isRaw()) {
            return;
        }
        if (spec.getFrom().isEmpty() && envelopeFrom != null && !envelopeFrom.isEmpty()) {
            from(envelopeFrom);
        }
        if (spec.getTo().isEmpty() && spec.getCc().isEmpty() && !envelopeTo.isEmpty()) {
            to(envelopeTo.toArray());
        }
    }

    /** A message without From gets {@code from} (the profile's, see {@link ScriptScope#profileFrom()}). */
    void senderDefault(String from) {
        guard(() -> senderDefault(spec, from));
    }

    /** The one rule for a message without From, in {@code send { }} and in a batch's rows. */
    static void senderDefault(MessageSpec message, String from) {
        if (message != null && !message.isRaw() && message.getFrom().isEmpty() && from != null) {
            message.from(from);
        }
    }

    /** The collected spec, unbuilt: a batch stamps its Message-ID and Date before building it. */
    MessageSpec spec() {
        return spec;
    }

    OutgoingMessage message() {
        if (built == null) {
            built = guardValue(() -> new MimeAssembler().assemble(spec));
        }
        return built;
    }

    String envelopeFrom() {
        return message().envelopeFrom().orElse("");
    }

    Envelope envelope() {
        OutgoingMessage m = message();
        if (m.envelopeFrom().isEmpty()) {
            throw new ScriptError(at, "send needs from: — the sender for MAIL FROM and the From header");
        }
        if (m.envelopeRecipients().isEmpty()) {
            throw new ScriptError(at, "send needs at least one of to:, cc: or bcc:");
        }
        return m.envelope();
    }

    MessageContent content() {
        OutgoingMessage m = message();
        // Reads every file once now, so a missing attachment is found before MAIL, not half-way through DATA.
        guardValue(m::size);
        return m;
    }

    private List<String> flat(String word, Object[] values) {
        if (values == null) {
            throw new ScriptError(script.here(), VerbSpelling.missingValue(word));
        }
        List<String> out = new java.util.ArrayList<>();
        for (Object v : values) {
            out.addAll(NamedArgs.list(v));
        }
        return out;
    }

    private Path path(String word, Object file) {
        if (file == null) {
            throw new ScriptError(script.here(), VerbSpelling.missingValue(word));
        }
        if (file instanceof Map<?, ?>) {
            throw new ScriptError(script.here(), word + " needs a file as well as its options; write "
                    + VerbSpelling.of(word));
        }
        if (file instanceof File f) {
            return f.toPath();
        }
        if (file instanceof Path p) {
            return p;
        }
        return script.resolve(String.valueOf(file));
    }

    private void guard(Runnable r) {
        guardValue(() -> {
            r.run();
            return null;
        });
    }

    private <T> T guardValue(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (MessageException e) {
            ScriptError.Kind kind = switch (e.kind()) {
                case MISSING_INPUT -> ScriptError.Kind.MISSING_FILE;
                case LOCAL_IO -> ScriptError.Kind.LOCAL_IO;
                default -> ScriptError.Kind.SCRIPT;
            };
            throw new ScriptError(script.here(), kind, e.getMessage(), e);
        }
    }
}
