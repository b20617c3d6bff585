package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * LIM-06, scaled down from a 24-hour soak: a server that fails at random (4xx to MAIL and RCPT,
 * 451 and 421 after the data, connections dropped after the final dot), a pipelined batch over
 * four connections, and resumes until nothing is left to retry. The invariant: every recipient
 * ends in exactly one state, nothing is lost, and nothing arrives twice; the only uncertain ones
 * are the in-doubt messages, and there are exactly as many as the server dropped.
 */
@Timeout(60)
class BatchSoakTest {

    private static final long SEED = 20261129L;
    private static final int ROWS = 400;

    @TempDir
    Path dir;

    private BatchTestServer server;

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        server.recordCommands = false;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** The same pseudo-random draw for the same event, whichever thread asks. */
    private static double draw(int event, int n) {
        return new SplittableRandom(SEED * 31 + event * 1_000_003L + n).nextDouble();
    }

    private BatchResult run(BatchOptions options) {
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), "PLAIN",
                Credentials.password("user", () -> "secret"));
        return new Batch(RowSource.of(BatchTest.people(ROWS)), BatchTest::hello, sessions, options).run();
    }

    @Test
    @DisplayName("LIM-06: random 4xx, 421 and drops after the dot: nothing lost, nothing twice, in-doubt = dropped")
    void randomFaultsNeitherLoseNorDuplicateAMessage() {
        AtomicInteger dropped = new AtomicInteger();
        server.mailReply = n -> draw(1, n) < 0.03 ? "451 4.3.0 try again later" : "250 2.1.0 Ok";
        server.rcptReply = (n, a) -> draw(2, n) < 0.05 ? "451 4.7.1 greylisted, try again" : "250 2.1.5 Ok";
        server.dataEnd = n -> {
            double x = draw(3, n);
            if (x < 0.03) {
                dropped.incrementAndGet();
                return BatchTestServer.End.DROP;
            }
            return x < 0.06 ? BatchTestServer.End.CLOSING : x < 0.10 ? BatchTestServer.End.TEMPORARY
                    : BatchTestServer.End.OK;
        };
        Path journal = dir.resolve("soak.jsonl");
        BatchOptions options = BatchOptions.defaults().withConcurrency(4).withJournal(journal)
                .withClock(new FakeClock(), () -> 0.5)
                .withRetry(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(30)));

        BatchResult r = run(options);
        int runs = 1;
        while (r.totals().deferred() > 0 && runs < 20) {
            r = run(options.withResume(true));
            runs++;
        }
        assertThat(r.totals().deferred()).as("deferred after %d runs", runs).isZero();
        assertThat(dropped.get()).as("the fault mix really dropped some messages after the dot").isPositive();

        BatchResult last = run(options.withResume(true).withReport(dir.resolve("last.jsonl")));
        assertThat(last.totals().sent()).as("nothing left to send").isZero();
        assertThat(last.totals().doneBefore() + last.totals().inDoubt()).isEqualTo(ROWS);
        assertThat(last.totals().inDoubt()).as("in doubt: exactly the messages dropped after the dot")
                .isEqualTo(dropped.get());

        Map<String, Integer> arrivals = new HashMap<>();
        for (BatchTestServer.Received m : server.received) {
            for (String to : m.recipients()) {
                arrivals.merge(to, 1, Integer::sum);
            }
        }
        assertThat(arrivals).as("every recipient's message arrived (sent, or dropped after the dot)").hasSize(ROWS);
        assertThat(arrivals.values()).as("and none twice").allMatch(count -> count == 1);
        List<String> ids = server.received.stream().map(BatchTestServer.Received::messageId).toList();
        assertThat(ids).doesNotHaveDuplicates();
    }
}
