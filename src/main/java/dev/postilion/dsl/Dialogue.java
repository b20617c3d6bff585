package dev.postilion.dsl;

import groovy.lang.Closure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.SmtpStage;

/**
 * The rules every verb's SMTP step goes through, so that a verb is only its engine call: where a
 * verb may run (not inside a message block, not while a batch runs), the run's time limit, the
 * check of each reply (the innermost {@code expect}, else the verb's own reply class), how an
 * engine failure becomes the script's, and the transaction (MAIL, RCPT, DATA, send) with its envelope so far.
 */
final class Dialogue {

    private final ScriptContext context;
    private final Supplier<SmtpSession> session;
    private final Deque<Expectation> expectations = new ArrayDeque<>();
    private int blockDepth;
    /** Above zero while a batch runs: its blocks run on other threads, and no verb may talk SMTP meanwhile. */
    private final AtomicInteger batchDepth = new AtomicInteger();
    private String envelopeFrom;
    private final List<String> envelopeTo = new ArrayList<>();

    /** {@code session}: the script's connection, or null before the first connect. */
    Dialogue(ScriptContext context, Supplier<SmtpSession> session) {
        this.context = context;
        this.session = session;
    }

    /** A verb's work: may throw the engine's failure, which {@link #step} turns into the script's. */
    @FunctionalInterface
    interface SmtpStep<T> {
        T run() throws SmtpException;
    }

    /**
     * True (after recording the mistake in a dry run; otherwise it throws) when {@code verb} is used
     * inside a message block or while a batch runs, e.g. from a method of the script called there:
     * nothing is sent.
     */
    boolean refusedHere(ScriptLocation at, String verb) {
        if (blockDepth > 0) {
            context.problem(new ScriptError(at, VerbSpelling.insideMessageBlock(verb)), null);
            return true;
        }
        if (batchDepth.get() > 0) {
            context.problem(new ScriptError(at, VerbSpelling.insideBatch(verb)), null);
            return true;
        }
        return false;
    }

    /** A message block's closure as the Consumer its Java form takes (null stays null: a mistake to name). */
    static Consumer<DataSpec> delegating(Closure<?> block) {
        return block == null ? null : spec -> {
            block.setResolveStrategy(Closure.DELEGATE_FIRST);
            block.setDelegate(spec);
            block.call(spec);
        };
    }

    /** Runs a message block ({@code data { }}, {@code send { }}): SMTP verbs are refused in it. */
    void inBlock(Runnable r) {
        blockDepth++;
        try {
            r.run();
        } finally {
            blockDepth--;
        }
    }

    /** Runs a batch: while it runs, the script's own verbs are refused. */
    <T> T inBatch(Supplier<T> batch) {
        batchDepth.incrementAndGet();
        try {
            return batch.get();
        } finally {
            batchDepth.decrementAndGet();
        }
    }

    /** The connection {@code verb} talks on; a script error when there is none, or inside a message block. */
    SmtpSession session(ScriptLocation at, String verb) {
        if (blockDepth > 0) {
            throw new ScriptError(at, VerbSpelling.insideMessageBlock(verb));
        }
        SmtpSession s = session.get();
        if (s == null) {
            throw new ScriptError(at, verb + " needs a connection: connect 'host' first");
        }
        return s;
    }

    /** Checks a reply: against the innermost {@code expect}, or the verb's own reply class. */
    Reply check(ScriptLocation at, SmtpStage stage, String command, Reply r, Predicate<Reply> ok) {
        if (r == null || context.options().dryRun()) {
            return r;
        }
        Expectation e = expectations.peek();
        if (e != null) {
            e.check(at, command, r, session.get().server());
            return r;
        }
        if (!ok.test(r)) {
            throw new ScriptFailure(at, SmtpException.unexpected(stage, command, r, session.get().server()));
        }
        return r;
    }

    /** A verb's work, refused (before anything is sent) inside a message block or a running batch. */
    <T> T step(ScriptLocation at, String verb, SmtpStep<T> body) {
        if (refusedHere(at, verb)) {
            return null;
        }
        return step(at, body);
    }

