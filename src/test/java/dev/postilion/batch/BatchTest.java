package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The batch engine against a scripted SMTP server: delivery, retries, journal and resume, stops. */
@Timeout(30)
class BatchTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    static List<Map<String, Object>> people(int n) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("email", "r" + i + "@example.com");
            row.put("name", "Reader " + i);
            rows.add(row);
        }
        return rows;
    }

    static MessageSpec hello(Row row) {
        return new MessageSpec().from("Sender <sender@example.com>").to(row.text("email"))
                .subject("Hello " + row.text("name")).text("Dear " + row.text("name") + ",\n\nhello.\n");
    }

    SessionFactory sessions() {
        return SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), "PLAIN",
                Credentials.password("user", () -> "secret"));
    }

    BatchOptions options() {
        return BatchOptions.defaults().withClock(clock, () -> 0.0)
                .withRetry(new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30)));
    }

    BatchResult run(List<Map<String, Object>> rows, BatchOptions o) {
        return run(rows, BatchTest::hello, o);
    }

    BatchResult run(List<Map<String, Object>> rows, Function<Row, MessageSpec> builder, BatchOptions o) {
        return new Batch(RowSource.of(rows), builder, sessions(), o).run();
    }

    List<Map<String, Object>> report(Path file) throws IOException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lines.add(Json.parseObject(l));
        }
        return lines;
    }

    @Test
    void everyRowArrivesOnceAndTheReportMatchesTheServer() throws IOException {
        Path report = dir.resolve("report.jsonl");
        BatchResult r = run(people(200), options().withConcurrency(4).withJournal(dir.resolve("j.jsonl"))
                .withReport(report));

        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(200);
        assertThat(server.received).hasSize(200);
        assertThat(server.countsByRecipient()).hasSize(200).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        Set<String> ids = new HashSet<>();
        server.received.forEach(m -> ids.add(m.messageId()));
        assertThat(ids).hasSize(200).allMatch(id -> id.matches("<" + r.batchId() + "\\.[0-9a-f]{16}\\.postilion@example\\.com>"));

        List<Map<String, Object>> lines = report(report);
        assertThat(lines).hasSize(201);
        Map<String, Object> summary = lines.get(200);
        assertThat(summary).containsEntry("summary", true).containsEntry("sent", 200L).containsEntry("outcome", "sent");
        Set<String> reported = new HashSet<>();
        for (Map<String, Object> l : lines.subList(0, 200)) {
            assertThat(l).containsEntry("state", "sent").containsEntry("code", 250L).containsKey("queue");
            reported.add((String) l.get("mid"));
        }
        assertThat(reported).isEqualTo(ids);
    }

    @Test
    void a451ToEverySecondRcptEndsWithAllDeliveredAfterRetries() {
        server.rcptReply = (n, a) -> n % 2 == 0 ? "451 4.7.1 Greylisted, try again later" : "250 2.1.5 Ok";
        // Each round of retries halves what is left: 100 rows need about eight.
        BatchResult r = run(people(100), options().withConcurrency(4)
                .withRetry(new RetryPolicy(12, Duration.ofSeconds(1), Duration.ofMinutes(1))));

        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(100);
        assertThat(server.countsByRecipient()).hasSize(100).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        assertThat(clock.sleeps).isNotEmpty();
    }

    @Test
    void droppedAfterTheDotIsInDoubtListedOnResumeAndResentOnlyOnRequest() throws IOException {
        Path journal = dir.resolve("j.jsonl");
        server.dataEnd = n -> n == 3 ? BatchTestServer.End.DROP : BatchTestServer.End.OK;
        BatchResult first = run(people(10), options().withJournal(journal));

        assertThat(first.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(first.totals().inDoubt()).isEqualTo(1);
        assertThat(first.totals().sent()).isEqualTo(9);
        assertThat(server.received).hasSize(10);
        // Rows are built on several threads, so the third message to arrive is not always row 3.
        String lostTo = server.received.get(2).recipients().get(0);
        long lostRow = Long.parseLong(lostTo.replaceAll("\\D", ""));
        assertThat(first.problems()).singleElement().asString()
                .isEqualTo("[row " + lostRow + " " + lostTo + "] in-doubt: the final dot was sent, then no reply"
                        + " (connection closed by the server; the message may or may not have been delivered)");
        String doubtful = server.received.get(2).messageId();

        Path report = dir.resolve("resume.jsonl");
        BatchResult again = run(people(10), options().withJournal(journal).withResume(true).withReport(report));
        assertThat(again.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(again.totals().doneBefore()).isEqualTo(9);
        assertThat(again.totals().inDoubt()).isEqualTo(1);
        assertThat(server.received).hasSize(10);
        List<Map<String, Object>> lines = report(report);
        assertThat(lines).as("one line per recipient of the batch, then the summary").hasSize(11);
        assertThat(lines.subList(0, 9)).as("carried forward from the journal")
                .allSatisfy(l -> assertThat(l).containsEntry("state", "sent").containsEntry("earlierRun", true));
        assertThat(lines.get(9)).containsEntry("row", lostRow).containsEntry("state", "in-doubt")
                .containsEntry("mid", doubtful);

        BatchResult resent = run(people(10), options().withJournal(journal).withResume(true).withResendInDoubt(true));
        assertThat(resent.outcome()).isEqualTo(Outcome.SENT);
        assertThat(resent.totals().sent()).isEqualTo(1);
        assertThat(server.received).hasSize(11);
        assertThat(server.received.get(10).messageId()).isEqualTo(doubtful);
        assertThat(server.received.get(10).recipients()).containsExactly(lostTo);

        BatchResult nothing = run(people(10), options().withJournal(journal).withResume(true));
        assertThat(nothing.outcome()).isEqualTo(Outcome.SENT);
        assertThat(nothing.totals().doneBefore()).isEqualTo(10);
        assertThat(server.received).hasSize(11);
    }

    @Test
    void aStoppedBatchResumesWithEveryRecipientExactlyOnce() throws IOException {
        Path journal = dir.resolve("j.jsonl");
        Function<Row, MessageSpec> failing = row -> {
            if (row.number() == 120) {
                throw new IllegalStateException("simulated crash at row 120");
            }
            return hello(row);
        };
        assertThatThrownBy(() -> run(people(300), failing, options().withConcurrency(4).withJournal(journal)))
                .hasMessage("simulated crash at row 120");
        int before = server.received.size();
        // Stopped part way; how far the senders got behind the builders depends on scheduling.
        assertThat(before).isBetween(1, 299);

        BatchResult r = run(people(300), options().withConcurrency(4).withJournal(journal).withResume(true));
        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().doneBefore() + r.totals().sent()).isEqualTo(300);
        assertThat(server.countsByRecipient()).hasSize(300).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    }

    @Test
    void aServerDroppingTheConnectionMidBatchLeavesOnlyTheInDoubtOneToDecide() throws IOException {
        Path journal = dir.resolve("j.jsonl");
        server.dataEnd = n -> n == 40 ? BatchTestServer.End.CLOSING : n == 80 ? BatchTestServer.End.DROP
                : BatchTestServer.End.OK;
        BatchResult r = run(people(150), options().withConcurrency(3).withJournal(journal));

        assertThat(r.totals().sent()).isEqualTo(149);
        assertThat(r.totals().inDoubt()).isEqualTo(1);
        Map<String, Integer> counts = server.countsByRecipient();
        assertThat(counts).hasSize(150).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        assertThat(server.connections.get()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void maxErrorsStopsARunOfIdenticalPermanentErrors() throws IOException {
        server.rcptReply = (n, a) -> "550 5.2.251 Sender throttled due to continuous invalid recipients errors";
        Path report = dir.resolve("r.jsonl");
        BatchResult r = run(people(100), options().withMaxErrors(5).withReport(report));

        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.totals().failed()).isEqualTo(5);
        assertThat(server.rcpts.get()).isEqualTo(5);
        // Rows are built on several threads: the fifth refused is not always row 5.
        assertThat(r.stopReason()).matches("(?s)stopped after 5 identical permanent errors in a row \\(the last: \\[row"
                + " (\\d+) r\\1@example.com\\] 550 5.2.251 Sender throttled due to continuous invalid recipients"
                + " errors\\).*");
        assertThat(r.totals().rows()).isLessThan(100);
        assertThat(report(report)).filteredOn(l -> "pending".equals(l.get("state"))).isNotEmpty();
    }

    @Test
    void differentPermanentErrorsDoNotStopTheBatch() {
        server.rcptReply = (n, a) -> "550 5.1." + (n % 2) + " no such user";
        BatchResult r = run(people(30), options().withMaxErrors(3));
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.totals().failed()).isEqualTo(30);
        assertThat(r.stopReason()).isNull();
    }

    @Test
    void authFailureStopsEverythingAtOnce() {
        server.authReply = n -> "535 5.7.8 Error: authentication failed";
        BatchResult r = run(people(500), options().withConcurrency(4));

        assertThat(r.outcome()).isEqualTo(Outcome.AUTH_FAILED);
        assertThat(r.stopReason()).startsWith("AUTH PLAIN refused\n    127.0.0.1:" + server.port()
                + " replied: 535 5.7.8 Error: authentication failed");
        assertThat(server.auths.get()).isBetween(1, 4);
        assertThat(server.commands).noneMatch(c -> c.startsWith("MAIL"));
        assertThat(r.totals().sent()).isZero();
    }

    @Test
    void tooManyRecipientsSplitsTheTransaction() {
        server.maxRecipients = 2;
        List<Map<String, Object>> rows = people(1);
        Function<Row, MessageSpec> toFive = row -> hello(row).to("b@example.com", "c@example.com", "d@example.com",
                "e@example.com");
        BatchResult r = run(rows, toFive, options());

        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(5);
        assertThat(r.totals().messages()).isEqualTo(3);
        assertThat(server.received).extracting(BatchTestServer.Received::recipients)
                .containsExactly(List.of("r1@example.com", "b@example.com"), List.of("c@example.com", "d@example.com"),
                        List.of("e@example.com"));
        assertThat(server.received).extracting(BatchTestServer.Received::messageId).containsOnly(
                server.received.get(0).messageId());
        assertThat(clock.sleeps).isEmpty();
    }

    @Test
    void perConnectionOpensANewConnectionEveryNMessages() {
        BatchResult r = run(people(10), options().withPerConnection(3));
        assertThat(r.totals().sent()).isEqualTo(10);
        assertThat(server.connections.get()).isEqualTo(4);
        assertThat(server.commands).filteredOn(c -> c.equals("QUIT")).hasSize(4);
    }

    @Test
    void theRateLimitSpacesMessagesOnTheBatchClock() {
        BatchResult r = run(people(5), options().withRate(Rate.parse("30/min")));
        assertThat(r.totals().sent()).isEqualTo(5);
        assertThat(clock.sleeps.stream().mapToLong(Long::longValue).sum()).isEqualTo(Duration.ofSeconds(8).toNanos());
    }

    @Test
    void invalidRowsAreReportedWithTheirNumberAndSkipped() throws IOException {
        List<Map<String, Object>> rows = people(6);
        rows.get(1).remove("email");
        rows.get(2).put("email", "not an address");
        rows.get(3).put("name", "Eve\r\nBcc: victim@example.com");
        Path report = dir.resolve("r.jsonl");
        BatchResult r = run(rows, options().withReport(report).withOrigin("bulk.groovy:4"));

        assertThat(r.outcome()).isEqualTo(Outcome.INVALID_ROWS);
        assertThat(r.totals().invalid()).isEqualTo(3);
        assertThat(r.totals().sent()).isEqualTo(3);
        assertThat(r.problems()).containsExactly(
                "[row 2] bulk.groovy:4: invalid row: has no email",
                "[row 3 not an address] bulk.groovy:4: invalid row: email: address 'not an address' is not a valid"
                        + " address: local address contains control or whitespace",
                "[row 4 r4@example.com] bulk.groovy:4: invalid row: CR in 'name' (line breaks are refused in batch"
                        + " data)");
        assertThat(server.countsByRecipient()).containsOnlyKeys("r1@example.com", "r5@example.com", "r6@example.com");
        assertThat(report(report)).filteredOn(l -> "invalid".equals(l.get("state"))).extracting(l -> l.get("row"))
                .containsExactly(2L, 3L, 4L);
    }

    @Test
    void shardsTakeRowsByKeySoTogetherTheySendEachOnceAndAnInsertedRowMovesNothing() {
        List<Map<String, Object>> rows = people(30);
        Map<String, Integer> shardOf = new java.util.HashMap<>();
        long total = 0;
        for (int k = 1; k <= 3; k++) {
            int before = server.received.size();
            BatchResult r = run(rows, options().withShard(Shard.parse(k + "/3")));
            total += r.totals().rows();
            for (var m : server.received.subList(before, server.received.size())) {
                for (String to : m.recipients()) {
                    assertThat(shardOf.put(to, k)).as(to + " in one shard only").isNull();
                }
            }
        }
        assertThat(total).isEqualTo(30);
        assertThat(shardOf).hasSize(30);
        assertThat(shardOf.values()).as("every shard takes some").contains(1, 2, 3);

        List<Map<String, Object>> inserted = new ArrayList<>(people(30));
        inserted.add(0, Map.of("email", "new@example.com", "name", "New"));
        for (int k = 1; k <= 3; k++) {
            int before = server.received.size();
            run(inserted, options().withShard(Shard.parse(k + "/3")));
            for (var m : server.received.subList(before, server.received.size())) {
                for (String to : m.recipients()) {
                    if (!to.equals("new@example.com")) {
                        assertThat(shardOf.get(to)).as(to + " stays in its shard").isEqualTo(k);
                    }
                }
            }
        }
    }

    @Test
    void resumeSkipsSentAndFailedAndRetriesDeferred() throws IOException {
        Path journal = dir.resolve("j.jsonl");
        server.rcptReply = (n, a) -> a.equals("r3@example.com") ? "550 5.1.1 no such user"
                : a.equals("r4@example.com") ? "450 4.2.0 mailbox busy" : "250 2.1.5 Ok";
        BatchResult first = run(people(6), options().withJournal(journal));
        assertThat(first.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(first.totals().failed()).isEqualTo(1);
        assertThat(first.totals().deferred()).isEqualTo(1);
        assertThat(first.totals().sent()).isEqualTo(4);

        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        BatchResult second = run(people(6), options().withJournal(journal).withResume(true));
        assertThat(second.outcome()).isEqualTo(Outcome.SENT);
        assertThat(second.totals().doneBefore()).isEqualTo(5);
        assertThat(second.totals().sent()).isEqualTo(1);
        assertThat(server.countsByRecipient()).containsEntry("r4@example.com", 1).doesNotContainKey("r3@example.com")
                .hasSize(5);
    }

    @Test
    void anExistingJournalWithoutResumeIsAUsageErrorAndSendsNothing() {
        Path journal = dir.resolve("j.jsonl");
        run(people(2), options().withJournal(journal));
        BatchResult r = run(people(2), options().withJournal(journal));
        assertThat(r.outcome()).isEqualTo(Outcome.USAGE);
        assertThat(r.stopReason()).isEqualTo("journal " + journal.toAbsolutePath() + " already exists; nothing was"
                + " sent\n    add --resume (resume: true) to continue that batch, or choose another journal for a new"
                + " one");
        assertThat(server.received).hasSize(2);
    }

    @Test
    void anUnreachableServerStopsTheBatchAsTemporary() throws IOException {
        int port = server.port();
        server.close();
        SessionFactory nowhere = SessionFactory.connecting("127.0.0.1", port, "client.test", SessionOptions.DEFAULT,
                null, null);
        BatchResult r = new Batch(RowSource.of(people(50)), BatchTest::hello, nowhere, options().withConcurrency(2))
                .run();
        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.stopReason()).contains("connection refused").contains("no connection after 4 tries");
        assertThat(r.totals().sent()).isZero();
    }

    @Test
    void aRowWithoutMessageIsSkipped() {
        BatchResult r = run(people(4), row -> row.number() % 2 == 0 ? null : hello(row), options());
        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().skipped()).isEqualTo(2);
        assertThat(server.countsByRecipient()).containsOnlyKeys("r1@example.com", "r3@example.com");
    }

    @Test
    void dryRunBuildsEveryMessageAndSendsNothing() {
        List<Map<String, Object>> rows = people(3);
        rows.get(1).put("email", "bad@");
        BatchResult r = run(rows, options().withDryRun(true));
        assertThat(r.totals().messages()).isEqualTo(2);
        assertThat(r.totals().invalid()).isEqualTo(1);
        assertThat(server.connections.get()).isZero();
    }

    @Test
    void aPermanentRefusalAfterTheDotFailsTheRecipient() {
        server.dataEnd = n -> BatchTestServer.End.OK;
        server.mailReply = n -> n == 2 ? "553 5.7.1 Sender rejected" : "250 2.1.0 Ok";
        BatchResult r = run(people(3), options());
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        // The second transaction is refused; rows are built on several threads, so it may not be row 2's.
        assertThat(r.problems()).singleElement().asString().matches("\\[row (\\d) r\\1@example.com\\] failed: MAIL"
                + " FROM:<sender@example.com> refused\n    127.0.0.1:" + server.port()
                + " replied: 553 5.7.1 Sender rejected");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("BAT-06: a batch cancelled while a message is being written never sends its final dot")
    void cancelledWhileAMessageIsWrittenNeverSendsItsFinalDot() throws IOException {
        java.util.concurrent.atomic.AtomicReference<Batch> batch = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger goAheads = new java.util.concurrent.atomic.AtomicInteger();
        // The "signal" arrives right after the third 354: that message's body is then written, and
        // its dot must not follow.
        dev.postilion.transcript.TranscriptListener signal = new dev.postilion.transcript.TranscriptListener() {
            @Override
            public void received(List<String> lines, boolean expected, boolean tls) {
                if (lines.get(0).startsWith("354") && goAheads.incrementAndGet() == 3) {
                    batch.get().cancel("the run was asked to stop");
                }
            }
        };
        SessionFactory sessions = () -> {
            dev.postilion.smtp.SmtpSession s = new dev.postilion.smtp.SmtpSession(
                    SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), signal);
            s.open("127.0.0.1", server.port(), "client.test");
            return s;
        };
        Path journal = dir.resolve("j.jsonl");
        Path report = dir.resolve("r.jsonl");
        batch.set(new Batch(RowSource.of(people(6)), BatchTest::hello, sessions,
                options().withJournal(journal).withReport(report)));
        BatchResult r = batch.get().run();

        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.stopReason()).isEqualTo("the run was asked to stop");
        assertThat(server.received).as("two delivered; the third was cut before its dot").hasSize(2);
        assertThat(r.totals().sent()).isEqualTo(2);
        assertThat(r.totals().inDoubt()).isZero();
        assertThat(r.totals().pending()).isEqualTo(4);
        assertThat(Files.readAllLines(journal)).filteredOn(l -> l.contains("\"state\":\"sending\"")).hasSize(2);

        BatchResult resumed = run(people(6), options().withJournal(journal).withResume(true));
        assertThat(resumed.outcome()).isEqualTo(Outcome.SENT);
        assertThat(server.countsByRecipient()).hasSize(6).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    }

    @Test
    @org.junit.jupiter.api.DisplayName("LIM-02: concurrency 10 against a server allowing 3 connections: 432 means fewer connections, not failures")
    void tooManyConnectionsMeansFewerConnectionsNotFailures() {
        server.maxConcurrent = 3;
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        BatchResult r = run(people(200), options().withConcurrency(10).withLog(log::add));

        assertThat(r.outcome()).as(r.problems().toString()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(200);
        assertThat(server.countsByRecipient()).hasSize(200).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        assertThat(server.mostConcurrent.get()).isLessThanOrEqualTo(3);
        assertThat(server.tooMany.get()).as("432s: the extra connections gave up instead of knocking again")
                .isBetween(1, 20);
        assertThat(log).anyMatch(l -> l.startsWith("the server limits concurrent connections (432 4.3.2 Concurrent"
                + " connections limit exceeded): going on with "));
    }

    @Test
    @org.junit.jupiter.api.DisplayName("ISSUE-13.20: a batch stopped while its reader waits for room counts every row it read exactly once")
    void aStoppedBatchCountsEveryRowItReadOnce() throws Exception {
        server.stalled = new java.util.concurrent.CountDownLatch(1);
        server.dataEnd = n -> n == 3 ? BatchTestServer.End.STALL : BatchTestServer.End.OK;
        Path report = dir.resolve("r.jsonl");
        Batch batch = new Batch(RowSource.of(people(300)), BatchTest::hello, sessions(), options().withReport(report));
        Thread stopper = new Thread(() -> {
            try {
                server.stalled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // The reader has filled the queue by now and waits for room: the stop must not lose its row.
            batch.cancel("the run was asked to stop");
            server.release();
        });
        stopper.start();
        BatchResult r = batch.run();
        stopper.join();

        Totals t = r.totals();
        assertThat(t.pending()).as("rows left by the stop").isPositive();
        assertThat(t.sent() + t.failed() + t.deferred() + t.expired() + t.inDoubt() + t.invalid() + t.skipped()
                + t.pending()).as("every row read ends in exactly one count: " + t).isEqualTo(t.rows());
        String summary = r.summary("people");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^batch people: (\\d+) rows: (.*) in ")
                .matcher(summary);
        assertThat(m.find()).as(summary).isTrue();
        long sum = 0;
        for (String part : m.group(2).split(", ")) {
            sum += Long.parseLong(part.substring(0, part.indexOf(' ')));
        }
        assertThat(sum).as(summary).isEqualTo(Long.parseLong(m.group(1)));
        assertThat(report(report).stream().filter(l -> !l.containsKey("summary")).count())
                .as("one report line per row").isEqualTo(t.rows());
    }

    /** Records what a batch tells its progress display. */
    static final class RecordedProgress implements Progress {
        final List<long[]> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public void update(long finished, long expectedRows, Totals totals) {
            updates.add(new long[] {finished, expectedRows, totals.doneBefore()});
        }

        @Override
        public void close() {
            closed = true;
        }

        long[] first() {
            return updates.get(0);
        }

        long[] last() {
            return updates.get(updates.size() - 1);
        }
    }

    private Path csv(int n) throws IOException {
        StringBuilder csv = new StringBuilder("email,name,note\n");
        for (int i = 1; i <= n; i++) {
            csv.append("r").append(i).append("@example.com,Reader ").append(i).append(",\"a, \"\"quoted\"\" cell\"\n");
        }
        return Files.writeString(dir.resolve("people.csv"), csv);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("ISSUE-13.12: the progress total is the source's counted rows of this shard from the start, and the last update is 100%")
    void theProgressTotalIsCountedAheadForTheShardAndEndsAtIt() throws IOException {
        RecordedProgress progress = new RecordedProgress();
        BatchResult r = new Batch(RowSource.csv(csv(30)), BatchTest::hello, sessions(),
                options().withShard(new Shard(2, 3)).withProgress(progress)).run();

        assertThat(r.outcome()).as(r.problems().toString()).isEqualTo(Outcome.SENT);
        // Shards take rows by the key's hash: a third of 30 rows ahead, the exact count at the end.
        assertThat(progress.first()).as("before any row is read, the total is estimated").containsExactly(0, 10, 0);
        assertThat(progress.updates).allMatch(u -> u[0] <= u[1]);
        long mine = r.totals().sent();
        assertThat(mine).isBetween(1L, 29L);
        assertThat(progress.last()).as("the final update: every row done").containsExactly(mine, mine, 0);
        assertThat(progress.closed).isTrue();
    }

    @Test
    @org.junit.jupiter.api.DisplayName("ISSUE-13.12: a resumed batch's progress total leaves out the rows done before, which it shows beside")
    void aResumedBatchsProgressTotalIsWhatIsLeft() throws IOException {
        Path source = csv(10);
        Path journal = dir.resolve("j.jsonl");
        server.rcptReply = (n, a) -> a.matches("r[2468]@example.com|r10@example.com") ? "451 4.7.1 Later" : "250 2.1.5 Ok";
        BatchResult first = new Batch(RowSource.csv(source), BatchTest::hello, sessions(), options()
                .withRetry(new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1))).withJournal(journal)).run();
        assertThat(first.totals().sent()).isEqualTo(5);
        assertThat(first.totals().deferred()).isEqualTo(5);

        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        RecordedProgress progress = new RecordedProgress();
        BatchResult resumed = new Batch(RowSource.csv(source), BatchTest::hello, sessions(), options()
                .withJournal(journal).withResume(true).withProgress(progress)).run();
        assertThat(resumed.outcome()).isEqualTo(Outcome.SENT);
        assertThat(progress.first()[1]).as("the total: the five rows left").isEqualTo(5);
        assertThat(progress.last()).containsExactly(5, 5, 5);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("ISSUE-13.12: an iterator has no total ahead; once read to its end, the final update has its exact total")
    void anIteratorHasNoTotalUntilItIsReadToItsEnd() {
        RecordedProgress progress = new RecordedProgress();
        new Batch(RowSource.of(people(12).iterator()), BatchTest::hello, sessions(), options().withProgress(progress))
                .run();
        assertThat(progress.first()[1]).isEqualTo(-1);
        assertThat(progress.last()).containsExactly(12, 12, 0);
    }
}
