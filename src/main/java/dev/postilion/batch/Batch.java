package dev.postilion.batch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.postilion.message.MessageException;
import dev.postilion.message.MessageSpec;

/**
 * A bulk send: rows from a {@link RowSource}, one message per row made by a builder, sent over a
 * pool of connections that a {@link SessionFactory} opens (connect, TLS and AUTH once per
 * connection, then many transactions, pipelined when the server offers it).
 *
 * <p>The source is read on the calling thread into a bounded queue; each connection has its own
 * worker thread, which builds the row's message and sends it. Memory holds only what is in flight.
 * A shared token bucket keeps the rate; 4xx replies, timeouts and lost connections are retried with
 * backoff, and a server that refuses message after message gets one backoff timer for all
 * connections ({@link HostBackoff}); a message refused temporarily past its maximum age expires; a
 * 452 "too many recipients", and recipients beyond {@code maxRecipients}, go in a new transaction at
 * once; a run of identical permanent errors, an AUTH refusal, the account's daily quota
 * ({@link DailyQuota}) or a broken configuration stops the batch. With a {@link Journal}, every
 * message's state is recorded so a killed batch resumes without losing or repeating anything
 * outside the in-doubt list; a journal that cannot be written stops the batch before its next
 * final dot.
 *
 * <p>The builder gets each row and returns a {@link MessageSpec} (or null to skip the row); it runs
 * on the worker threads, so it must be safe to call from several threads at once. The batch adds a
 * stable Message-ID (from the batch id and the row number) and a Date when the spec has none, so a
 * resent message is the same message. A builder throws {@link InvalidRowException} (or a
 * {@link MessageException} for bad data) for a row that cannot make a message; any other exception
 * stops the batch and is rethrown by {@link #run()}.
 *
 * <p>This class orchestrates (threads, the read loop, stops, the summary). The rooms it drives:
 * {@link JournalStart} (where a run starts from), {@link RowMessages} (a row becomes a message),
 * {@link Worker} and {@link Transaction} (one connection and its transactions), {@link ReplyClassifier}
 * (what replies mean), {@link Ledger} (where outcomes are recorded: {@link Journal}, {@link Report}).
 */
public final class Batch {

    private final RowSource source;
    private final Function<Row, MessageSpec> builder;
    private final SessionFactory sessions;
    private final BatchOptions options;
    /** Made once the journal is open (it knows the batch id and what earlier runs did). */
    private RowMessages messages;
    private final Ledger ledger;
    private final Tally tally;
    private final ProgressTotal progress;

    /** Volatile: {@link #cancel} forces it to disk from another thread. */
    private volatile Journal journal;
    private ResumeState resume = new ResumeState();
    /** A journal written before keys: rows are matched (and sharded) by row number. */
    private boolean byRowNumber;
    /** What the script names as a row's key, or null for the default (its envelope recipients). */
    private Function<Row, Object> keyFunction;
    private String keyName = Journal.KEYS_DEFAULT;
    private boolean acceptSourceChange;
    private Map<String, Object> about = Map.of();
    private String batchId;
    private Report report = Report.none();
    private WorkQueue queue;
    private RateLimiter limiter;
    private HostBackoff host;
    private volatile RowReader reader;
    private Journal.Opener journalFiles = Journal.Opener.FILE;
    private Journal.Opener reportFiles = Journal.Opener.FILE;
    private boolean createJournal;
    private Map<String, Path> otherOutputs = Map.of();

    private Outcome stopOutcome;
    private String stopReason;
    private Throwable fatal;
    /** Why the batch was cancelled from outside; from then on no final dot is sent. */
    private volatile String cancelled;

    /**
     * A batch.
     *
     * @param source where the rows come from
     * @param builder one message per row (null skips the row); called on worker threads
     * @param sessions opens one authenticated connection of the pool
     * @param options concurrency, rate, retries, journal, report ...
     */
    public Batch(RowSource source, Function<Row, MessageSpec> builder, SessionFactory sessions, BatchOptions options) {
        this.source = source;
        this.builder = builder;
        this.sessions = sessions;
        this.options = options;
        this.tally = new Tally();
        this.progress = new ProgressTotal(options, tally);
        this.ledger = new Ledger(options, tally, this::stop, progress::update);
    }

    /**
     * With {@code --resume}: start a new journal when none exists (a cron line's first run) instead of
     * refusing; off by default, so that a resume from the wrong folder, or after the journal was
     * moved, sends nothing.
     */
    public Batch createJournal(boolean on) {
        this.createJournal = on;
        return this;
    }

    /**
     * Identifies rows by what {@code key} returns for each (a column's value, or a script's
     * closure), instead of by their envelope recipients: for lists where one person gets several
     * messages. {@code name} says in the journal how rows are keyed ({@code column email},
     * {@code script}); a resume must key them alike.
     */
    public Batch keyedBy(String name, Function<Row, Object> key) {
        this.keyName = name;
        this.keyFunction = key;
        return this;
    }

