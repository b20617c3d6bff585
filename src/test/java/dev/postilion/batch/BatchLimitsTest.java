package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batch at the limits of its world: a disk that fills under the journal (BAT-05), messages
 * refused for longer than their lifetime (BAT-08), an account's daily quota (LIM-03), and more
 * recipients than a server takes in one transaction (LIM-04).
 */
@Timeout(30)
class BatchLimitsTest {

    private static final Instant T0 = Instant.parse("2026-11-29T03:10:00Z");

    @TempDir
    Path dir;

    private BatchTestServer server;

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private SessionFactory sessions() {
        return SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), "PLAIN",
                Credentials.password("user", () -> "secret"));
    }

    private static BatchOptions options(FakeClock clock) {
        return BatchOptions.defaults().withClock(clock, () -> 0.0)
                .withRetry(new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30)));
    }

    private BatchResult run(int rows, BatchOptions o) {
        return run(rows, BatchTest::hello, o);
    }

    private BatchResult run(int rows, Function<Row, MessageSpec> builder, BatchOptions o) {
        return new Batch(RowSource.of(BatchTest.people(rows)), builder, sessions(), o).run();
    }

    /** The journal's complete lines (a torn last line left out), parsed. */
    private static List<Map<String, Object>> lines(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        for (String line : (end < 0 ? "" : text.substring(0, end)).split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.parseObject(line));
            }
        }
        return out;
    }

    private static List<Map<String, Object>> inState(List<Map<String, Object>> lines, String state) {
        return lines.stream().filter(l -> state.equals(l.get("state"))).toList();
    }

    // ------------------------------------------------------------------ BAT-05

    @DisplayName("BAT-05: a disk that fills at any point stops the batch before its next message; nothing is sent"
            + " that the journal cannot record, and a resume delivers every recipient exactly once")
    @ParameterizedTest(name = "BAT-05: the disk fills after {0} bytes of journal")
    @ValueSource(ints = {200, 333, 470, 605, 777, 910, 1111, 1500, 2222, 3001})
    void aFullDiskStopsBeforeTheNextMessageAndNeverSendsWhatItCannotRecord(int room) throws IOException {
        Path journal = dir.resolve("j.jsonl");
        BatchResult r = new Batch(RowSource.of(BatchTest.people(20)), BatchTest::hello, sessions(),
                options(new FakeClock()).withJournal(journal)).journalFiles(FullDisk.after(room)).run();

        assertThat(r.outcome()).isEqualTo(Outcome.LOCAL_IO);
        assertThat(r.stopReason()).contains("No space left on device")
                .contains("run again with --resume");
        int delivered = server.received.size();
        assertThat(delivered).as("the disk filled before the batch could finish").isLessThan(20);
        Set<Object> recorded = new HashSet<>();
        inState(lines(journal), "sending").forEach(l -> recorded.add(l.get("mid")));
        assertThat(server.received).as("every message that got its final dot has its sending line on disk")
                .allSatisfy(m -> assertThat(recorded).contains(m.messageId()));
        assertThat(server.mails.get()).as("no MAIL after the transaction whose line could not be written")
                .isLessThanOrEqualTo(delivered + 1);

        Path report = dir.resolve("resume.jsonl");
        BatchResult again = run(20, options(new FakeClock()).withJournal(journal).withResume(true).withReport(report));
        assertThat(again.totals().inDoubt()).as("only a message whose result line was lost").isLessThanOrEqualTo(1);
        assertThat(server.countsByRecipient()).hasSize(20).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
    }

    @DisplayName("BAT-05: a journal that cannot take its first line (the disk is already full) sends nothing")
    @Test
    void aDiskFullFromTheStartSendsNothing() {
        BatchResult r = new Batch(RowSource.of(BatchTest.people(5)), BatchTest::hello, sessions(),
                options(new FakeClock()).withJournal(dir.resolve("j.jsonl"))).journalFiles(FullDisk.after(0)).run();
        assertThat(r.outcome()).isEqualTo(Outcome.LOCAL_IO);
        assertThat(r.stopReason()).isEqualTo("journal " + dir.resolve("j.jsonl") + " cannot be opened: No space left"
                + " on device; nothing was sent");
        assertThat(server.connections.get()).isZero();
    }

    // ------------------------------------------------------------------ BAT-08

    @DisplayName("BAT-08: a message still refused with 4xx after maxAge expires: reported, journaled, never tried again")
    @Test
    void aMessageStillRefusedAfterMaxAgeExpiresAndIsNeverTriedAgain() throws IOException {
        server.rcptReply = (n, a) -> a.equals("r2@example.com") ? "451 4.7.1 Greylisted, try again later"
                : "250 2.1.5 Ok";
        Path journal = dir.resolve("j.jsonl");
        Path report = dir.resolve("r.jsonl");
        FakeClock clock = new FakeClock(T0);
        BatchResult r = run(3, options(clock).withRetry(new RetryPolicy(10, Duration.ofSeconds(1),
                Duration.ofSeconds(30))).withMaxAge(Duration.ofSeconds(10)).withJournal(journal).withReport(report));

        assertThat(r.outcome()).as("only an expired recipient is left: a permanent outcome").isEqualTo(Outcome.FAILED);
        assertThat(r.totals().sent()).isEqualTo(2);
        assertThat(r.totals().expired()).isEqualTo(1);
        assertThat(r.totals().deferred()).isZero();
        assertThat(r.summary("people")).contains(": 2 sent, 1 expired in ");
        // Tries at 0, 1, 3, 7 and 15 s: the fifth 451 comes 15 s after the first try, past 10 s.
        assertThat(server.commands).filteredOn(c -> c.equals("RCPT TO:<r2@example.com>")).hasSize(5);
        String why = "still refused temporarily 15s after its first try (2026-11-29T03:10:00Z), past maxAge 10s:"
                + " expired, not tried again";
        assertThat(r.problems()).containsExactly("[row 2 r2@example.com] expired: " + why
                + "; the last reply: 451 4.7.1 Greylisted, try again later");
        assertThat(inState(lines(report), "expired")).singleElement().satisfies(l -> assertThat(l)
                .containsEntry("to", "r2@example.com").containsEntry("code", 451L).containsEntry("attempts", 5L)
                .containsEntry("error", why));
        assertThat(inState(lines(journal), "expired")).singleElement().satisfies(l -> assertThat(l)
                .containsEntry("first", "2026-11-29T03:10:00Z").containsEntry("done", true));
        assertThat(lines(report).get(lines(report).size() - 1)).containsEntry("expired", 1L);

        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        BatchResult again = run(3, options(new FakeClock(T0.plusSeconds(60))).withJournal(journal).withResume(true));
        assertThat(again.outcome()).isEqualTo(Outcome.SENT);
        assertThat(again.totals().doneBefore()).isEqualTo(3);
        assertThat(server.countsByRecipient()).doesNotContainKey("r2@example.com");
    }

    @DisplayName("BAT-08: maxAge counts from the first try, across resumed runs, through the journal")
    @Test
    void maxAgeCountsFromTheFirstTryAcrossResumedRuns() throws IOException {
        server.rcptReply = (n, a) -> a.equals("r2@example.com") ? "450 4.2.0 Mailbox busy" : "250 2.1.5 Ok";
        Path journal = dir.resolve("j.jsonl");
        BatchOptions once = BatchOptions.defaults().withRetry(new RetryPolicy(1, Duration.ofSeconds(1),
                Duration.ofSeconds(1))).withJournal(journal);

        BatchResult first = run(3, once.withClock(new FakeClock(T0), () -> 0.0));
        assertThat(first.outcome()).isEqualTo(Outcome.DEFERRED);
        BatchResult fourDaysOn = run(3, once.withResume(true).withClock(new FakeClock(T0.plus(Duration.ofDays(4))),
                () -> 0.0));
        assertThat(fourDaysOn.outcome()).as("4 days: still within the default 5").isEqualTo(Outcome.DEFERRED);
        assertThat(fourDaysOn.totals().deferred()).isEqualTo(1);
        assertThat(inState(lines(journal), "deferred")).extracting(l -> l.get("first"))
                .containsOnly("2026-11-29T03:10:00Z");

        BatchResult sixDaysOn = run(3, once.withResume(true).withClock(new FakeClock(T0.plus(Duration.ofDays(6))),
                () -> 0.0));
        assertThat(sixDaysOn.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(sixDaysOn.totals().expired()).isEqualTo(1);
        assertThat(sixDaysOn.problems()).containsExactly("[row 2 r2@example.com] expired: still refused temporarily"
                + " 6d after its first try (2026-11-29T03:10:00Z), past maxAge 5d: expired, not tried again; the last"
                + " reply: 450 4.2.0 Mailbox busy");

        BatchResult after = run(3, once.withResume(true).withClock(new FakeClock(T0.plus(Duration.ofDays(7))),
                () -> 0.0));
        assertThat(after.outcome()).isEqualTo(Outcome.SENT);
        assertThat(after.totals().doneBefore()).isEqualTo(3);
        assertThat(server.commands).filteredOn(c -> c.equals("RCPT TO:<r2@example.com>")).hasSize(3);
        assertThat(server.countsByRecipient()).containsOnlyKeys("r1@example.com", "r3@example.com");
    }

    @DisplayName("BAT-08: maxAge 0 means a message never expires")
    @Test
    void maxAgeZeroNeverExpires() {
        server.rcptReply = (n, a) -> "451 4.7.1 later";
        BatchResult r = run(1, options(new FakeClock(T0)).withMaxAge(Duration.ZERO));
        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.totals().deferred()).isEqualTo(1);
        assertThat(r.totals().expired()).isZero();
    }

    // ------------------------------------------------------------------ BAT-07

    @DisplayName("BAT-07: a server refusing every message with 451 gets one backoff timer, not 500 retries: the batch"
            + " stops after the tries, leaves the rest pending, and a resume sends each exactly once")
    @Test
    void aServerRefusingEverythingTemporarilyIsBackedOffAsOneNotRetriedPerMessage() throws IOException {
        server.rcptReply = (n, a) -> "451 4.3.0 Temporary system problem, try again later";
        Path journal = dir.resolve("j.jsonl");
        Path report = dir.resolve("r.jsonl");
        FakeClock clock = new FakeClock();
        BatchResult r = run(500, options(clock).withConcurrency(4)
                .withRetry(new RetryPolicy(3, Duration.ofSeconds(300), Duration.ofSeconds(4000)))
                .withJournal(journal).withReport(report));

        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        String reason = r.stopReason().replaceFirst(" refused \\d+ messages ", " refused N messages ");
        assertThat(reason).isEqualTo("127.0.0.1:" + server.port() + " refused N messages in a row temporarily,"
                + " each after a longer pause (the last: 451 4.3.0 Temporary system problem, try again later)\n    the"
                + " server cannot take mail now: the batch stopped rather than retry every message on its own; what it"
                + " did not send stays pending\n    run it again later with --resume");
        int refused = Integer.parseInt(r.stopReason().replaceFirst("(?s).* refused (\\d+) messages .*", "$1"));
        // Pauses of 300, 600, 1200, 2400 s, then three of 4000 s, each ended by a refusal; then give up. (On
        // this test's shared clock one connection's pause can end another's early, so more may count: at
        // most one per connection and pause.)
        assertThat(refused).isBetween(9, 9 * 4);
        assertThat(server.rcpts.get()).as("at most one transaction per connection per pause, not 500 messages x 3"
                + " tries").isBetween(refused, refused * 4);
        assertThat(clock.sleeps).as("the server's pauses").contains(Duration.ofSeconds(300).toNanos());
        assertThat(r.totals().sent() + r.totals().failed() + r.totals().expired()).as("nothing given up on for good")
                .isZero();
        assertThat(inState(lines(report), "pending")).isNotEmpty();

        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        BatchResult again = run(500, options(new FakeClock()).withConcurrency(4).withJournal(journal).withResume(true));
        assertThat(again.outcome()).isEqualTo(Outcome.SENT);
        assertThat(server.countsByRecipient()).hasSize(500).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
    }

    @DisplayName("BAT-07: one recipient that keeps failing is retried on its own; the server is not paused")
    @Test
    void oneRecipientFailingDoesNotPauseTheServer() {
        server.rcptReply = (n, a) -> a.equals("r7@example.com") ? "450 4.2.1 Mailbox busy" : "250 2.1.5 Ok";
        FakeClock clock = new FakeClock();
        BatchResult r = run(50, options(clock).withConcurrency(2));
        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.stopReason()).isNull();
        assertThat(r.totals().sent()).isEqualTo(49);
        assertThat(r.totals().deferred()).isEqualTo(1);
        assertThat(server.commands).filteredOn(c -> c.equals("RCPT TO:<r7@example.com>")).hasSize(4);
    }

    // ------------------------------------------------------------------ LIM-03

    @DisplayName("LIM-03: a daily-quota refusal stops the batch at once; what is not sent stays pending for a resume"
            + " after a rolling 24 h")
    @ParameterizedTest(name = "LIM-03: {0} answers {1}")
    @CsvSource(textBlock = """
            MAIL | 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception
            RCPT | 550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852
            DOT  | 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException
            """, delimiter = '|')
    void aDailyQuotaStopsTheBatchAtOnceAndLeavesTheRestPending(String stage, String quota) throws IOException {
        switch (stage) {
            case "MAIL" -> server.mailReply = n -> n >= 6 ? quota : "250 2.1.0 Ok";
            case "RCPT" -> server.rcptReply = (n, a) -> n >= 6 ? quota : "250 2.1.5 Ok";
            default -> server.endReply = n -> n >= 6 ? quota : null;
        }
        Path journal = dir.resolve("j.jsonl");
        Path report = dir.resolve("r.jsonl");
        BatchResult r = run(30, options(new FakeClock()).withJournal(journal).withReport(report));

        assertThat(r.outcome()).as("exit 75: temporary, resumable").isEqualTo(Outcome.DEFERRED);
        assertThat(r.totals().sent()).isEqualTo(5);
        assertThat(r.totals().failed()).isZero();
        assertThat(r.totals().deferred()).isZero();
        // No transaction begins after the quota reply is read; one connection may have pipelined at
        // most one more behind its final dot (RFC 2920 3.1) before the reply came.
        assertThat(server.mails.get()).as("no MAIL after the quota reply").isBetween(6, 6 + 1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[row (\\d+) r\\1@example\\.com\\] ")
                .matcher(r.stopReason());
        assertThat(m.lookingAt()).as(r.stopReason()).isTrue();
        assertThat(r.stopReason().substring(m.end())).isEqualTo("the account's daily sending quota is used up\n"
                + "    127.0.0.1:" + server.port() + " replied: " + quota + "\n    the quota counts the whole account"
                + " over a rolling 24 h, so the batch stopped at once; what it did not send stays pending\n    resume"
                + " after a rolling 24 h: run the batch again then with --resume");
        assertThat(inState(lines(report), "pending")).as("the refused row is pending, not failed")
                .extracting(l -> l.get("row")).contains(Long.parseLong(m.group(1)));
        assertThat(inState(lines(journal), "failed")).isEmpty();

        server.mailReply = n -> "250 2.1.0 Ok";
        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        server.endReply = n -> null;
        BatchResult again = run(30, options(new FakeClock()).withJournal(journal).withResume(true));
        assertThat(again.outcome()).isEqualTo(Outcome.SENT);
        assertThat(again.totals().doneBefore()).isEqualTo(5);
        assertThat(server.countsByRecipient()).hasSize(30).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
    }

    // ------------------------------------------------------------------ LIM-04

    private static Function<Row, MessageSpec> toThousand() {
        return row -> {
            String[] more = new String[999];
            for (int i = 0; i < more.length; i++) {
                more[i] = "m" + (i + 2) + "@example.com";
            }
            return BatchTest.hello(row).to(more);
        };
    }

    @DisplayName("LIM-04: 1,000 recipients on one message go out in transactions of maxRecipients, each once,"
            + " all with the same Message-ID")
    @Test
    void aThousandRecipientsAreSplitByMaxRecipientsEachGettingOneCopy() throws IOException {
        Path journal = dir.resolve("j.jsonl");
        BatchResult r = run(1, toThousand(), options(new FakeClock()).withMaxRecipients(100).withJournal(journal));

        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(1000);
        assertThat(r.totals().messages()).isEqualTo(10);
        assertThat(server.received).hasSize(10).allSatisfy(m -> assertThat(m.recipients()).hasSize(100));
        assertThat(server.received).extracting(BatchTestServer.Received::messageId)
                .containsOnly(server.received.get(0).messageId());
        assertThat(server.countsByRecipient()).hasSize(1000).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
        assertThat(inState(lines(journal), "sent")).hasSize(10).filteredOn(l -> Boolean.TRUE.equals(l.get("done")))
                .hasSize(1);
    }

    @DisplayName("LIM-04: with the Exchange limit of 500 against a server that takes 100, the 452s are sent on at once")
    @Test
    void aServerThatTakesFewerThanMaxRecipientsStillGivesEachOneCopy() {
        server.maxRecipients = 100;
        BatchResult r = run(1, toThousand(), options(new FakeClock()).withMaxRecipients(500));

        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(server.received).hasSize(10).allSatisfy(m -> assertThat(m.recipients()).hasSize(100));
        assertThat(server.rcpts.get()).as("at most 500 RCPTs per transaction").isLessThanOrEqualTo(1000);
        assertThat(server.countsByRecipient()).hasSize(1000).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
    }
}
