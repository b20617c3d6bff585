package dev.postilion.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import dev.postilion.batch.Progress;
import dev.postilion.batch.Rate;
import dev.postilion.batch.Shard;
import dev.postilion.dsl.BatchOverrides;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The batch flags a command line lays over every batch of a script ({@link BatchOverrides}). */
final class BatchOptionsMixin {

    @Option(names = "--concurrency", paramLabel = "N", description = "Batch: connections in the pool.")
    Integer concurrency;

    @Option(names = "--rate", paramLabel = "N/UNIT", converter = Converters.RateValue.class,
            description = "Batch: at most N messages per s, min or h (30/min).")
    Rate rate;

    @Option(names = "--per-connection", paramLabel = "N", description = "Batch: messages before reconnecting.")
    Integer perConnection;

    @Option(names = "--journal", paramLabel = "FILE", description = "Batch: record each message's state, for --resume.")
    Path journal;

    @Option(names = "--resume", description = "Batch: continue the journal's batch (it must exist: exit 64 if not);"
            + " send only what is not done.")
    boolean resume;

    @Option(names = "--resend-in-doubt", description = "Batch: with --resume, send in-doubt messages again (same"
            + " Message-ID).")
    boolean resendInDoubt;

    @Option(names = "--new-journal", description = "Batch: with --resume, start a journal when none exists (the"
            + " first run of a cron line); without it --resume refuses to start over.")
    boolean newJournal;

    @Option(names = "--source-changed", paramLabel = "accept", description = "Batch: with --resume, go on although the"
            + " source lacks most of the journal's recipients (matching by key still sends each once).")
    String sourceChanged;

    @Option(names = "--report", paramLabel = "FILE", description = "Batch: one JSON line per recipient, then a summary.")
    Path report;

    @Option(names = "--shard", paramLabel = "K/N", converter = Converters.ShardValue.class,
            description = "Batch: take only slice K of N of the rows.")
    Shard shard;

    @Option(names = "--max-errors", paramLabel = "N", description = "Batch: stop after N identical permanent errors in"
            + " a row (0: never).")
    Integer maxErrors;

    @Option(names = "--max-age", paramLabel = "DURATION", converter = Converters.MaxAge.class,
            description = "Batch: a message still refused temporarily this long after its first try expires, never"
                    + " tried again (default 5d; 0: never).")
    Duration maxAge;

    @Option(names = "--max-recipients", paramLabel = "N", description = "Batch: at most N recipients per transaction;"
            + " more are sent in further transactions (Gmail 100, Exchange Online 500; 0: no limit).")
    Integer maxRecipients;

    @Option(names = "--progress", paramLabel = "WHEN", description = "Batch: auto (a bar when stderr is a terminal,"
            + " else nothing, so cron mails nothing), bar, plain (a line every 10s, for CI and nohup) or none."
            + " Default: auto.")
    String progress = "auto";

    @Option(names = "--progress-interval", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "Batch: how often --progress plain prints its line (default 10s).")
    Duration progressInterval;

    /** Refuses values that parse but mean nothing, and flags that need another. */
    void check(CommandSpec spec) {
        String problem = problem();
        if (problem != null) {
            throw new UsageError(spec, problem);
        }
    }

    private String problem() {
        if (concurrency != null && concurrency < 1) {
            return "--concurrency must be at least 1";
        }
        if (perConnection != null && perConnection < 0) {
            return "--per-connection cannot be negative (0: no limit)";
        }
        if (maxErrors != null && maxErrors < 0) {
            return "--max-errors cannot be negative (0: never stop)";
        }
        if (maxRecipients != null && maxRecipients < 0) {
            return "--max-recipients cannot be negative (0: no limit)";
        }
        if (sourceChanged != null && !sourceChanged.equals("accept")) {
            return "--source-changed takes one value: accept (resume although the source lacks most of the journal's"
                    + " recipients)";
        }
        if (resendInDoubt && !resume) {
            return "--resend-in-doubt goes with --resume (it resends what the journal lists as in doubt)";
        }
        if (!java.util.List.of("auto", "bar", "plain", "none").contains(progress.trim().toLowerCase(Locale.ROOT))) {
            return "--progress: '" + progress + "' is not a choice; write auto, bar, plain or none";
        }
        return null;
    }

    /**
     * What {@code --progress} asks for: auto is a bar when stderr is a terminal (and not {@code -q}),
     * else nothing; bar and plain are shown wherever stderr goes.
     */
    Progress.Display display(Io io, boolean quiet) {
        Duration every = progressInterval != null ? progressInterval : Progress.Display.PLAIN_INTERVAL;
        return switch (progress.trim().toLowerCase(Locale.ROOT)) {
            case "bar" -> Progress.Display.bar(Terminal.columns(io.env()));
            case "plain" -> Progress.Display.plain(every);
            case "none" -> Progress.Display.NONE;
            default -> !quiet && io.err() == System.err && Terminal.stderrIsTerminal()
                    ? Progress.Display.bar(Terminal.columns(io.env())) : Progress.Display.NONE;
        };
    }

    /** The overrides for every batch of the script; {@code others} are the run's other output files. */
    BatchOverrides overrides(Progress.Display display, Map<String, Path> others) {
        return new BatchOverrides(concurrency, rate == null ? null : rate.toString(), perConnection, journal, resume,
                resendInDoubt, report, shard == null ? null : shard.toString(), maxErrors, display, maxAge,
                maxRecipients, newJournal, sourceChanged != null, others);
    }
}
