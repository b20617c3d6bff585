package dev.postilion.dsl;

import java.util.List;
import java.util.Map;

import dev.postilion.smtp.MailOptions;
import dev.postilion.smtp.RcptOptions;

/**
 * The named arguments of {@code mail} and {@code rcpt}, checked and turned into typed values at
 * once: the sender (with the profile's {@code from} when the script names none) and MAIL's
 * parameters; the recipients and RCPT's parameters.
 */
final class EnvelopeArgs {

    private EnvelopeArgs() {
    }

    /** What {@code mail} sends: MAIL FROM:<from> with its parameters. */
    record Mail(String from, MailOptions options) {

        /**
         * {@code mail from: 'a@x', size: 1200}; no {@code from} (or a null one on a connection made from
         * a profile) takes the profile's {@code from}.
         */
        static Mail of(Map<String, ?> options, ScriptLocation at, ScriptContext context) {
            NamedArgs a = VerbOptions.MAIL.check(options, at);
            String from = a.string("from");
            if (a.has("from") && from == null && context.profileFrom() == null) {
                // A null from (an empty CSV cell, an unset variable) must not quietly become MAIL FROM:<>.
                throw new ScriptError(at, "mail from: is null; write mail from: 'you@example.com' (from: '' sends"
                        + " MAIL FROM:<> on purpose)");
            }
            if (!a.has("from") || (from == null && context.current() != null)) {
                from = context.profileFrom();
                if (from == null) {
                    throw new ScriptError(at, "mail needs from: — mail from: 'you@example.com' (from: '' sends"
                            + " MAIL FROM:<>), or a profile with from:");
                }
            }
            Long size = a.longValue("size");
            if (size != null && size < 0) {
                throw new ScriptError(at, "mail: size must be 0 or more (the message's size in bytes), not " + size);
            }
            return new Mail(from, new MailOptions(size == null ? -1 : size, a.string("body"),
                    a.bool("smtputf8", false), a.string("ret"), a.string("envid")));
        }
    }

    /** What {@code rcpt} sends: one RCPT TO:<address> per recipient, each with the same parameters. */
    record Rcpt(List<String> to, RcptOptions options) {

        /** {@code rcpt to: 'b@y'} or {@code rcpt to: ['a@y', 'b@y'], notify: 'NEVER'}. */
        static Rcpt of(Map<String, ?> options, ScriptLocation at) {
            NamedArgs a = VerbOptions.RCPT.check(options, at);
            List<String> to = a.strings("to");
            if (to.isEmpty()) {
                throw new ScriptError(at, "rcpt needs to: — rcpt to: 'someone@example.com'");
            }
            return new Rcpt(to, new RcptOptions(a.has("notify") ? String.join(",", a.strings("notify")) : null,
                    a.string("orcpt")));
        }
    }
}
