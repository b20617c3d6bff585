package dev.postilion.batch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * How a batch runs. Start from {@link #defaults()} and change what is needed with the
 * {@code with...} methods.
 *
 * @param concurrency connections (and worker threads) in the pool
 * @param rate the most messages per period over all connections, or null for no limit
 * @param perConnection messages on one connection before it is closed and a new one opened (0: no limit)
 * @param retry tries and backoff for 4xx replies, timeouts and lost connections
 * @param maxErrors stop after this many identical permanent errors in a row (0: never)
 * @param journal the journal file, or null for none (then nothing can be resumed)
 * @param fsync force the journal's "sending" line to disk before each final dot (true), or only write
 *              it (false: safe against a killed process, not against a power loss; several times faster)
 * @param resume continue the batch the journal records (a missing journal starts a new one)
 * @param resendInDoubt send in-doubt messages again (with the same Message-ID) instead of only listing them
 * @param report the report file (JSON Lines), or null for none
 * @param shard the slice of the source this run takes
 * @param addressField the field each row must carry a valid address in, or null to check none
 * @param dryRun build every row's message, send nothing, write no journal
 * @param origin where the batch was started ({@code weekly.groovy:5}), for problem lines; or null
 * @param clock time for rate limiting and backoff
 * @param random jitter for backoff, values in [0, 1)
 * @param progress the progress display
 * @param log where notices and the summary line go
 * @param maxAge how long a message may stay temporarily refused, counted from its first try (across
 *               resumed runs, through the journal): a 4xx after that makes it {@code expired}, never
 *               tried again; null or zero: no limit
 * @param maxRecipients the most RCPTs in one transaction; a message for more is sent in several
 *                      transactions, each recipient once (0: no limit)
 */
public record BatchOptions(int concurrency, Rate rate, int perConnection, RetryPolicy retry, int maxErrors, Path journal,
                           boolean fsync, boolean resume, boolean resendInDoubt, Path report, Shard shard, String addressField,
                           boolean dryRun, String origin, BatchClock clock, DoubleSupplier random, Progress progress,
                           Consumer<String> log, Duration maxAge, int maxRecipients) {

    /** Problems kept in the result for the console; the report has all of them. */
    public static final int PROBLEMS_SHOWN = 10;

    public BatchOptions {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        if (perConnection < 0) {
            throw new IllegalArgumentException("perConnection cannot be negative (0 means no limit)");
        }
        if (maxErrors < 0) {
            throw new IllegalArgumentException("maxErrors cannot be negative (0 means never stop)");
        }
        if (retry == null) {
            retry = RetryPolicy.DEFAULT;
        }
        if (shard == null) {
            shard = Shard.ALL;
        }
        if (clock == null) {
            clock = BatchClock.SYSTEM;
        }
        if (random == null) {
            random = Math::random;
        }
        if (progress == null) {
            progress = Progress.NONE;
        }
        if (log == null) {
            log = s -> { };
        }
        if (maxAge != null && maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge cannot be negative (0 means no limit)");
        }
        if (maxAge != null && maxAge.isZero()) {
            maxAge = null;
        }
        if (maxRecipients < 0) {
            throw new IllegalArgumentException("maxRecipients cannot be negative (0 means no limit)");
        }
    }

    /** How long a message may stay refused temporarily by default: 5 days, as Postfix's maximal_queue_lifetime. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(5);

    /**
     * One connection, no rate limit, no per-connection limit, three tries, stop after 20
     * identical permanent errors, no journal, no report, the whole source, addresses in
     * {@code email}, messages expire after five days of 4xx, no limit on recipients per transaction.
     */
    public static BatchOptions defaults() {
        return new BatchOptions(1, null, 0, RetryPolicy.DEFAULT, 20, null, true, false, false, null, Shard.ALL,
                "email",
                false, null, BatchClock.SYSTEM, Math::random, Progress.NONE, s -> { }, DEFAULT_MAX_AGE, 0);
    }

    public BatchOptions withConcurrency(int n) {
        return new BatchOptions(n, rate, perConnection, retry, maxErrors, journal, fsync, resume, resendInDoubt,
                report, shard, addressField, dryRun, origin, clock, random, progress, log, maxAge, maxRecipients);
    }

    public BatchOptions withRate(Rate r) {
        return new BatchOptions(concurrency, r, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withPerConnection(int n) {
        return new BatchOptions(concurrency, rate, n, retry, maxErrors, journal, fsync, resume, resendInDoubt, report,
                shard, addressField, dryRun, origin, clock, random, progress, log, maxAge, maxRecipients);
    }

    public BatchOptions withRetry(RetryPolicy r) {
        return new BatchOptions(concurrency, rate, perConnection, r, maxErrors, journal, fsync, resume, resendInDoubt,
                report, shard, addressField, dryRun, origin, clock, random, progress, log, maxAge, maxRecipients);
    }

    public BatchOptions withMaxErrors(int n) {
        return new BatchOptions(concurrency, rate, perConnection, retry, n, journal, fsync, resume, resendInDoubt,
                report, shard, addressField, dryRun, origin, clock, random, progress, log, maxAge, maxRecipients);
    }

    public BatchOptions withJournal(Path file) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, file, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withFsync(boolean on) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, on, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withResume(boolean on) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, on, resendInDoubt,
                report, shard, addressField, dryRun, origin, clock, random, progress, log, maxAge, maxRecipients);
    }

    public BatchOptions withResendInDoubt(boolean on) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume, on,
                report, shard, addressField, dryRun, origin, clock, random, progress, log, maxAge, maxRecipients);
    }

    public BatchOptions withReport(Path file) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, file, shard, addressField, dryRun, origin, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withShard(Shard s) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, s, addressField, dryRun, origin, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withAddressField(String field) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, field, dryRun, origin, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withDryRun(boolean on) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, on, origin, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withOrigin(String where) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, where, clock, random, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withClock(BatchClock c, DoubleSupplier jitter) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, c, jitter, progress, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withProgress(Progress p) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, p, log,
                maxAge, maxRecipients);
    }

    public BatchOptions withLog(Consumer<String> l) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, progress, l,
                maxAge, maxRecipients);
    }

    public BatchOptions withMaxAge(Duration age) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, progress, log, age,
                maxRecipients);
    }

    public BatchOptions withMaxRecipients(int n) {
        return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, progress, log, maxAge, n);
    }
}
