package dev.postilion.batch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpStage;

/**
 * The batch's reply policy, as pure functions: a transaction's replies (or the exception that ended
 * it) become a {@link Verdict} that says, in order, which recipients reached which
 * {@link RecipientState}, which go in a new transaction at once, which wait for a retry, what the
 * server's backoff timer hears, and whether the batch stops. Nothing here touches the row, the
 * journal or a counter: the worker applies the verdict.
 */
final class ReplyClassifier {

    private ReplyClassifier() {
    }

    /** One thing a verdict does, applied in order. */
    sealed interface Step {
    }

    /**
     * A final state for some recipients.
     *
     * @param errorRun a permanent refusal that counts towards the run of identical errors ({@code maxErrors})
     * @param item the problem line's prefix ({@code [row 17 b@y] origin: })
     */
    record Resolve(List<String> to, RecipientState state, Reply reply, String problem, String queueId,
                   boolean errorRun, String item) implements Step {
    }

    /** The server answered the final dot without taking the message (journaled as {@code not-sent}). */
    record NotTaken(List<String> to, Reply end) implements Step {
    }

    /** The batch stops. */
    record Stop(Outcome outcome, String reason) implements Step {
    }

    /** What the server's shared backoff timer ({@link HostBackoff}) hears of the transaction. */
    enum Host {
        /** A delivery, or refusals that were all permanent: the server is at work. */
        ANSWERED,
        /** Refused temporarily with nothing delivered: counts towards a pause. */
        FAILED,
        /** Nothing to tell. */
        NONE
    }

    /**
     * What a transaction's outcome means.
     *
     * @param steps final states, not-taken notes and stops, in the order they are applied
     * @param later recipients to retry after this round
     * @param now recipients to send at once in a new transaction (after a 452, or beyond maxRecipients)
     * @param lastReply the row's last temporary reply afterwards
     * @param lastProblem the row's last temporary problem afterwards
     * @param host what the backoff timer hears; {@code hostLast} is the last problem in words for it
     * @param unsent true when the batch stopped and the recipients stay unsent (pending for a resume)
     */
    record Verdict(List<Step> steps, List<String> later, List<String> now, Reply lastReply, String lastProblem,
                   Host host, String hostLast, boolean unsent) {
    }

    /** How a transaction without replies ended, as the session's listener saw it. */
    record Attempt(List<String> accepted, boolean dotNext, boolean stoppedBeforeDot, IOException journalFailure) {
    }

    /** What the batch tells an operator after a journal write failed. */
    static final String JOURNAL_FIX = "free space (or move the journal), then run again with --resume: a"
            + " message whose result line was lost is listed as in doubt, none is sent twice";

    /** The verdict under construction. */
    private static final class Draft {
        final List<Step> steps = new ArrayList<>();
        final List<String> later = new ArrayList<>();
        Reply lastReply;
        String lastProblem;
        final Work w;
        final BatchOptions options;
        final String server;

        Draft(Work w, BatchOptions options, String server) {
            this.w = w;
            this.options = options;
            this.server = server;
            this.lastReply = w.lastReply;
            this.lastProblem = w.lastProblem;
        }

        String item(String to) {
            return "[row " + w.row.number() + " " + to + "] " + (options.origin() == null ? "" : options.origin() + ": ");
        }

        void temporary(List<String> to, Reply reply) {
            later.addAll(to);
            lastReply = reply;
            lastProblem = null;
        }

        void refused(List<String> to, SmtpStage stage, String command, Reply reply) {
            String text = SmtpException.unexpected(stage, command, reply, server).getMessage();
            steps.add(new Resolve(to, RecipientState.FAILED, reply, text, null, true, item(to.get(0))));
        }

        /**
         * LIM-03: the account's daily quota is used up. Every later message would be refused alike, so
         * the batch stops at once; these recipients, like every row not sent, stay pending for a resume.
         */
        void quotaReached(List<String> to, Reply reply) {
            later.addAll(to);
            lastReply = reply;
            lastProblem = null;
            steps.add(new Stop(Outcome.DEFERRED, item(to.get(0)) + "the account's daily sending quota is used up\n    "
                    + server + " replied: " + reply.toString().replace("\n", "\n    ") + "\n    the quota counts the"
                    + " whole account over a rolling 24 h, so the batch stopped at once; what it did not send stays"
                    + " pending\n    resume after a rolling 24 h: run the batch again then with --resume"
                    + (options.journal() == null ? " (and a journal: without one, a second run sends everything again)"
                    : "")));
        }

