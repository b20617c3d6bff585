package dev.postilion.batch;

import dev.postilion.smtp.SmtpException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.DoubleSupplier;

/**
 * How a batch runs. Build one with {@link #builder()} (the defaults, then what is needed), or
 * change a copy with {@link #toBuilder()}; each {@code with...} method is a one-field shorthand for that.
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
 * @param remedy how the surface that runs the batch words the remedy of an engine failure that stops
 *               it ({@code tlsCa:} in a script): text appended to the engine's message, "" for none
 */
public record BatchOptions(int concurrency, Rate rate, int perConnection, RetryPolicy retry, int maxErrors, Path journal,
                           boolean fsync, boolean resume, boolean resendInDoubt, Path report, Shard shard, String addressField,
                           boolean dryRun, String origin, BatchClock clock, DoubleSupplier random, Progress progress,
                           Consumer<String> log, Duration maxAge, int maxRecipients,
                           Function<SmtpException, String> remedy) {

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
        return builder().build();
    }

    /** A builder holding the {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.concurrency = concurrency;
        b.rate = rate;
        b.perConnection = perConnection;
        b.retry = retry;
        b.maxErrors = maxErrors;
        b.journal = journal;
        b.fsync = fsync;
        b.resume = resume;
        b.resendInDoubt = resendInDoubt;
        b.report = report;
        b.shard = shard;
        b.addressField = addressField;
        b.dryRun = dryRun;
        b.origin = origin;
        b.clock = clock;
        b.random = random;
        b.progress = progress;
        b.log = log;
        b.maxAge = maxAge;
        b.maxRecipients = maxRecipients;
        b.remedy = remedy;
        return b;
    }

    /** Collects options field by field; {@link #build()} checks them. */
    public static final class Builder {
        private int concurrency = 1;
        private Rate rate;
        private int perConnection;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private int maxErrors = 20;
        private Path journal;
        private boolean fsync = true;
        private boolean resume;
        private boolean resendInDoubt;
        private Path report;
        private Shard shard = Shard.ALL;
        private String addressField = "email";
        private boolean dryRun;
        private String origin;
        private BatchClock clock = BatchClock.SYSTEM;
        private DoubleSupplier random = Math::random;
        private Progress progress = Progress.NONE;
        private Consumer<String> log = s -> { };
        private Duration maxAge = DEFAULT_MAX_AGE;
        private int maxRecipients;
        private Function<SmtpException, String> remedy = e -> "";

        private Builder() {
        }

        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        public Builder rate(Rate rate) {
            this.rate = rate;
            return this;
        }

        public Builder perConnection(int perConnection) {
            this.perConnection = perConnection;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder maxErrors(int maxErrors) {
            this.maxErrors = maxErrors;
            return this;
        }

        public Builder journal(Path journal) {
            this.journal = journal;
            return this;
        }

        public Builder fsync(boolean fsync) {
            this.fsync = fsync;
            return this;
        }

        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        public Builder resendInDoubt(boolean resendInDoubt) {
            this.resendInDoubt = resendInDoubt;
            return this;
        }

        public Builder report(Path report) {
            this.report = report;
            return this;
        }

        public Builder shard(Shard shard) {
            this.shard = shard;
            return this;
        }

        public Builder addressField(String addressField) {
            this.addressField = addressField;
            return this;
        }

        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        public Builder origin(String origin) {
            this.origin = origin;
            return this;
        }

        public Builder random(DoubleSupplier random) {
            this.random = random;
            return this;
        }

        public Builder progress(Progress progress) {
            this.progress = progress;
            return this;
        }

        public Builder log(Consumer<String> log) {
            this.log = log;
            return this;
        }

        public Builder maxAge(Duration maxAge) {
            this.maxAge = maxAge;
            return this;
        }

        public Builder maxRecipients(int maxRecipients) {
            this.maxRecipients = maxRecipients;
            return this;
        }

        /** How the surface words the remedy of an engine failure that stops the batch. */
        public Builder remedy(Function<SmtpException, String> remedy) {
            this.remedy = remedy;
            return this;
        }

        /** The clock for rate limiting and backoff, and the jitter for backoff (values in [0, 1)). */
        public Builder clock(BatchClock clock, DoubleSupplier random) {
            this.clock = clock;
            this.random = random;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException for a value out of range (concurrency below 1, a negative limit)
         */
        public BatchOptions build() {
            return new BatchOptions(concurrency, rate, perConnection, retry, maxErrors, journal, fsync, resume,
                    resendInDoubt, report, shard, addressField, dryRun, origin, clock, random, progress, log, maxAge,
                    maxRecipients, remedy);
        }
    }

    public BatchOptions withConcurrency(int n) {
        return toBuilder().concurrency(n).build();
    }

    public BatchOptions withRate(Rate r) {
        return toBuilder().rate(r).build();
    }

    public BatchOptions withPerConnection(int n) {
        return toBuilder().perConnection(n).build();
    }

    public BatchOptions withRetry(RetryPolicy r) {
        return toBuilder().retry(r).build();
    }

    public BatchOptions withMaxErrors(int n) {
        return toBuilder().maxErrors(n).build();
    }

    public BatchOptions withJournal(Path file) {
        return toBuilder().journal(file).build();
    }

    public BatchOptions withFsync(boolean on) {
        return toBuilder().fsync(on).build();
    }

    public BatchOptions withResume(boolean on) {
        return toBuilder().resume(on).build();
    }

    public BatchOptions withResendInDoubt(boolean on) {
        return toBuilder().resendInDoubt(on).build();
    }

    public BatchOptions withReport(Path file) {
        return toBuilder().report(file).build();
    }

    public BatchOptions withShard(Shard s) {
        return toBuilder().shard(s).build();
    }

    public BatchOptions withAddressField(String field) {
        return toBuilder().addressField(field).build();
    }

    public BatchOptions withDryRun(boolean on) {
        return toBuilder().dryRun(on).build();
    }

    public BatchOptions withOrigin(String where) {
        return toBuilder().origin(where).build();
    }

    public BatchOptions withClock(BatchClock c, DoubleSupplier jitter) {
        return toBuilder().clock(c, jitter).build();
    }

    public BatchOptions withProgress(Progress p) {
        return toBuilder().progress(p).build();
    }

    public BatchOptions withLog(Consumer<String> l) {
        return toBuilder().log(l).build();
    }

    public BatchOptions withMaxAge(Duration age) {
        return toBuilder().maxAge(age).build();
    }

    public BatchOptions withMaxRecipients(int n) {
        return toBuilder().maxRecipients(n).build();
    }
}
