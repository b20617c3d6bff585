package dev.postilion.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.postilion.message.MessageException;
import dev.postilion.smtp.Envelope;
import dev.postilion.smtp.MessageContent;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;

/**
 * One connection of the batch's pool and the thread that drives it: takes ready rows, sends each
 * row's transactions (pipelined when the server offers it), applies the {@link ReplyClassifier}'s
 * verdict when the replies come, and puts rows back for a retry. LIM-02 lives here: a server that
 * allows fewer connections than the concurrency makes the highest-numbered workers retire.
 */
final class Worker implements Runnable {

    /** How many connections the server lets the batch keep (LIM-02), and how many are open; shared by the pool. */
    static final class Connections {
        /** The concurrency, fewer after a 432. */
        final AtomicInteger allowed;
        final AtomicInteger open = new AtomicInteger();

        Connections(int concurrency) {
            this.allowed = new AtomicInteger(concurrency);
        }
    }

    private final Batch batch;
    private final RowMessages messages;
    private final BatchOptions options;
    private final WorkQueue queue;
    private final RateLimiter limiter;
    private final HostBackoff host;
    private final Ledger ledger;
    private final Tally tally;
    private final SessionFactory sessions;
    private final Connections connections;
    /**
     * How long a connection with a final dot unanswered waits for a builder's next row before it
     * reads that reply instead: long enough for a message to be built, short for a server.
     */
    private static final long PATIENCE = TimeUnit.MILLISECONDS.toNanos(2);

    /** How a worker left a row: finished or put back, left unsent (the batch stopped), or awaiting its reply. */
    private enum Step { DONE, NOT_SENT, IN_FLIGHT }

    /** 1 to the concurrency: when the server allows fewer connections, the highest go first. */
    private final int index;
    private SmtpSession session;
    private SmtpException failure;
    private int onConnection;
    private int connectFailures;
    /** Rows whose last transaction left recipients to send at once (a 452); still taken from the queue. */
    private final ArrayDeque<Work> again = new ArrayDeque<>();

    Worker(int index, Batch batch, RowMessages messages, WorkQueue queue, RateLimiter limiter, HostBackoff host, Ledger ledger,
           SessionFactory sessions, Connections connections) {
        this.index = index;
        this.batch = batch;
        this.messages = messages;
        this.options = batch.options();
        this.queue = queue;
        this.limiter = limiter;
        this.host = host;
        this.ledger = ledger;
        this.tally = ledger.tally();
        this.sessions = sessions;
        this.connections = connections;
    }

    @Override
    public void run() {
        try {
            Work w;
            while ((w = next()) != null) {
                Step step;
                try {
                    step = process(w);
                } catch (RuntimeException | Error e) {
                    batch.fatal(e);
                    step = Step.NOT_SENT;
                }
                if (step != Step.IN_FLIGHT) {
                    release(w, step == Step.DONE);
                }
            }
        } catch (InterruptedException e) {
            batch.stop(Outcome.DEFERRED, "interrupted");
        } finally {
            hangUp();
            for (Work w; (w = again.poll()) != null; ) {
                release(w, false);
            }
        }
    }

    /**
     * The next row: one to send again at once, else one ready in the queue. Before waiting for
     * one, the reply to the last message's final dot is read (it may be what the queue waits for).
     */
    private Work next() throws InterruptedException {
        if (index > connections.allowed.get()) {
            retire();
            return null;
        }
        Work w = again.poll();
        if (w == null) {
            w = queue.poll(session != null && session.hasPending() ? PATIENCE : 0);
        }
        if (w != null) {
            return w;
        }
        settle();
        w = again.poll();
        return w != null ? w : queue.take();
    }

