package dev.postilion.dsl;

import groovy.lang.Closure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import dev.postilion.batch.Batch;
import dev.postilion.batch.BatchOptions;
import dev.postilion.batch.BatchResult;
import dev.postilion.batch.InvalidRowException;
import dev.postilion.batch.Progress;
import dev.postilion.batch.Rate;
import dev.postilion.batch.RetryPolicy;
import dev.postilion.batch.Row;
import dev.postilion.batch.RowSource;
import dev.postilion.batch.SessionFactory;
import dev.postilion.batch.Shard;
import dev.postilion.message.MessageException;
import dev.postilion.message.MessageSpec;
import dev.postilion.profile.Profile;
import dev.postilion.smtp.SmtpException;
import dev.postilion.text.Spelling;

/**
 * The {@code batch} verb's work: reads its options (the command line's overrides winning), makes the
 * batch's connections like the script's last {@code connect} and {@code auth}, runs the script's
 * block once per row on the batch's workers, and turns the outcome into the script's exit:
 * deferred or failed items are reported when the script ends, a stop (AUTH refused, TLS, a missing
 * file) ends the script at once.
 */
final class BatchRun {

    private final ScriptScope script;
    private final ScriptLocation at;
    private final Map<String, ?> options;
    private final Object source;
    private final Closure<?> block;
    /** The rows, once {@link #run()} has them. */
    private RowSource rows;

    BatchRun(ScriptScope script, ScriptLocation at, Map<String, ?> options, Object source, Closure<?> block) {
        this.script = script;
        this.at = at;
        this.options = options;
        this.source = source;
        this.block = block;
    }

    // ------------------------------------------------------------------ running

    BatchResult run() {
        ScriptContext context = script.context();
        NamedArgs a = VerbOptions.BATCH.check(options, at);
        RowSource rows = rows();
        this.rows = rows;
        if (block == null) {
            throw new ScriptError(at, "batch needs a block: batch(csv('people.csv')) { row -> send { to row.email"
                    + " ... } }");
        }
        BatchOptions o = options(a, context);
        SessionFactory sessions;
        if (context.options().dryRun()) {
            sessions = () -> {
                throw new IllegalStateException("a dry run opens no connection");
            };
        } else {
            sessions = script.connections();
            if (sessions == null) {
                throw new ScriptError(at, "batch needs connect first (and auth if the server wants it): the batch"
                        + " opens its own connections with the settings of the last connect and auth");
            }
        }
        if (context.limit().stopped()) {
            throw new ScriptFailure(at, SmtpException.Kind.TEMPORARY, context.limit().why(), null);
        }
        Progress.Display display = context.options().batch().progress();
        if (display != null) {
            Progress progress = display.start("batch " + rows.describe(), context.options().err());
            java.util.function.Consumer<String> log = o.log();
            // A line printed while the bar is drawn takes the bar's place; the bar comes back below it.
            o = o.toBuilder().progress(progress).log(line -> {
                progress.clear();
                log.accept(line);
            }).build();
        }
        BatchOverrides cli = context.options().batch();
        Batch batch = new Batch(rows, this::build, sessions, o)
                .createJournal(cli.newJournal() || a.bool("create", false))
                .acceptSourceChange(cli.acceptSourceChange())
                .otherOutputs(cli.outputs())
                .about(scriptFacts(context));
        Object key = options.get("key");
        if (key instanceof Closure<?> c) {
            batch.keyedBy("script", row -> c.call(row));
        } else if (key instanceof CharSequence column && !column.toString().isBlank()) {
            String name = column.toString();
            batch.keyedBy("column " + name, row -> row.get(name));
        } else if (key != null) {
            throw new ScriptError(at, "batch: key names a column (key: 'email') or computes one ({ row -> row.email +"
                    + " row.list }), not " + key);
        }
        Path journal = o.journal();
        BatchResult r;
        try (RunLimit.Registration stopping = context.limit().onStop(() -> {
            batch.cancel(context.limit().reason());
            return "batch " + rows.describe() + ": " + (journal != null ? "the journal " + journal.toAbsolutePath().normalize()
                    + " is on disk; run again with --resume to send what is left"
                    : "no journal, so a new run sends every row again (batch journal: 'file' or --journal FILE)");
        })) {
            r = batch.run();
        }
        outcome(r, rows.describe(), context);
        return r;
    }

    /** The script's name and the digest of the file the runner read, for a new journal's header. */
    private static Map<String, Object> scriptFacts(ScriptContext context) {
        Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("script", context.scriptName());
        if (context.scriptDigest() != null) {
            f.put("scriptDigest", context.scriptDigest());
        }
        return f;
    }