    /**
     * A verb's work, once the run's time limit allows it: an author's mistake is recorded in a dry
     * run (the step gives null), a refusal by the engine's own checks is the author's mistake too, and
     * anything else the engine throws is a failure at this line.
     */
    <T> T step(ScriptLocation at, SmtpStep<T> body) {
        if (context.limit().stopped()) {
            throw new ScriptFailure(at, SmtpException.Kind.TEMPORARY, context.limit().why(), null);
        }
        try {
            return body.run();
        } catch (ScriptError e) {
            return context.problem(e, null);
        } catch (SmtpException e) {
            if (e.kind() == SmtpException.Kind.STATE || e.kind() == SmtpException.Kind.INPUT) {
                return context.problem(new ScriptError(at, e.getMessage()), null);
            }
            throw new ScriptFailure(at, e);
        }
    }

    /** Runs an {@code expect} block: every reply in it is checked against {@code e}, and it must check one. */
    Object expect(Expectation e, ScriptLocation at, Supplier<Object> block) {
        expectations.push(e);
        try {
            SmtpSession s = session.get();
            if (s != null) {
                s.expecting(e::matches);
            }
            Object result = block.get();
            if (e.checked() == 0 && !context.options().dryRun()) {
                throw new ScriptError(at, "expect " + e.description() + " ran no SMTP command: put the command"
                        + " under test inside the block, e.g. expect 550, { rcpt to: 'x@y' }");
            }
            return result;
        } finally {
            expectations.pop();
            SmtpSession s = session.get();
            if (s != null) {
                s.expecting(expectations.isEmpty() ? null : expectations.peek()::matches);
            }
        }
    }

    /** Checks every reply of a whole {@code send}: MAIL, each RCPT, DATA and the end of the message. */
    private SendResult checkSend(ScriptLocation at, String from, SendResult result) {
        check(at, SmtpStage.MAIL, "MAIL FROM:<" + from + ">", result.mail(), Reply::isPositiveCompletion);
        for (SendResult.RecipientReply rr : result.recipients()) {
            check(at, SmtpStage.RCPT, "RCPT TO:<" + rr.address() + ">", rr.reply(), Reply::isPositiveCompletion);
        }
        if (result.data() != null) {
            check(at, SmtpStage.DATA, "DATA", result.data(), Reply::isPositiveIntermediate);
        }
        if (result.end() != null) {
            check(at, SmtpStage.DATA_END, "DATA (end of message)", result.end(), Reply::isPositiveCompletion);
        }
        return result;
    }

    /** MAIL FROM from the verb's options (a bare {@code mail}: the profile's); an accepted one starts an envelope. */
    Reply mail(ScriptLocation at, Map<String, ?> options) throws SmtpException {
        EnvelopeArgs.Mail m = EnvelopeArgs.Mail.of(options, at, context);
        String sender = m.from();
        Reply r = check(at, SmtpStage.MAIL, "MAIL FROM:<" + sender + ">",
                session(at, "mail").mail(sender, m.options()), Reply::isPositiveCompletion);
        if (r != null && r.isPositiveCompletion()) {
            envelopeFrom = sender;
            envelopeTo.clear();
        }
        return r;
    }

    /** One RCPT per address of the verb's {@code to}, each accepted one joining the envelope; the last reply. */
    Reply rcpt(ScriptLocation at, Map<String, ?> options) throws SmtpException {
        EnvelopeArgs.Rcpt rcpt = EnvelopeArgs.Rcpt.of(options, at);
        Reply last = null;
        for (String address : rcpt.to()) {
            Reply r = check(at, SmtpStage.RCPT, "RCPT TO:<" + address + ">",
                    session(at, "rcpt").rcpt(address, rcpt.options()), Reply::isPositiveCompletion);
            if (r != null && r.isPositiveCompletion()) {
                envelopeTo.add(address);
            }
            last = r;
        }
        return last;
    }

    /** DATA and the message (From and To default to the envelope): 354, then 250 after the final dot. */
    Reply data(ScriptLocation at, DataSpec spec) throws SmtpException {
        SmtpSession s = session(at, "data");
        spec.defaults(envelopeFrom, envelopeTo);
        Reply r = s.data(spec.content());
        if (s.inTransaction()) {
            // Still in the transaction: DATA itself was refused, so the message was never sent.
            return check(at, SmtpStage.DATA, "DATA", r, Reply::isPositiveIntermediate);
        }
        return check(at, SmtpStage.DATA_END, "DATA (end of message)", r, Reply::isPositiveCompletion);
    }

    /** A whole transaction from a message spec (the sender defaults to the profile's), every reply checked. */
    SendResult send(ScriptLocation at, DataSpec spec) throws SmtpException {
        spec.senderDefault(context.profileFrom());
        SendResult result = session(at, "send").send(spec.envelope(), spec.content());
        return checkSend(at, spec.envelopeFrom(), result);
    }
}