    /**
     * With a resume: go on although the source lacks most of the journal's keys (an intended edit;
     * matching by key still sends each recipient once), or keys rows otherwise.
     */
    public Batch acceptSourceChange(boolean on) {
        this.acceptSourceChange = on;
        return this;
    }

    /** Facts for a new journal's header, such as the script's name and digest. */
    public Batch about(Map<String, Object> facts) {
        this.about = new LinkedHashMap<>(facts);
        return this;
    }

    /**
     * The run's other output files ({@code --transcript}, {@code --outbox}) by option name: none of
     * them may be the journal or the report.
     */
    public Batch otherOutputs(Map<String, Path> files) {
        this.otherOutputs = new LinkedHashMap<>(files);
        return this;
    }

    /** Opens the report's file with {@code opener} (tests: a disk that fills up). */
    Batch reportFiles(Journal.Opener opener) {
        this.reportFiles = opener;
        return this;
    }

    /** Opens the journal's file with {@code opener} (tests: a disk that fills up). */
    Batch journalFiles(Journal.Opener opener) {
        this.journalFiles = opener;
        return this;
    }

    /**
     * Runs the batch to its end (or until it stops) and returns what happened. Nothing is thrown
     * for failed sends: they are in the result, the report and the journal.
     *
     * @throws RuntimeException the builder's own failure (a bug in the script), after the journal and
     *                          report are closed
     */
    public BatchResult run() {
        long started = System.nanoTime();
        Path reportPath = options.dryRun() ? null : options.report();
        String clash = BatchFiles.clash(options, otherOutputs);
        if (clash != null) {
            return early(Outcome.USAGE, clash + "; nothing was sent", started);
        }
        JournalStart.Start start;
        try {
            start = new JournalStart(source, builder, options, keyName, keyFunction, acceptSourceChange, createJournal,
                    journalFiles, about).open();
        } catch (JournalException e) {
            return early(e.outcome(), e.getMessage(), started);
        } catch (IOException e) {
            return early(Outcome.LOCAL_IO, "journal " + Journal.shown(options.journal()) + " cannot be opened: "
                    + e.getMessage() + "; nothing was sent", started);
        }
        journal = start.journal();
        ledger.journal(journal);
        resume = start.resume();
        batchId = start.batchId();
        byRowNumber = start.byRowNumber();
        if (start.refusal() != null) {
            // The source is not the list the journal records: nothing is sent.
            stop(Outcome.BAD_SOURCE, start.refusal());
            closeJournalQuietly();
            return early(stopOutcome, stopReason, started);
        }
        try {
            if (reportPath != null) {
                report = ledger.openReport(reportPath, reportFiles);
            }
        } catch (IOException e) {
            closeJournalQuietly();
            return early(Outcome.LOCAL_IO, "report " + reportPath + " cannot be written: " + e.getMessage()
                    + "; nothing was sent", started);
        }
        messages = new RowMessages(builder, options, ledger, resume, byRowNumber, batchId, keyName, keyFunction,
                this::stop, progress::update);
        limiter = options.rate() == null ? null : new RateLimiter(options.rate(), options.clock());
        host = new HostBackoff(options.retry(), options.clock(), options.random());
        int n = options.concurrency();
        Worker.Connections connections = new Worker.Connections(n);
        queue = new WorkQueue(Math.max(16, n * 4), Math.max(8, n * 2), Math.max(64, n * 64), options.clock());
        List<Thread> threads = new ArrayList<>();
        // Messages are built on their own threads, one per core: building a MIME message costs more
        // CPU than sending it, so even a single connection is fed by every core.
        int builders = Math.max(1, Runtime.getRuntime().availableProcessors());
        for (int i = 1; i <= builders; i++) {
            threads.add(start(messages.builder(queue, this::fatal), "postilion-batch-build-" + i));
        }
        for (int i = 1; i <= n; i++) {
            threads.add(start(new Worker(i, this, messages, queue, limiter, host, ledger, sessions, connections),
                    "postilion-batch-" + i));
        }
        read();
        queue.inputDone();
        for (Thread t : threads) {
            joinUninterruptibly(t);
        }
        for (Work w : queue.drain()) {
            ledger.pending(w);
        }
        return finish(started);
    }

    // ------------------------------------------------------------------ reading

