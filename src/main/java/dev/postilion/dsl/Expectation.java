package dev.postilion.dsl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SmtpException;

/**
 * What an {@code expect} block wants from every reply in it: a code ({@code 550}), a list of
 * codes, an enhanced code ({@code '5.1.1'}), a code class ({@code '5xx'}) or a regex on the text.
 */
final class Expectation {

    private final Predicate<Reply> predicate;
    private final String description;
    private int checked;

    private Expectation(Predicate<Reply> predicate, String description) {
        this.predicate = predicate;
        this.description = description;
    }

    /** True when {@code r} is what the block wants. */
    boolean matches(Reply r) {
        return predicate.test(r);
    }

    /** How the author wrote what is wanted: {@code 550}, {@code 550 or 554}, {@code /Relay/}. */
    String description() {
        return description;
    }

    /** How many replies the block checked; an {@code expect} that checked none is a mistake. */
    int checked() {
        return checked;
    }

    /**
     * Checks one reply of the block (a reply the server sent to {@code command}).
     *
     * @throws ScriptFailure when the reply is not the one wanted
     */
    void check(ScriptLocation at, String command, Reply r, String server) {
        checked++;
        if (!matches(r)) {
            SmtpException.Kind kind = r.isTransientNegative() ? SmtpException.Kind.TEMPORARY
                    : SmtpException.Kind.PERMANENT;
            throw new ScriptFailure(at, kind, command + " got " + r.code() + ", expected " + description + "\n"
                    + SmtpException.quote(server, r), null);
        }
    }

    /** The expectation the author wrote, or a script error naming the forms {@code expect} takes. */
    static Expectation of(Object wanted, ScriptLocation at) {
        if (wanted instanceof Number n) {
            int code = n.intValue();
            return new Expectation(r -> r.code() == code, String.valueOf(code));
        }
        if (wanted instanceof Pattern p) {
            return new Expectation(r -> p.matcher(r.toString()).find(), "/" + p.pattern() + "/");
        }
        if (wanted instanceof Collection<?> c) {
            if (c.isEmpty()) {
                throw new ScriptError(at, "expect needs at least one code in its list: expect([550, 554]) { ... }");
            }
            List<Expectation> all = new ArrayList<>();
            c.forEach(x -> all.add(of(x, at)));
            return new Expectation(r -> all.stream().anyMatch(x -> x.matches(r)),
                    String.join(" or ", all.stream().map(x -> x.description).toList()));
        }
        String s = String.valueOf(wanted).trim();
        if (s.matches("[2-5]\\.\\d{1,3}\\.\\d{1,3}")) {
            return new Expectation(r -> s.equals(r.enhanced()), s);
        }
        if (s.matches("[2-5]\\d\\d")) {
            int code = Integer.parseInt(s);
            return new Expectation(r -> r.code() == code, s);
        }
        if (s.matches("[2-5]xx")) {
            int cls = s.charAt(0) - '0';
            return new Expectation(r -> r.code() / 100 == cls, s);
        }
        throw new ScriptError(at, "expect takes a code (550), a list ([550, 554]), an enhanced code ('5.1.1'),"
                + " a class ('5xx') or a regex (~/text/), not '" + s + "'");
    }
}
