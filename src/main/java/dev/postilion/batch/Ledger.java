package dev.postilion.batch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import dev.postilion.smtp.Reply;

/**
 * Where the batch's outcomes are recorded: each goes to the journal (when there is one), the report,
 * the {@link Tally} and the problem list, in that order. It also keeps the run of identical permanent
 * errors ({@code maxErrors}): when the server refuses everything alike, the batch stops. A journal
 * that cannot be written stops the batch before its next final dot.
 */
final class Ledger {

    private final BatchOptions options;
    private final BiConsumer<Outcome, String> stop;
    private final Runnable progress;
    private final Tally tally;
    /** Volatile: the batch's cancel forces it to disk from another thread. */
    private volatile Journal journal;
    private Report report = Report.none();
    private final List<String> problems = new ArrayList<>();
    private long moreProblems;
    private String lastErrorKey;
    private volatile int errorRun;

    /**
     * @param stop stops the batch with an outcome and a reason (the first stop wins)
     * @param progress redraws the progress display after an outcome
     */
    Ledger(BatchOptions options, Tally tally, BiConsumer<Outcome, String> stop, Runnable progress) {
        this.options = options;
        this.tally = tally;
        this.stop = stop;
        this.progress = progress;
    }

    Tally tally() {
        return tally;
    }

    Journal journal() {
        return journal;
    }

    void journal(Journal j) {
        this.journal = j;
    }

    Report report() {
        return report;
    }

    /**
     * Opens the report at {@code path} (written to {@code path.partial} until the end): flushed
     * whenever the journal is forced to disk, and on a resume it first carries forward the final
     * outcomes earlier runs recorded. A write that fails stops the batch.
     */
    Report openReport(java.nio.file.Path path, Journal.Opener files) throws IOException {
        report = Report.to(path, files).onFailure(e -> stop.accept(Outcome.LOCAL_IO, "report " + Journal.shown(path)
                + " cannot be written: " + e.getMessage() + "\n    the batch stopped before its next message; "
                + ReplyClassifier.JOURNAL_FIX));
        Journal j = journal;
        if (j != null) {
            Report r = report;
            j.onSync(r::flush);
            if (options.resume()) {
                j.earlierOutcomes(this::earlier);
            }
        }
        return report;
    }

    /** Records what a {@link ReplyClassifier} verdict says of a row, step by step: outcomes, not-taken notes, stops. */
    void record(Work w, List<ReplyClassifier.Step> steps) {
        for (ReplyClassifier.Step step : steps) {
            if (step instanceof ReplyClassifier.Resolve r) {
                boolean delivered = r.state() == RecipientState.SENT;
                if (delivered) {
                    tally.messages.incrementAndGet();
                }
                resolve(w, r.to(), r.state(), r.reply(), r.problem(), r.queueId());
                if (delivered) {
                    clearErrorRun();
                }
                if (r.errorRun()) {
                    permanentError(r.reply(), r.item());
                }
            } else if (step instanceof ReplyClassifier.NotTaken n) {
                notTaken(w, n.to(), n.end());
            } else if (step instanceof ReplyClassifier.Stop s) {
                stop.accept(s.outcome(), s.reason());
            }
        }
    }

    /** Records a final state for some recipients of a row. */
    void resolve(Work w, List<String> to, RecipientState state, Reply reply, String problem, String queueId) {
        resolve(w, to, state, reply, problem, queueId, true);
    }

    /** Records a final state for some recipients of a row: journal (unless {@code journalIt} is false), report, counts, problems. */
    void resolve(Work w, List<String> to, RecipientState state, Reply reply, String problem, String queueId,
                 boolean journalIt) {
        if (to.isEmpty()) {
            return;
        }
        boolean done;
        synchronized (w) {
            w.open -= to.size();
            if (!state.isFinal()) {
                w.clean = false;
            }
            done = w.open <= 0 && w.clean;
        }
        int attempts = w.tries + 1;
        Journal j = journal;
        if (j != null && journalIt) {
            String first = state == RecipientState.DEFERRED || state == RecipientState.EXPIRED
                    ? java.time.Instant.ofEpochMilli(w.firstTry).toString() : null;
            write(j, JournalEntry.result(w.row.number(), w.key, state, to, reply == null ? null : reply.code(), queueId,
                    state != RecipientState.SENT && reply != null ? reply.lines().get(0) : null, first, attempts, done),
                    "\n    the batch stopped before its next message (nothing is sent that cannot be recorded)\n    ");
        }
        tally.recipients(state, to.size());
        for (String r : to) {
            report.line(ReportLine.outcome(w.row.number(), r, state, w.messageId, reply, queueId, attempts,
                    problem != null && (reply == null || state == RecipientState.EXPIRED) ? problem : null));
            if (state != RecipientState.SENT) {
                String text = problem != null ? problem + (reply != null && state == RecipientState.EXPIRED
                        ? "; the last reply: " + reply : "") : reply != null ? reply.toString() : state.wire();
                problem(item(w, r) + state.wire() + ": " + text);
            }
        }
        progress.run();
    }

    /**
     * Journals that the server answered the final dot without taking the message, so that a resume
     * does not take the "sending" line for a message in doubt, whatever becomes of these recipients
     * in this run (sent on a retry, deferred, or left pending when the batch stops).
     */
    void notTaken(Work w, List<String> to, Reply end) {
        Journal j = journal;
        if (j != null) {
            write(j, JournalEntry.notSent(w.row.number(), w.key, to, end.code(), end.lines().get(0)),
                    "\n    the batch stopped before its next message (nothing is sent that cannot be recorded)\n    ");
        }
    }