        Verdict verdict(List<String> now, Host host, String hostLast, boolean unsent) {
            return new Verdict(steps, later, now, lastReply, lastProblem, host, hostLast, unsent);
        }
    }

    /** How many of {@code to} go in one transaction. */
    static int inOneTransaction(List<String> to, BatchOptions options) {
        int max = options.maxRecipients();
        return max > 0 ? Math.min(max, to.size()) : to.size();
    }

    /**
     * Sorts a transaction's replies into outcomes for the recipients {@code tried} (the row's current
     * transaction: {@code w.now}).
     */
    static Verdict classify(Work w, List<String> tried, SendResult r, BatchOptions options, String server) {
        Draft d = new Draft(w, options, server);
        Reply mail = r.mail();
        if (!mail.isPositiveCompletion()) {
            if (DailyQuota.reached(mail)) {
                d.quotaReached(tried, mail);
            } else if (mail.isTransientNegative()) {
                d.temporary(tried, mail);
            } else {
                d.refused(tried, SmtpStage.MAIL, "MAIL FROM:<" + w.message.envelopeFrom().orElse("") + ">", mail);
            }
            return d.verdict(List.of(), d.later.isEmpty() ? Host.ANSWERED : Host.FAILED, mail.toString(), false);
        }
        List<String> accepted = new ArrayList<>();
        List<String> tooMany = new ArrayList<>();
        int inThis = inOneTransaction(tried, options);
        for (SendResult.RecipientReply rr : r.recipients()) {
            Reply reply = rr.reply();
            if (reply.isPositiveCompletion()) {
                accepted.add(rr.address());
            } else if (DailyQuota.reached(reply)) {
                d.quotaReached(List.of(rr.address()), reply);
            } else if (reply.code() == 452 || "4.5.3".equals(reply.enhanced())) {
                // RFC 5321 4.5.3.1.10: too many recipients; send the rest in another transaction.
                tooMany.add(rr.address());
                d.lastReply = reply;
            } else if (reply.isTransientNegative()) {
                d.temporary(List.of(rr.address()), reply);
            } else {
                d.refused(List.of(rr.address()), SmtpStage.RCPT, "RCPT TO:<" + rr.address() + ">", reply);
            }
        }
        for (int i = r.recipients().size(); i < inThis; i++) {
            d.later.add(tried.get(i));
            d.lastReply = null;
            d.lastProblem = "the connection closed before the reply to RCPT TO:<" + tried.get(i) + ">";
        }
        boolean delivered = false;
        if (!accepted.isEmpty()) {
            Reply end = r.end();
            if (end != null && end.isTransientNegative() || DailyQuota.reached(end)) {
                d.steps.add(new NotTaken(accepted, end));
            }
            if (end != null) {
                if (end.isPositiveCompletion()) {
                    delivered = true;
                    d.steps.add(new Resolve(accepted, RecipientState.SENT, end, null, QueueId.of(end), false, null));
                } else if (DailyQuota.reached(end)) {
                    d.quotaReached(accepted, end);
                } else if (end.isTransientNegative()) {
                    d.temporary(accepted, end);
                } else {
                    d.refused(accepted, SmtpStage.DATA_END, "DATA (end of message)", end);
                }
            } else if (r.data() != null && r.data().isPermanentNegative()) {
                d.refused(accepted, SmtpStage.DATA, "DATA", r.data());
            } else if (r.data() != null && r.data().code() != 354) {
                d.temporary(accepted, r.data());
            } else {
                d.later.addAll(accepted);
                d.lastReply = null;
                d.lastProblem = "the connection closed before the message was sent";
            }
        }
        boolean temporary = !d.later.isEmpty() || !tooMany.isEmpty();
        List<String> now = new ArrayList<>();
        if (!tooMany.isEmpty()) {
            if (delivered) {
                now.addAll(tooMany);
            } else {
                d.later.addAll(tooMany);
            }
        }
        // Recipients beyond maxRecipients were not in this transaction: they go in the next one, at once.
        now.addAll(tried.subList(inThis, tried.size()));
        return d.verdict(now, delivered || !temporary ? Host.ANSWERED : Host.FAILED,
                d.lastReply != null ? d.lastReply.toString() : d.lastProblem, false);
    }

