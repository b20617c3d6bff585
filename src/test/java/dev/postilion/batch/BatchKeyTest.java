package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A row's identity is its key, not its row number: what the operator does to the list between runs changes nothing. */
@Timeout(30)
class BatchKeyTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private static Map<String, Object> person(String email, String name) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("email", email);
        row.put("name", name);
        return row;
    }

    private static List<Map<String, Object>> people(int from, int to) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            rows.add(person("r" + i + "@example.com", "Reader " + i));
        }
        return rows;
    }

    private BatchOptions options() {
        return BatchOptions.defaults().withClock(new FakeClock(), () -> 0.0).withLog(log::add)
                .withRetry(new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .withJournal(dir.resolve("j.journal"));
    }

    private Batch batch(List<Map<String, Object>> rows, BatchOptions o) {
        return batch(rows, BatchTest::hello, o);
    }

    private Batch batch(List<Map<String, Object>> rows, Function<Row, MessageSpec> builder, BatchOptions o) {
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), "PLAIN",
                Credentials.password("user", () -> "secret"));
        return new Batch(RowSource.of(rows), builder, sessions, o);
    }

    private void assertEachOnce(int n) {
        assertThat(server.countsByRecipient()).hasSize(n).allSatisfy((to, count) -> assertThat(count).as(to).isEqualTo(1));
    }

    @Test
    void aRowInsertedAtTheTopBeforeResumeIsSentAndNoOtherRowTwice() {
        assertThat(batch(people(1, 6), options()).run().outcome()).isEqualTo(Outcome.SENT);
        List<Map<String, Object>> edited = new ArrayList<>(people(1, 10));
        edited.add(0, person("new@example.com", "New"));
        BatchResult r = batch(edited, options().withResume(true)).run();
        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().doneBefore()).isEqualTo(6);
        assertThat(r.totals().sent()).isEqualTo(5);
        assertThat(server.countsByRecipient()).containsEntry("new@example.com", 1);
        assertEachOnce(11);
    }

    @Test
    void aReSortedListResumesWithEveryRecipientExactlyOnce() {
        batch(people(1, 50), options()).run();
        List<Map<String, Object>> all = people(1, 100);
        Collections.shuffle(all, new Random(7));
        BatchResult r = batch(all, options().withResume(true)).run();
        assertThat(r.totals().doneBefore()).isEqualTo(50);
        assertThat(r.totals().sent()).isEqualTo(50);
        assertEachOnce(100);
    }

    @Test
    void aDeletedRowChangesNothingAndReformattedCellsAreNotResent() {
        batch(people(1, 10), options()).run();
        List<Map<String, Object>> edited = people(1, 12);
        edited.remove(3);
        edited.forEach(row -> row.put("name", "  " + row.get("name").toString().toUpperCase() + " "));
        edited.get(0).put("email", "r1@EXAMPLE.COM");
        BatchResult r = batch(edited, options().withResume(true)).run();
        assertThat(r.totals().doneBefore()).as("a domain in capitals is the same recipient").isEqualTo(9);
        assertThat(r.totals().sent()).isEqualTo(2);
        assertEachOnce(12);
        assertThat(log).contains("the row list: 9 rows sent in an earlier run changed since (other cells than the key);"
                + " not sent again: rows are matched by key");
    }

    @Test
    void cellsReformattedOnlyInTheirSpacesCountAsUnchanged() {
        batch(people(1, 4), options()).run();
        List<Map<String, Object>> reexported = people(1, 4);
        reexported.forEach(row -> row.put("name", "  " + row.get("name").toString().replace(" ", "   ") + " "));
        BatchResult r = batch(reexported, options().withResume(true)).run();
        assertThat(r.totals().doneBefore()).isEqualTo(4);
        assertThat(log).noneMatch(l -> l.contains("changed since"));
    }

    @Test
    void aDifferentListUnderTheSameNameIsRefusedWith65NamingBoth() {
        batch(people(1, 20), options()).run();
        BatchResult r = batch(people(101, 120), options().withResume(true)).run();
        assertThat(r.outcome()).isEqualTo(Outcome.BAD_SOURCE);
        assertThat(r.stopReason()).startsWith("journal " + dir.resolve("j.journal").toAbsolutePath() + " names 20"
                + " recipients of the row list").contains("holds only 0 of them in 20 rows: fewer than half")
                .contains("--resume --source-changed=accept");
        assertThat(server.received).hasSize(20);

        BatchResult accepted = batch(people(1, 30), options().withResume(true)).acceptSourceChange(true).run();
        assertThat(accepted.totals().doneBefore()).isEqualTo(20);
        BatchResult more = batch(people(101, 120), options().withResume(true)).acceptSourceChange(true).run();
        assertThat(more.outcome()).isEqualTo(Outcome.SENT);
        assertThat(more.totals().sent()).isEqualTo(20);
        assertEachOnce(50);
    }

    @Test
    void aSourceHoldingHalfTheJournalsKeysResumes() {
        batch(people(1, 20), options()).run();
        BatchResult r = batch(people(11, 40), options().withResume(true)).run();
        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().doneBefore()).isEqualTo(10);
        assertThat(r.totals().sent()).isEqualTo(20);
    }

    @Test
    void aKeyTwiceInTheSourceIsSentOnceAndReported() throws IOException {
        List<Map<String, Object>> rows = people(1, 5);
        rows.add(person("r2@Example.com", "Reader Two again"));
        Path report = dir.resolve("r.jsonl");
        BatchResult r = batch(rows, options().withReport(report)).run();
        assertThat(r.totals().sent()).isEqualTo(5);
        assertThat(r.totals().skipped()).isEqualTo(1);
        assertEachOnce(5);
        assertThat(ReportLines.read(report)).filteredOn(l -> "duplicate".equals(l.get("state"))).singleElement()
                .satisfies(l -> assertThat(l).containsEntry("row", 6L));
        assertThat(log).anyMatch(l -> l.contains("1 row repeats the key of an earlier row (recipients); each key was"
                + " sent once"));
    }

    @Test
    void aNamedKeyLetsOnePersonGetSeveralMessagesExactlyOnceEach() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Map<String, Object> row = person("ann@example.com", "Ann");
            row.put("invoice", "INV-" + i);
            rows.add(row);
        }
        BatchResult first = batch(rows.subList(0, 2), options()).keyedBy("column invoice", row -> row.get("invoice"))
                .run();
        assertThat(first.totals().sent()).isEqualTo(2);
        Collections.reverse(rows);
        BatchResult r = batch(rows, options().withResume(true)).keyedBy("column invoice", row -> row.get("invoice"))
                .run();
        assertThat(r.totals().doneBefore()).isEqualTo(2);
        assertThat(r.totals().sent()).isEqualTo(2);
        assertThat(server.countsByRecipient()).containsEntry("ann@example.com", 4);
    }

    @Test
    void aResumeKeyedOtherwiseThanItsJournalIsRefused() {
        batch(people(1, 3), options()).run();
        BatchResult r = batch(people(1, 3), options().withResume(true)).keyedBy("column email", row -> row.get("email"))
                .run();
        assertThat(r.outcome()).isEqualTo(Outcome.BAD_SOURCE);
        assertThat(r.stopReason()).contains("identifies rows by recipients, this run by column email");
        assertThat(server.received).hasSize(3);
    }

    @Test
    void anInDoubtMessageResentAfterTheListWasReSortedKeepsItsMessageId() {
        server.dataEnd = n -> n == 2 ? BatchTestServer.End.DROP : BatchTestServer.End.OK;
        BatchResult first = batch(people(1, 3), options()).run();
        assertThat(first.totals().inDoubt()).isEqualTo(1);
        String doubtful = server.received.get(1).messageId();
        String to = server.received.get(1).recipients().get(0);
        server.dataEnd = n -> BatchTestServer.End.OK;
        List<Map<String, Object>> resorted = people(1, 3);
        Collections.reverse(resorted);
        resorted.add(0, person("new@example.com", "New"));
        BatchResult r = batch(resorted, options().withResume(true).withResendInDoubt(true)).run();
        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(server.received).filteredOn(m -> m.recipients().contains(to)).extracting(BatchTestServer.Received::messageId)
                .containsExactly(doubtful, doubtful);
        assertThat(doubtful).contains("." + RowKey.hex(RowKey.ofRecipients(List.of(to))) + ".postilion@");
    }

    @Test
    void aJournalWrittenBeforeKeysResumesByRowNumberWithAWarning() throws IOException {
        Path journal = dir.resolve("j.journal");
        Files.writeString(journal, """
                {"journal":"postilion-batch-journal","version":1,"batch":"0123456789abcdef","shard":"1/1","source":"the row list","created":"2026-11-29T03:10:00Z"}
                {"row":1,"state":"sending","to":["r1@example.com"],"mid":"<0123456789abcdef.1.postilion@example.com>"}
                {"row":1,"state":"sent","to":["r1@example.com"],"code":250,"attempts":1,"done":true}
                {"row":2,"state":"sending","to":["r2@example.com"],"mid":"<0123456789abcdef.2.postilion@example.com>"}
                {"row":2,"state":"sent","to":["r2@example.com"],"code":250,"attempts":1,"done":true}
                """);
        BatchResult r = batch(people(1, 4), options().withResume(true)).run();
        assertThat(r.totals().doneBefore()).isEqualTo(2);
        assertThat(server.countsByRecipient()).containsOnlyKeys("r3@example.com", "r4@example.com");
        assertThat(server.received).extracting(BatchTestServer.Received::messageId)
                .containsExactlyInAnyOrder("<0123456789abcdef.3.postilion@example.com>",
                        "<0123456789abcdef.4.postilion@example.com>");
        assertThat(log).anyMatch(l -> l.contains("was written before rows had keys: it resumes by row number")
                && l.contains("a changed source is not detected for it"));
    }

    @Test
    void theJournalHeaderRecordsHowRowsAreKeyedAndTheSource() throws IOException {
        Path csv = dir.resolve("people.csv");
        Files.writeString(csv, "email,name\nr1@example.com,One\n");
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), "PLAIN",
                Credentials.password("user", () -> "secret"));
        new Batch(RowSource.csv(csv), BatchTest::hello, sessions, options())
                .about(Map.of("script", "bulk.groovy")).run();
        Map<String, Object> header = Json.parseObject(Files.readAllLines(dir.resolve("j.journal")).get(0));
        assertThat(header).containsEntry("version", 2L).containsEntry("keys", "recipients")
                .containsEntry("shardBy", "key").containsEntry("source", "people.csv")
                .containsEntry("sourceSize", Files.size(csv)).containsEntry("sourceHeader", "email,name")
                .containsEntry("script", "bulk.groovy");
        assertThat(Files.readAllLines(dir.resolve("j.journal")).get(1)).contains("\"key\":\""
                + RowKey.hex(RowKey.ofRecipients(List.of("r1@example.com"))) + "\"");
    }
}
