package dev.postilion.dsl;

import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import java.util.Map;
import java.util.function.Consumer;

import dev.postilion.batch.Row;
import dev.postilion.message.MessageSpec;
import dev.postilion.message.Templates;

/**
 * The words inside {@code batch(source) { row -> ... }}: {@code send { }} describes this row's
 * message (it is not sent on the spot: the batch sends it on one of its connections). A row whose
 * block calls no {@code send} is skipped. SMTP verbs are refused here: the batch owns the dialogue.
 * The block runs on the batch's worker threads, once per row.
 */
public final class BatchRowSpec {

    private final MailScript script;
    private final Row row;
    private DataSpec data;

    BatchRowSpec(MailScript script, Row row) {
        this.script = script;
        this.row = row;
    }

    /** The row: its fields by name ({@code row.email}) and its number ({@code row.number()}). */
    public Row getRow() {
        return row;
    }

    /**
     * This row's message: {@code from}, {@code to}, {@code subject}, {@code text}, {@code html},
     * {@code attach}, ... as in a top-level {@code send { }}. One per row.
     */
    public void send(@DelegatesTo(value = DataSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        send(spec -> {
            Closure<?> c = (Closure<?>) block.clone();
            c.setResolveStrategy(Closure.DELEGATE_FIRST);
            c.setDelegate(spec);
            c.call(spec);
        });
    }

    /** The Java form of {@link #send(Closure)}. */
    public void send(Consumer<DataSpec> block) {
        ScriptLocation at = script.here();
        if (data != null) {
            throw new ScriptError(at, "batch: send { } is used once per row (one message per row; put every"
                    + " recipient of the row in that message)");
        }
        DataSpec spec = new DataSpec(script, at);
        block.accept(spec);
        data = spec;
    }

    /** Renders a text template with these variables ({@code template('welcome.txt', row)}). */
    public String template(String file, Map<String, ?> vars) {
        return new DataSpec(script, script.here()).template(file, vars);
    }

    /** Renders an HTML template; variable values are HTML-escaped. */
    public String templateHtml(String file, Map<String, ?> vars) {
        return new DataSpec(script, script.here()).templateHtml(file, vars);
    }

    /** The message the block described, or null when it called no {@code send}. */
    MessageSpec spec() {
        return data == null ? null : data.spec();
    }

    // ---------------------------------------------------------------- the batch owns the dialogue

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object connect(Object... args) {
        return refuse("connect");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object ehlo(Object... args) {
        return refuse("ehlo");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object helo(Object... args) {
        return refuse("helo");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object starttls(Object... args) {
        return refuse("starttls");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object auth(Object... args) {
        return refuse("auth");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object mail(Object... args) {
        return refuse("mail");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object rcpt(Object... args) {
        return refuse("rcpt");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object data(Object... args) {
        return refuse("data");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object rset(Object... args) {
        return refuse("rset");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object noop(Object... args) {
        return refuse("noop");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object vrfy(Object... args) {
        return refuse("vrfy");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object raw(Object... args) {
        return refuse("raw");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object quit(Object... args) {
        return refuse("quit");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object expect(Object... args) {
        return refuse("expect");
    }

    /** Refused inside a batch block: the batch runs the SMTP dialogue. */
    public Object batch(Object... args) {
        return refuse("batch");
    }

    /** {@code quit} as a bare word. */
    public Object getQuit() {
        return refuse("quit");
    }

    /** {@code ehlo} as a bare word. */
    public Object getEhlo() {
        return refuse("ehlo");
    }

    /** {@code rset} as a bare word. */
    public Object getRset() {
        return refuse("rset");
    }

    /** {@code noop} as a bare word. */
    public Object getNoop() {
        return refuse("noop");
    }

    /** {@code mail} as a bare word. */
    public Object getMail() {
        return refuse("mail");
    }

    /** {@code auth} as a bare word. */
    public Object getAuth() {
        return refuse("auth");
    }

    private Object refuse(String verb) {
        throw new ScriptError(script.here(), verb + " cannot be used inside batch { }: the batch runs the SMTP"
                + " dialogue on its own connections; describe the row's message with send { }");
    }
}