    /** Sorts a transaction that ended without replies (the exception says why) into outcomes. */
    static Verdict classify(Work w, List<String> tried, SmtpException e, Attempt tx, BatchOptions options,
                            String server) {
        Draft d = new Draft(w, options, server);
        if (tx.stoppedBeforeDot()) {
            return d.verdict(List.of(), Host.NONE, null, true);  // cancelled: the recipients stay pending for --resume
        }
        if (tx.journalFailure() != null) {
            d.steps.add(new Stop(Outcome.LOCAL_IO, "journal " + Journal.shown(options.journal()) + " cannot be"
                    + " written: " + tx.journalFailure().getMessage() + "\n    the final dot was not sent; the batch"
                    + " stopped (nothing is sent that cannot be recorded)\n    " + JOURNAL_FIX));
            return d.verdict(List.of(), Host.NONE, null, true);
        }
        if (tx.dotNext() && e.stage() == SmtpStage.DATA_END) {
            // RFC 1047: the dot went out and no reply came back; the server may have the message.
            String why = e.getMessage().startsWith(". failed: ") ? e.getMessage().substring(10) : e.getMessage();
            d.steps.add(new Resolve(tx.accepted(), RecipientState.IN_DOUBT, e.reply(), "the final dot was sent, then "
                    + why, null, false, d.item(tx.accepted().get(0))));
            for (String t : tried) {
                if (!tx.accepted().contains(t)) {
                    d.later.add(t);
                }
            }
            d.lastProblem = e.getMessage();
            return d.verdict(List.of(), Host.NONE, null, false);
        }
        switch (e.kind()) {
            case TEMPORARY, PROTOCOL -> {
                d.later.addAll(tried);
                d.lastReply = e.reply();
                d.lastProblem = e.getMessage();
                return d.verdict(List.of(), Host.FAILED, e.reply() != null ? e.reply().toString() : e.getMessage(),
                        false);
            }
            case PERMANENT, INPUT -> {
                if (DailyQuota.reached(e.reply())) {
                    d.quotaReached(tried, e.reply());
                } else {
                    d.steps.add(new Resolve(tried, RecipientState.FAILED, e.reply(), e.getMessage(), null, false,
                            d.item(tried.get(0))));
                }
                return d.verdict(List.of(), Host.NONE, null, false);
            }
            case AUTH -> d.steps.add(new Stop(Outcome.AUTH_FAILED, e.getMessage()));
            case TLS, CONFIG -> d.steps.add(new Stop(Outcome.CONFIG, e.getMessage()));
            case LOCAL_IO -> d.steps.add(new Stop(Outcome.LOCAL_IO, d.item(tried.get(0)) + e.getMessage()));
            default -> d.steps.add(new Stop(Outcome.INTERNAL, d.item(tried.get(0)) + e.getMessage()));
        }
        return d.verdict(List.of(), Host.NONE, null, true);
    }

    /**
     * LIM-02: a reply saying the account has too many connections at once (Exchange: {@code 432
     * 4.3.2 Concurrent connections limit exceeded}, {@code 421 4.3.2 ... concurrent connections});
     * it asks for fewer connections, not for giving up.
     */
    static boolean tooManyConnections(Reply r) {
        if (r == null || !r.isTransientNegative()) {
            return false;
        }
        return r.code() == 432 || "4.3.2".equals(r.enhanced())
                && CONCURRENCY_TEXT.matcher(String.join(" ", r.lines())).find();
    }

    private static final java.util.regex.Pattern CONCURRENCY_TEXT =
            java.util.regex.Pattern.compile("(?i)concurren|thread limit|too many connections");
}
