package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.Resolver;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * NET-01 in a bulk send: a host name that does not exist stops the batch at once (no lookup, let
 * alone a retry, per row), while a lookup that fails for now is retried like any connection
 * failure. Names are resolved by the test's own resolver: no DNS.
 */
@Timeout(30)
class BatchHostLookupTest {

    private static final int ROWS = 50;

    @TempDir
    Path dir;

    private final AtomicInteger lookups = new AtomicInteger();
    private final FakeClock clock = new FakeClock();

    private Batch batch(Resolver resolver, BatchOptions o) {
        Resolver counted = host -> {
            lookups.incrementAndGet();
            return resolver.resolve(host);
        };
        SessionFactory sessions = SessionFactory.connecting("mail.example.test", 25, "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)).withResolver(counted), "PLAIN",
                Credentials.password("user", () -> "secret"));
        return new Batch(RowSource.of(BatchTest.people(ROWS)), BatchTest::hello, sessions,
                o.withClock(clock, () -> 0.0).withRetry(new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30))));
    }

    @Test
    @DisplayName("NET-01: NXDOMAIN stops the batch at once: one lookup per connection, every row left for --resume")
    void hostNotFoundStopsTheBatchWithoutARetryStorm() throws Exception {
        Path journal = dir.resolve("j.jsonl");
        Path report = dir.resolve("r.jsonl");
        BatchResult r = batch(host -> {
            throw new UnknownHostException(host + ": Name or service not known");
        }, BatchOptions.defaults().withConcurrency(4).withJournal(journal).withReport(report)).run();

        assertThat(r.outcome()).isEqualTo(Outcome.NO_HOST);
        assertThat(r.stopReason()).startsWith("CONNECT mail.example.test:25 failed: host not found:"
                + " 'mail.example.test' does not exist").contains("the batch stopped at once");
        assertThat(lookups.get()).as("one lookup per connection of the pool, none per row").isBetween(1, 4);
        assertThat(clock.sleeps).as("no backoff: nothing is retried").isEmpty();
        assertThat(r.totals().sent() + r.totals().deferred() + r.totals().failed()).isZero();
        List<String> journalLines = Files.readAllLines(journal);
        assertThat(journalLines).hasSize(1).allMatch(l -> l.contains("\"journal\":\"postilion-batch-journal\""));
        assertThat(Files.readString(report)).doesNotContain("\"state\":\"deferred\"")
                .contains("\"state\":\"pending\"").contains("\"outcome\":\"no-host\"");
    }

    @Test
    @DisplayName("NET-01: SERVFAIL is temporary: retried with backoff, then deferred for a later run")
    void lookupFailingForNowIsRetriedThenDeferred() {
        BatchResult r = batch(host -> {
            throw new IOException("temporary failure in name resolution for " + host);
        }, BatchOptions.defaults()).run();

        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.stopReason()).contains("the host name could not be looked up")
                .contains("no connection after 4 tries");
        assertThat(lookups.get()).as("looked up again for each try of a row (4)").isGreaterThanOrEqualTo(4);
        assertThat(clock.sleeps).as("with backoff between tries").isNotEmpty();
    }
}
