package dev.postilion.dsl;

import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import java.util.Map;
import java.util.function.Consumer;

import dev.postilion.batch.Row;
import dev.postilion.message.MessageSpec;

/**
 * The words inside {@code batch(source) { row -> ... }}: {@code send { }} describes this row's
 * message (it is not sent on the spot: the batch sends it on one of its connections). A row whose
 * block calls no {@code send} is skipped. SMTP verbs are refused here: the batch owns the dialogue.
 * The block runs on the batch's worker threads, once per row.
 */
public final class BatchRowSpec extends VerbRefusingBlock {

    private final ScriptScope script;
    private final Row row;
    private DataSpec data;

    BatchRowSpec(ScriptScope script, Row row) {
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

    @Override
    groovy.lang.Binding binding() {
        return script.binding();
    }

    @Override
    Object refuse(String verb) {
        throw new ScriptError(script.here(), VerbSpelling.insideBatch(verb));
    }
}