    private RowSource rows() {
        if (source instanceof RowSource s) {
            return s;
        }
        if (source instanceof Iterable<?> i && !(source instanceof Map<?, ?>)) {
            return RowSource.of(i);
        }
        if (source instanceof Iterator<?> i) {
            return RowSource.of(i);
        }
        throw new ScriptError(at, "batch takes its rows from csv('file'), jsonl('file'), yaml('file') or a list of"
                + " maps, not " + VerbSpelling.describe(new Object[] {source}));
    }

    private BatchOptions options(NamedArgs a, ScriptContext context) {
        BatchOverrides cli = context.options().batch();
        BatchOptions.Builder b = BatchOptions.builder().origin(at.toString()).remedy(Hints::remedy)
                .dryRun(context.options().dryRun())
                .log(context.transcript()::info);
        BatchOptions o;
        try {
            Integer concurrency = cli.concurrency() != null ? cli.concurrency() : a.integer("concurrency");
            if (concurrency != null) {
                b.concurrency(concurrency);
            }
            String rate = cli.rate() != null ? cli.rate() : a.string("rate");
            if (rate != null) {
                b.rate(Rate.parse(rate));
            }
            Integer per = cli.perConnection() != null ? cli.perConnection() : a.integer("perConnection");
            if (per != null) {
                b.perConnection(per);
            }
            Integer maxErrors = cli.maxErrors() != null ? cli.maxErrors() : a.integer("maxErrors");
            if (maxErrors != null) {
                b.maxErrors(maxErrors);
            }
            RetryPolicy retry = RetryPolicy.DEFAULT;
            Integer retries = a.integer("retries");
            Duration delay = a.has("retryDelay") ? ScriptError.duration(at, "batch: retryDelay", a.string("retryDelay"))
                    : retry.initialDelay();
            Duration maxDelay = a.has("maxRetryDelay")
                    ? ScriptError.duration(at, "batch: maxRetryDelay", a.string("maxRetryDelay")) : retry.maxDelay();
            if (retries != null && retries < 0) {
                throw new IllegalArgumentException("retries cannot be negative (0 tries each message once)");
            }
            b.retry(new RetryPolicy(retries != null ? retries + 1 : retry.attempts(), delay,
                    maxDelay.compareTo(delay) < 0 ? delay : maxDelay));
            Path journal = cli.journal() != null ? cli.journal()
                    : a.string("journal") != null ? script.resolve(a.string("journal")) : null;
            Path report = cli.report() != null ? cli.report()
                    : a.string("report") != null ? script.resolve(a.string("report")) : null;
            b.journal(journal).report(report).fsync(a.bool("fsync", true)).resume(cli.resume() || a.bool("resume", false))
                    .resendInDoubt(cli.resendInDoubt() || a.bool("resendInDoubt", false));
            String shard = cli.shard() != null ? cli.shard() : a.string("shard");
            if (shard != null) {
                b.shard(Shard.parse(shard));
            }
            if (a.has("addressField")) {
                b.addressField(a.string("addressField"));
            }
            Duration maxAge = cli.maxAge() != null ? cli.maxAge()
                    : a.has("maxAge") ? ScriptError.duration(at, "batch: maxAge", a.string("maxAge")) : null;
            if (maxAge != null) {
                b.maxAge(maxAge);
            }
            Integer maxRecipients = cli.maxRecipients() != null ? cli.maxRecipients() : a.integer("maxRecipients");
            Profile profile = context.current();
            if (maxRecipients == null && profile != null && profile.maxRecipients() > 0) {
                maxRecipients = profile.maxRecipients();
            }
            if (maxRecipients != null) {
                b.maxRecipients(maxRecipients);
            }
            o = b.build();
        } catch (IllegalArgumentException e) {
            throw new ScriptError(at, "batch: " + e.getMessage());
        }
        if (o.resendInDoubt() && o.journal() == null) {
            throw new ScriptError(at, "batch: resendInDoubt needs a journal (journal: 'file' or --journal FILE)");
        }
        if (o.resume() && o.journal() == null) {
            throw new ScriptError(at, "batch: resume needs a journal (journal: 'file' or --journal FILE)");
        }
        return o;
    }