    /** Sends one transaction of the row; its outcome reaches {@link Transaction}, maybe later. */
    private Step process(Work w) throws InterruptedException {
        if (w.message == null) {
            Boolean ready = messages.prepare(w);
            if (ready == null) {
                return Step.NOT_SENT;
            }
            if (!ready) {
                return Step.DONE;
            }
        }
        if (options.dryRun()) {
            ledger.checked(w);
            return Step.DONE;
        }
        if (w.now == null) {
            w.now = w.pending;
            w.later = new ArrayList<>();
        }
        w.pending = concat(w.now, w.later);
        if (queue.stopped()) {
            return notSent(w);
        }
        if (limiter != null) {
            long wait = limiter.reserve();
            if (wait > 0) {
                // Waiting for the rate: read the last reply first rather than leave the dot unanswered.
                settle();
                options.clock().sleep(wait);
            }
        }
        SmtpSession s = session();
        if (s == null) {
            w.now = null;
            return connectFailed(w) ? Step.DONE : Step.NOT_SENT;
        }
        Transaction tx = new Transaction(batch, this, w, s.server());
        try {
            s.sendAhead(envelope(w, w.now), content(w), tx::beforeDataEnd, tx);
        } catch (SmtpException e) {
            w.onlyConnectFailures = false;
            ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, e, tx.attempt(), options, s.server());
            apply(w, v, s.server());
            dropIfClosed();
            return v.unsent() ? notSent(w) : complete(w);
        } catch (MessageException e) {
            dropIfClosed();
            if (e.kind() == MessageException.Kind.BAD_DATA) {
                ledger.resolve(w, w.now, RecipientState.FAILED, null, e.getMessage(), null);
                return complete(w);
            }
            batch.stop(e.kind() == MessageException.Kind.MISSING_INPUT ? Outcome.NO_INPUT : Outcome.LOCAL_IO,
                    ledger.item(w, w.now.get(0)) + e.getMessage());
            return notSent(w);
        }
        onConnection++;
        if (options.perConnection() > 0 && onConnection >= options.perConnection()) {
            hangUp();
        }
        dropIfClosed();
        return Step.IN_FLIGHT;
    }

    /** A transaction's replies, when they come: sorted into outcomes, then the row goes on or is done. */
    void ended(Work w, SendResult result, String server) {
        w.onlyConnectFailures = false;
        if (ReplyClassifier.tooManyConnections(result.decisive())) {
            limitSessions(connections.open.get() - 1, result.decisive());
        }
        ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, result, options, server);
        apply(w, v, server);
        List<String> more = v.now();
        if (!more.isEmpty()) {
            w.now = more;
            w.pending = concat(more, w.later);
            again.add(w);
            return;
        }
        release(w, complete(w) == Step.DONE);
    }

    /** The final dot went out and its reply never came. */
    void lost(Work w, Transaction tx, SmtpException e, String server) {
        w.onlyConnectFailures = false;
        ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, e, tx.attempt(), options, server);
        apply(w, v, server);
        release(w, v.unsent() ? notSent(w) == Step.DONE : complete(w) == Step.DONE);
    }

    /**
     * LIM-02: the server allows fewer connections than the concurrency, and this one is among
     * the extra: it finishes what it has, hangs up and hands its rows back to the others.
     */
    private void retire() {
        settle();
        hangUp();
        for (Work w; (w = again.poll()) != null; ) {
            queue.retry(w, options.clock().nanoTime());
            queue.done();
        }
    }

    /** The pending reply, if any, read now. */
    private void settle() {
        if (session != null && session.hasPending()) {
            session.completePending();
            dropIfClosed();
        }
    }

    /** The open session, or a new one; null when it could not be opened ({@link #failure} says why). */
    private SmtpSession session() throws InterruptedException {
        host.awaitTurn(this::hangUp);
        if (session != null && session.isOpen()) {
            return session;
        }
        if (session != null) {
            session.close();
            connections.open.decrementAndGet();
        }
        session = null;
        failure = null;
        if (connectFailures > 0) {
            options.clock().sleep(options.retry().delay(connectFailures, options.random().getAsDouble()).toNanos());
        }
        try {
            session = open();
            connections.open.incrementAndGet();
            onConnection = 0;
            connectFailures = 0;
            return session;
        } catch (SmtpException e) {
            failure = e;
            return null;
        }
    }

    /** After a failed connect: retry the row later, defer it, or stop the batch. */
    private boolean connectFailed(Work w) {
        SmtpException e = failure;
        String why = e.getMessage() + options.remedy().apply(e);
        switch (e.kind()) {
            case AUTH -> batch.stop(Outcome.AUTH_FAILED, why + "\n    the batch stopped at once: nothing more is sent"
                    + " with these credentials");
            case TLS, CONFIG -> batch.stop(Outcome.CONFIG, why);
            case PROTOCOL -> batch.stop(Outcome.PROTOCOL, why);
            case PERMANENT -> batch.stop(Outcome.FAILED, why + "\n    the server refuses the session; the batch stopped");
            case TEMPORARY -> {
                connectFailures++;
                if (ReplyClassifier.tooManyConnections(e.reply())) {
                    // LIM-02: a capacity signal, not the row's failure: fewer connections, and
                    // the row goes back at once without using up a try.
                    limitSessions(connections.open.get(), e.reply());
                    queue.retry(w, options.clock().nanoTime());
                    return true;
                }
                w.lastProblem = why;
                w.lastReply = e.reply();
                w.tries++;
                if (options.retry().mayRetry(w.tries)) {
                    queue.retry(w, options.clock().nanoTime() + RetryPlan.delay(options, w.tries));
                    return true;
                }
                if (!w.onlyConnectFailures) {
                    ledger.resolve(w, w.pending, RecipientState.DEFERRED, e.reply(), why, null);
                    tally.finished.incrementAndGet();
                    return true;
                }
                batch.stop(Outcome.DEFERRED, why + "\n    no connection after " + w.tries + " tries; the batch stopped"
                        + " (run it again later with --resume)");
            }
            default -> batch.stop(Outcome.INTERNAL, why);
        }
        return false;
    }

    private void dropIfClosed() {
        if (session != null && !session.isOpen()) {
            session.close();
            connections.open.decrementAndGet();
            session = null;
            // A 421 or a dropped connection: wait a little before the next connect.
            connectFailures = Math.max(connectFailures, 1);
        }
    }

    private void hangUp() {
        if (session != null) {
            try {
                session.quit();
            } catch (SmtpException ignored) {
                session.close();
            }
            connections.open.decrementAndGet();
            session = null;
        }
    }

    /** The server allows at most {@code n} connections: the workers above that hang up. */
    private void limitSessions(int n, Reply reply) {
        int target = Math.max(1, n);
        int before = connections.allowed.getAndUpdate(a -> Math.min(a, target));
        if (target < before) {
            options.log().accept("the server limits concurrent connections (" + reply.lines().get(0)
                    + "): going on with " + target + (target == 1 ? " connection" : " connections"));
        }
    }

    /** The row's transaction round is over: finished, or put back for a retry, or deferred. */
    private Step complete(Work w) {
        w.pending = w.later == null ? List.of() : w.later;
        w.now = null;
        w.later = null;
        if (w.pending.isEmpty()) {
            tally.finished.incrementAndGet();
            return Step.DONE;
        }
        return retryOrDefer(w) ? Step.DONE : Step.NOT_SENT;
    }

    /** The batch stopped with the row's recipients unsent. */
    private Step notSent(Work w) {
        if (w.now != null) {
            w.pending = concat(w.now, w.later == null ? List.of() : w.later);
        }
        w.now = null;
        w.later = null;
        return Step.NOT_SENT;
    }

    /** The worker is finished with the row: done, or left unsent (reported pending). */
    void release(Work w, boolean done) {
        if (!done) {
            ledger.pending(w);
        }
        queue.done();
    }

    /** The envelope: the first {@code maxRecipients} of {@code to} ({@link ReplyClassifier#classify} sends the rest next). */
    private Envelope envelope(Work w, List<String> to) {
        return w.message.envelope(to.subList(0, ReplyClassifier.inOneTransaction(to, options)));
    }

    private static MessageContent content(Work w) {
        return w.small != null ? w.small : w.message;
    }

    /** Applies a verdict of the {@link ReplyClassifier} to the row: outcomes, stops, the server's backoff. */
    private void apply(Work w, ReplyClassifier.Verdict v, String server) {
        w.later.addAll(v.later());
        w.lastReply = v.lastReply();
        w.lastProblem = v.lastProblem();
        ledger.record(w, v.steps());
        // BAT-07: a delivery, or refusals that were all permanent, show the server at work; a temporary
        // refusal with nothing delivered counts towards a pause, and enough of them in a row stop the batch.
        if (v.host() == ReplyClassifier.Host.ANSWERED) {
            host.answered();
        } else if (v.host() == ReplyClassifier.Host.FAILED && !queue.stopped() && host.failed(w.row.number())) {
            serverUnavailable(v.hostLast(), server);
        }
    }

    private void serverUnavailable(String last, String server) {
        batch.stop(Outcome.DEFERRED, server + " refused " + host.failuresInARow() + " messages in a row temporarily, each"
                + " after a longer pause (the last: " + String.valueOf(last).replace("\n", " ") + ")\n    the server"
                + " cannot take mail now: the batch stopped rather than retry every message on its own; what it did not"
                + " send stays pending\n    run it again later with --resume");
    }

    /**
     * Puts the row back for a retry, or records its pending recipients as deferred, or as expired
     * when the message has been refused temporarily for longer than {@code maxAge}. False when the
     * batch has stopped: the recipients stay pending, for a resume.
     */
    private boolean retryOrDefer(Work w) {
        if (queue.stopped()) {
            return false;
        }
        RetryPlan plan = RetryPlan.after(w, options);
        if (plan.retry()) {
            w.tries++;
            queue.retry(w, plan.due());
            return true;
        }
        ledger.resolve(w, w.pending, plan.state(), w.lastReply, plan.problem(), null);
        tally.finished.incrementAndGet();
        return true;
    }

    /**
     * Opens a connection of the pool. A host name that does not exist stops the whole batch at once
     * (RFC 5321 4.5.4.1: keep a list of unreachable hosts rather than retrying each item); the rows
     * stay pending, for a resume once the name is fixed.
     */
    private SmtpSession open() throws SmtpException {
        try {
            return sessions.open();
        } catch (SmtpException e) {
            if (e.kind() != SmtpException.Kind.NO_HOST) {
                throw e;
            }
            batch.stop(Outcome.NO_HOST, e.getMessage() + options.remedy().apply(e) + "\n    the batch stopped at once: no row is tried against a host"
                    + " that does not exist");
            // Seen as a configuration failure by the connection that opened it: the stop above came first.
            throw new SmtpException(SmtpException.Kind.CONFIG, e.stage(), e.command(), e.reply(), e.server(),
                    e.getMessage(), e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