    private void read() {
        try {
            reader = source.open();
            List<String> columns = RowSource.columns(reader);
            String field = options.addressField();
            if (columns != null && field != null && !columns.contains(field)) {
                stop(Outcome.BAD_SOURCE, source.describe() + " has no '" + field + "' column (its columns: "
                        + String.join(", ", columns) + "); name the column that holds the address with addressField");
                return;
            }
            progress.start(reader, resume);
            Row row;
            while (!queue.stopped() && (row = reader.next()) != null) {
                Work work = new Work(row);
                if (!messages.claimBeforeBuilding(work)) {
                    continue;
                }
                String why = row.problem() != null ? row.problem() : RowMessages.addressProblem(row, options);
                if (why != null && work.key == null && !byRowNumber && options.shard().index() != 1) {
                    continue;  // a row without a key belongs to no shard: the first reports it
                }
                tally.rows.incrementAndGet();
                if (why != null) {
                    ledger.invalidRow(row, why);
                    continue;
                }
                if (!queue.put(work)) {
                    // Counted as read, so it must be counted as left: every row ends in exactly one count.
                    ledger.pending(work);
                    break;
                }
                progress.update();
            }
            if (!queue.stopped()) {
                progress.readToEnd();
            }
        } catch (SourceException e) {
            stop(e.missing() ? Outcome.NO_INPUT : Outcome.BAD_SOURCE, e.getMessage());
        } catch (IOException e) {
            stop(Outcome.BAD_SOURCE, "cannot read " + source.describe() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(Outcome.DEFERRED, "interrupted while reading " + source.describe());
        } catch (RuntimeException | Error e) {
            fatal(e);
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // Everything needed has been read; a failing close changes nothing sent.
                }
            }
        }
    }

    private static Thread start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    BatchOptions options() {
        return options;
    }

    /** Why the batch was cancelled from outside, or null. */
    String cancelled() {
        return cancelled;
    }

    Journal journal() {
        return journal;
    }

    /**
     * Stops the batch from another thread (the run's time limit, a signal): no further message
     * starts, and a message still being written never gets its final dot (the server discards it;
     * it stays pending); messages whose dot went out get their reply or are in doubt. Unsent rows
     * stay pending for {@code --resume}, and the journal is forced to disk at once. {@link #run()}
     * then returns as for any stop.
     */
    public void cancel(String reason) {
        cancelled = reason;
        stop(Outcome.DEFERRED, reason);
        report.flush();
        Journal j = journal;
        if (j != null) {
            try {
                j.sync();
            } catch (IOException e) {
                // Closed already (the batch ended meanwhile) or failing: run() reports a write failure itself.
            }
        }
    }

    synchronized void stop(Outcome outcome, String reason) {
        if (stopOutcome == null) {
            stopOutcome = outcome;
            stopReason = reason;
        }
        if (queue != null) {
            queue.stop();
        }
    }

    synchronized void fatal(Throwable t) {
        if (fatal == null) {
            fatal = t;
        }
        stop(Outcome.INTERNAL, String.valueOf(t.getMessage()));
    }

    private Totals totals() {
        return tally.snapshot();
    }

    // ------------------------------------------------------------------ the end

    private BatchResult finish(long started) {
        try {
            if (journal != null) {
                journal.close();
            }
        } catch (IOException e) {
            stop(Outcome.LOCAL_IO, "journal " + Journal.shown(options.journal()) + " cannot be written: " + e.getMessage());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        Totals t = totals();
        Outcome outcome = outcome(t);
        ledger.notices(source.describe(), keyName).forEach(options.log());
        BatchResult result;
        synchronized (this) {
            result = new BatchResult(outcome, t, stopReason, ledger.problems(), ledger.moreProblems(), elapsed, batchId,
                    report.path(), options.journal());
        }
        report.line(new ReportLine.Summary(batchId, source.describe(), options.shard().toString(), outcome, t,
                options.dryRun(), stopReason, elapsed.toMillis(), Math.round(result.messagesPerSecond() * 10) / 10.0));
        try {
            report.close();
        } catch (IOException e) {
            String why;
            synchronized (this) {
                why = stopOutcome == Outcome.LOCAL_IO && stopReason != null && stopReason.startsWith("report ")
                        ? stopReason : "report " + Journal.shown(options.report()) + " cannot be written: "
                        + e.getMessage() + "; the previous report is kept";
            }
            result = new BatchResult(Outcome.LOCAL_IO, t, why, ledger.problems(), ledger.moreProblems(), elapsed, batchId, null,
                    options.journal());
        }
        progress.close();
        options.log().accept(result.summary(source.describe()));
        if (fatal instanceof RuntimeException re) {
            throw re;
        }
        if (fatal instanceof Error err) {
            throw err;
        }
        return result;
    }

    private synchronized Outcome outcome(Totals t) {
        if (stopOutcome != null && stopOutcome != Outcome.FAILED && stopOutcome != Outcome.DEFERRED) {
            return stopOutcome;
        }
        if (t.deferred() > 0 || t.inDoubt() > 0 || stopOutcome == Outcome.DEFERRED) {
            return Outcome.DEFERRED;
        }
        if (t.failed() > 0 || t.expired() > 0 || stopOutcome == Outcome.FAILED) {
            return Outcome.FAILED;
        }
        if (t.invalid() > 0) {
            return Outcome.INVALID_ROWS;
        }
        return Outcome.SENT;
    }

    private BatchResult early(Outcome outcome, String reason, long started) {
        options.progress().close();
        options.log().accept(reason);
        return new BatchResult(outcome, totals(), reason, List.of(), 0, Duration.ofNanos(System.nanoTime() - started),
                batchId, null, options.journal());
    }

    private void closeJournalQuietly() {
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException ignored) {
                // Nothing was written after the header.
            }
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