    /** One row's message: runs a copy of the script's block with the row (on a worker thread). */
    private MessageSpec build(Row row) {
        BatchRowSpec scope = new BatchRowSpec(script, row);
        Closure<?> c = (Closure<?>) block.clone();
        c.setResolveStrategy(Closure.DELEGATE_FIRST);
        c.setDelegate(scope);
        try {
            if (c.getMaximumNumberOfParameters() == 0) {
                c.call();
            } else {
                c.call(row);
            }
        } catch (ScriptError e) {
            if (e.getCause() instanceof MessageException m) {
                if (m.getCause() instanceof Templates.MissingVariable missing && notInSource(missing, row)) {
                    throw new ScriptError(e.location(), missingColumn(missing, row));
                }
                if (m.kind() == MessageException.Kind.BAD_DATA) {
                    throw new InvalidRowException(e.location().toString(), m.getMessage(), e);
                }
                throw new MessageException(m.kind(), e.location() + ": " + m.getMessage(), m);
            }
            throw e;
        }
        MessageSpec spec = scope.spec();
        DataSpec.senderDefault(spec, script.profileFrom());
        return spec;
    }

    /**
     * True when a template's missing variable is missing from the whole source, not from this row
     * only: the template was given the row itself, and the variable is not a column of the CSV
     * header, or (where each record brings its own keys) not a key of the first record, which
     * serves as the header. Anything else (a value missing in one row, a map the script built)
     * stays an invalid row.
     */
    private boolean notInSource(Templates.MissingVariable missing, Row row) {
        if (!missing.given().equals(row.keySet()) || row.containsKey(missing.variable())) {
            return false;
        }
        return rows != null && rows.hasHeader() || row.number() == 1;
    }

    private String missingColumn(Templates.MissingVariable missing, Row row) {
        List<String> keys = List.copyOf(row.keySet());
        String near = Spelling.nearest(missing.variable(), keys).orElse(null);
        boolean header = rows != null && rows.hasHeader();
        String source = rows != null ? rows.describe() : "the rows";
        return missing.where() + "'" + missing.variable() + "' is not " + (header ? "a column of " + source
                : "a key of the first record of " + source) + (near != null ? " (did you mean '" + near + "'?)" : "")
                + "; " + (header ? "its columns: " : "its keys: ") + String.join(", ", keys)
                + (header ? "" : "\n    the first record serves as the header: give it every key the templates use"
                + " (an empty value will do)");
    }

    // ------------------------------------------------------------------ the outcome

    private void outcome(BatchResult r, String name, ScriptContext context) {
        String text = text(r, name);
        switch (r.outcome()) {
            case SENT -> {
                // Nothing to report beyond the summary line already in the transcript.
            }
            case DEFERRED -> later(context, SmtpException.Kind.TEMPORARY, text);
            case FAILED -> later(context, SmtpException.Kind.PERMANENT, text);
            case INVALID_ROWS -> later(context, SmtpException.Kind.INPUT, text);
            case AUTH_FAILED -> throw new ScriptFailure(at, SmtpException.Kind.AUTH, text, null);
            case CONFIG -> throw new ScriptFailure(at, SmtpException.Kind.CONFIG, text, null);
            case NO_HOST -> throw new ScriptFailure(at, SmtpException.Kind.NO_HOST, text, null);
            case PROTOCOL -> throw new ScriptFailure(at, SmtpException.Kind.PROTOCOL, text, null);
            case BAD_SOURCE -> throw new ScriptFailure(at, SmtpException.Kind.INPUT, text, null);
            case NO_INPUT -> throw new ScriptError(at, ScriptError.Kind.MISSING_FILE, text, null);
            case LOCAL_IO -> throw new ScriptError(at, ScriptError.Kind.LOCAL_IO, text, null);
            case USAGE -> throw new ScriptError(at, ScriptError.Kind.USAGE, text, null);
            case INTERNAL -> throw new IllegalStateException(text);
        }
    }

    private void later(ScriptContext context, SmtpException.Kind kind, String text) {
        if (context.options().dryRun()) {
            context.record(new ScriptError(at, text));
            return;
        }
        context.batchProblem(new Problem(Problem.Category.BATCH, kind, at + ": " + text, null));
    }

    /** The summary, why it stopped, and the first problems, indented under it. */
    private static String text(BatchResult r, String name) {
        StringBuilder sb = new StringBuilder(r.summary(name));
        if (r.stopReason() != null) {
            sb.append("\n    stopped: ").append(r.stopReason().replace("\n", "\n    "));
        }
        for (String p : r.problems()) {
            sb.append("\n    ").append(p.replace("\n", "\n    "));
        }
        if (r.moreProblems() > 0) {
            sb.append("\n    ... and ").append(r.moreProblems()).append(" more")
                    .append(r.report() != null ? " in " + r.report() : " (report: 'file' or --report FILE lists them all)");
        }
        if (r.journal() != null && (r.totals().deferred() > 0 || r.totals().pending() > 0)) {
            sb.append("\n    run again with --resume to send what is left");
        }
        return sb.toString();
    }
}
