package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The report tells the whole story: one line per recipient of the batch, across kills and resumes, never torn. */
@Timeout(30)
class BatchReportTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private Path journal;
    private Path report;

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        journal = dir.resolve("j.journal");
        report = dir.resolve("r.jsonl");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private Batch batch(int rows, BatchOptions o) {
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), "PLAIN",
                Credentials.password("user", () -> "secret"));
        return new Batch(RowSource.of(BatchTest.people(rows)), BatchTest::hello, sessions, o);
    }

    private BatchOptions options() {
        return BatchOptions.defaults().withClock(new FakeClock(), () -> 0.0)
                .withRetry(new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .withJournal(journal).withReport(report);
    }

    /** Each recipient's state in the report; fails on a recipient listed twice. */
    private static Map<String, String> states(List<Map<String, Object>> lines) {
        Map<String, String> states = new HashMap<>();
        for (Map<String, Object> l : lines) {
            if (l.get("summary") == null) {
                assertThat(states.put((String) l.get("to"), (String) l.get("state"))).as(l.get("to") + " once").isNull();
            }
        }
        return states;
    }

    @Test
    void afterDeferralsAndAResumeTheReportHasExactlyOneLinePerRecipientWithItsFinalState() throws IOException {
        server.rcptReply = (n, a) -> a.matches("r[357]@example.com") ? "451 4.7.1 later" : "250 2.1.5 Ok";
        BatchResult first = batch(10, options()).run();
        assertThat(first.totals().deferred()).isEqualTo(3);
        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        BatchResult again = batch(10, options().withResume(true)).run();
        assertThat(again.outcome()).isEqualTo(Outcome.SENT);
        List<Map<String, Object>> lines = ReportLines.read(report);
        assertThat(states(lines)).hasSize(10).allSatisfy((to, state) -> assertThat(state).as(to).isEqualTo("sent"));
        assertThat(lines.get(lines.size() - 1)).containsEntry("summary", true);
        assertThat(dir.resolve("r.jsonl.partial")).doesNotExist();
    }

    @Test
    void anIdleResumeAfterAFinishedBatchKeepsEveryOutcomeInTheReport() throws IOException {
        batch(5, options()).run();
        BatchResult idle = batch(5, options().withResume(true)).run();
        assertThat(idle.totals().doneBefore()).isEqualTo(5);
        List<Map<String, Object>> lines = ReportLines.read(report);
        assertThat(states(lines)).hasSize(5).containsValues("sent");
        assertThat(lines).hasSize(6);
    }

    @Test
    void whileARunIsUnderWayThePreviousReportStaysWholeAndThePartialOneIsFlushedAtEachJournalSync()
            throws Exception {
        Files.writeString(report, "the previous report\n");
        server.stalled = new java.util.concurrent.CountDownLatch(1);
        server.dataEnd = n -> n == 3 ? BatchTestServer.End.STALL : BatchTestServer.End.OK;
        Batch batch = batch(5, options());
        AtomicReference<BatchResult> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(batch.run()));
        t.start();
        assertThat(server.stalled.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(report)).isEqualTo("the previous report\n");
        List<String> partial = Files.readAllLines(dir.resolve("r.jsonl.partial"));
        assertThat(partial).as("flushed before the third message's dot").hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("\"state\":\"sent\"").endsWith("}"));
        batch.cancel("stopped by the test");
        server.release();
        t.join(10_000);
        assertThat(result.get().outcome()).isEqualTo(Outcome.DEFERRED);
        List<Map<String, Object>> lines = ReportLines.read(report);
        assertThat(lines.get(lines.size() - 1)).containsEntry("summary", true);
        assertThat(dir.resolve("r.jsonl.partial")).doesNotExist();
    }

    @Test
    void aReportThatCannotBeWrittenStopsTheBatchWith74AndAResumeSendsTheRestOnce() throws IOException {
        BatchResult r = batch(200, options().withFsync(true)).reportFiles(FullDisk.after(400)).run();
        assertThat(r.outcome()).isEqualTo(Outcome.LOCAL_IO);
        assertThat(r.stopReason()).startsWith("report " + report.toAbsolutePath() + " cannot be written: No space left"
                + " on device\n    the batch stopped before its next message");
        assertThat(server.received.size()).as("stopped early, not after sending everything").isLessThan(50);
        assertThat(report).doesNotExist();

        BatchResult again = batch(200, options().withResume(true)).run();
        assertThat(again.outcome()).isEqualTo(Outcome.SENT);
        assertThat(server.countsByRecipient()).hasSize(200).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
        assertThat(states(ReportLines.read(report))).hasSize(200);
    }

    @Test
    void aDryRunWritesNoReportAndNoJournal() throws IOException {
        batch(3, options()).run();
        byte[] before = Files.readAllBytes(report);
        byte[] journalBefore = Files.readAllBytes(journal);
        BatchResult dry = batch(5, options().withResume(true).withDryRun(true)).run();
        assertThat(dry.report()).isNull();
        assertThat(dry.totals().doneBefore()).as("read the journal to say what a resume would do").isEqualTo(3);
        assertThat(dry.totals().rows()).isEqualTo(2);
        assertThat(server.received).hasSize(3);
        assertThat(Files.readAllBytes(report)).isEqualTo(before);
        assertThat(Files.readAllBytes(journal)).isEqualTo(journalBefore);
        assertThat(dir.resolve("r.jsonl.partial")).doesNotExist();
    }
}