    private void write(Journal j, JournalEntry entry, String then) {
        try {
            j.result(entry);
        } catch (IOException e) {
            stop.accept(Outcome.LOCAL_IO, "journal " + j.path() + " cannot be written: " + e.getMessage() + then
                    + ReplyClassifier.JOURNAL_FIX);
        }
    }

    /** A dry run's row: every recipient checked, nothing sent. */
    void checked(Work w) {
        tally.messages.incrementAndGet();
        tally.checked.addAndGet(w.pending.size());
        for (String to : w.pending) {
            report.line(ReportLine.checked(w.row.number(), to, w.messageId));
        }
        tally.finished.incrementAndGet();
    }

    /** A row the script made no message for. */
    void skipped(Row row) {
        tally.skipped.incrementAndGet();
        tally.finished.incrementAndGet();
        report.line(ReportLine.skipped(row.number()));
        progress.run();
    }

    /** A final outcome of an earlier run, carried into this run's report: one line per recipient. */
    void earlier(JournalEntry e) {
        for (String r : e.to() == null ? List.<String>of() : e.to()) {
            report.line(ReportLine.earlier(e, r));
        }
    }

    /**
     * A row whose key an earlier row of this run already had (the same recipients, or the same named
     * key): not sent again; reported, and counted with the skipped rows.
     */
    void duplicate(Row row, long key, String keyName) {
        tally.duplicates.incrementAndGet();
        tally.skipped.incrementAndGet();
        tally.finished.incrementAndGet();
        report.line(ReportLine.duplicate(row.number(), RowKey.hex(key),
                "row " + row.number() + " has the key of an earlier row (" + keyName + "): sent once"));
        progress.run();
    }

    void invalidRow(Row row, String why) {
        invalidRow(row, why, null);
    }

    /** A row that cannot make a message; {@code where} is the script line that found it, or null. */
    void invalidRow(Row row, String why, String where) {
        tally.invalid.incrementAndGet();
        tally.finished.incrementAndGet();
        String field = options.addressField();
        String address = field == null ? null : row.text(field);
        if (address != null && (address.length() > 200 || address.chars().anyMatch(c -> c < 0x20))) {
            address = null;
        }
        report.line(ReportLine.invalid(row.number(), address, "row " + row.number() + " " + why));
        Journal j = journal;
        if (j != null) {
            write(j, JournalEntry.invalid(row.number(), why), "\n    the batch stopped before its next message; ");
        }
        problem("[row " + row.number() + (address != null ? " " + address : "") + "] "
                + (where != null ? where + ": " : origin()) + "invalid row: " + why);
        progress.run();
    }

    /** A row left unsent because the batch stopped: reported as pending, not journaled (a resume sends it). */
    void pending(Work w) {
        tally.pending.incrementAndGet();
        report.line(ReportLine.pending(w.row.number(), w.pending));
    }

    /** The prefix of a problem line about one recipient of a row. */
    String item(Work w, String to) {
        return "[row " + w.row.number() + " " + to + "] " + origin();
    }

    /** Where the batch was started, as a problem line's prefix, or "". */
    String origin() {
        return options.origin() == null ? "" : options.origin() + ": ";
    }

    private synchronized void problem(String text) {
        if (problems.size() < BatchOptions.PROBLEMS_SHOWN) {
            problems.add(text);
        } else {
            moreProblems++;
        }
    }

    /** The problems kept for the console. */
    synchronized List<String> problems() {
        return new ArrayList<>(problems);
    }

    /** Problems beyond {@link BatchOptions#PROBLEMS_SHOWN}. */
    synchronized long moreProblems() {
        return moreProblems;
    }

    /** A permanent refusal: a run of {@code maxErrors} identical ones in a row stops the batch. */
    synchronized void permanentError(Reply reply, String item) {
        String key = reply.code() + " " + (reply.enhanced() == null ? "" : reply.enhanced());
        if (key.equals(lastErrorKey)) {
            errorRun++;
        } else {
            lastErrorKey = key;
            errorRun = 1;
        }
        if (options.maxErrors() > 0 && errorRun >= options.maxErrors()) {
            stop.accept(Outcome.FAILED, "stopped after " + errorRun + " identical permanent errors in a row (the last: "
                    + item + reply.lines().get(0) + ")\n    the server refuses everything alike (sender throttled, quota,"
                    + " policy?); find the cause, then run again with --resume (maxErrors 0 never stops)");
        }
    }

    /** A delivery ends the run of identical errors. */
    void clearErrorRun() {
        if (errorRun == 0) {
            return;
        }
        synchronized (this) {
            lastErrorKey = null;
            errorRun = 0;
        }
    }

    /** What the console hears at the end about rows not sent again: changed since an earlier run, or duplicates. */
    List<String> notices(String source, String keyName) {
        List<String> lines = new ArrayList<>();
        if (tally.changed.get() > 0) {
            lines.add(source + ": " + tally.changed.get() + (tally.changed.get() == 1 ? " row" : " rows")
                    + " sent in an earlier run changed since (other cells than the key); not sent again: rows are"
                    + " matched by key");
        }
        if (tally.duplicates.get() > 0) {
            lines.add(source + ": " + tally.duplicates.get() + (tally.duplicates.get() == 1 ? " row repeats"
                    : " rows repeat") + " the key of an earlier row (" + keyName + "); each key was sent once (the"
                    + " report lists them as duplicate; name a key: to send one person several messages)");
        }
        return lines;
    }
}
