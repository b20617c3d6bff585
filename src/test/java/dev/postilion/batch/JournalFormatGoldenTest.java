package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's and the report's bytes, frozen: a small batch whose rows and replies reach every
 * state and every escape (DEL, U+2028/2029, quotes, backslashes, controls, non-ASCII) writes exactly
 * the lines below, which were produced by the code before the batch was taken apart. Only what
 * changes from run to run is masked: the batch id, the header's creation time, the Date stamps and
 * the summary's timings. Rows are built on several threads, so lines are compared as a sorted set
 * (the header first, the summary last).
 */
@Timeout(60)
class JournalFormatGoldenTest {

    @TempDir
    Path dir;

    private BatchTestServer server;

    // Without pipelining, no transaction rides behind the one whose connection drops: every try is counted alike.

    /** Time moves with sleeps, but the wall clock stays put, so "first" is the same on every run. */
    private static final class StillWallClock implements BatchClock {
        private final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public long epochMillis() {
            return java.time.Instant.parse("2026-11-29T03:10:00Z").toEpochMilli();
        }

        @Override
        public void sleep(long nanos) {
            now.addAndGet(Math.max(0, nanos));
        }
    }

    static final String SPECIALS = "Zoë \"q\" back\\slash DEL\u007f LS\u2028 PS\u2029 tab\t ctl\u0001 €𝄞";

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        server.rcptReply = (n, a) -> switch (a) {
            case "r2@example.com" -> "550 5.1.1 <r2@example.com>: \"unknown\" user \\ gone";
            case "r3@example.com" -> "451 4.7.1 \"greylisted\", try again \\ later";
            case "r4b@example.com" -> "550 5.7.1 policy refusal";
            default -> "250 2.1.5 Ok";
        };
        Map<String, Integer> ends = new ConcurrentHashMap<>();
        server.endReplyFor = to -> to.equals(List.of("r5@example.com")) ? null
                : to.equals(List.of("r6@example.com")) && ends.merge("r6", 1, Integer::sum) == 1
                ? "451 4.3.0 \"not now\" \\ later" : "250 2.0.0 Ok: queued as Q-" + to.get(0).replace("@", "-at-");
        server.dataEndFor = to -> to.equals(List.of("r5@example.com")) ? BatchTestServer.End.DROP : null;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    static List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String[] r : new String[][] {
                {"r1@example.com", "One", "ok"},
                {"r2@example.com", "Two", "ok"},
                {"r3@example.com", "Three", "ok"},
                {"r4a@example.com", "Four", "cc"},
                {"r5@example.com", "Five", "ok"},
                {"r6@example.com", "Six", "ok"},
                {"bad\u007fdel@example.com", "Seven", "ok"},
                {"ls\u2028ps\u2029@example.com", "Eight", "ok"},
                {"ctl\u0001@example.com", "Nine", "ok"},
                {"r10@example.com", SPECIALS, "throw"},
                {"r11@example.com", "Eleven", "skip"},
                {"r12@example.com", "Twelve", "skip"},
                {"", "Thirteen", "ok"},
                {"r14@example.com", "Fourteen", "idn"},
                {"q\"b\\s@example.com", "Fifteen", "ok"},
        }) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("email", r[0]);
            row.put("name", r[1]);
            row.put("kind", r[2]);
            rows.add(row);
        }
        return rows;
    }

    static MessageSpec build(Row row) {
        String kind = row.text("kind");
        if (kind.equals("throw")) {
            throw new InvalidRowException("cannot use " + row.text("name"));
        }
        if (kind.equals("skip")) {
            return null;
        }
        MessageSpec spec = new MessageSpec().from(kind.equals("idn") ? "Sender <sender@bücher.example>"
                : "Sender <sender@example.com>").to(row.text("email")).subject("Hello " + row.text("name"))
                .text("Dear " + row.text("name") + ",\n");
        if (kind.equals("cc")) {
            spec.cc("r4b@example.com");
        }
        return spec;
    }

    private BatchResult run(BatchOptions options) {
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)).withPipelining(false), "PLAIN",
                Credentials.password("user", () -> "secret"));
        return new Batch(RowSource.of(rows()), JournalFormatGoldenTest::build, sessions, options)
                .about(Map.of("script", "we\"ird\\" + "\u007f\u2028\u2029é.groovy")).run();
    }

    private BatchOptions options() {
        return BatchOptions.defaults().withClock(new StillWallClock(), () -> 0.0)
                .withRetry(new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .withJournal(dir.resolve("j.journal")).withReport(dir.resolve("report.jsonl")).withFsync(false);
    }

    /** The file's lines, strictly UTF-8, with what changes between runs masked. */
    static List<String> masked(Path file, String batchId) throws IOException {
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
        assertThat(text).endsWith("\n");
        List<String> lines = new ArrayList<>();
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            lines.add(line.replace(batchId, "BATCH")
                    .replaceAll("\"created\":\"[^\"]*\"", "\"created\":\"CREATED\"")
                    .replaceAll("\"date\":\"[^\"]*\"", "\"date\":\"DATE\"")
                    .replaceAll("\"elapsedMs\":[0-9]+", "\"elapsedMs\":0")
                    .replaceAll("\"messagesPerSecond\":[0-9.E]+", "\"messagesPerSecond\":0"));
        }
        return lines;
    }

    /** The first line, then the others sorted (their order depends on threads), then the last if {@code keepLast}. */
    static List<String> canonical(List<String> lines, boolean keepLast) {
        List<String> out = new ArrayList<>();
        out.add(lines.get(0));
        List<String> middle = new ArrayList<>(lines.subList(1, keepLast ? lines.size() - 1 : lines.size()));
        middle.sort(null);
        out.addAll(middle);
        if (keepLast) {
            out.add(lines.get(lines.size() - 1));
        }
        return out;
    }

    @Test
    void journalAndReportBytesAreTheFrozenOnes() throws IOException {
        BatchResult r = run(options());

        List<String> journal = canonical(masked(dir.resolve("j.journal"), r.batchId()), false);
        List<String> report = masked(dir.resolve("report.jsonl"), r.batchId());
        report.add(0, "");
        report = canonical(report, true).subList(1, report.size());
        assertThat(String.join("\n", journal)).isEqualTo(String.join("\n", JOURNAL));
        assertThat(String.join("\n", report)).isEqualTo(String.join("\n", REPORT));
        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
    }

    @Test
    void aDuplicateRowsLineIsTheFrozenOne() throws IOException {
        // Keyed by a column, rows are claimed as they are read (one thread), so the second is the duplicate.
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", server.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10)), "PLAIN",
                Credentials.password("user", () -> "secret"));
        List<Map<String, Object>> rows = rows().subList(0, 1);
        rows.add(new LinkedHashMap<>(rows.get(0)));
        new Batch(RowSource.of(rows), JournalFormatGoldenTest::build, sessions, options())
                .keyedBy("column email", row -> row.text("email")).run();

        String key = RowKey.hex(RowKey.ofValue("r1@example.com"));
        assertThat(Files.readAllLines(dir.resolve("report.jsonl"), StandardCharsets.UTF_8)).contains("{\"row\":2,"
                + "\"state\":\"duplicate\",\"key\":\"" + key + "\",\"error\":\"row 2 has the key of an earlier row"
                + " (column email): sent once\"}");
    }

    @Test
    void aJournalWrittenBeforeTheSplitStillResumes() throws IOException {
        Path journal = dir.resolve("j.journal");
        List<String> lines = new ArrayList<>();
        for (String line : JOURNAL) {
            lines.add(line.replace("BATCH", "0123456789abcdef").replace("CREATED", "2026-11-29T03:10:00Z")
                    .replace("DATE", "2026-11-29T03:10:00Z"));
        }
        Files.write(journal, lines, StandardCharsets.UTF_8);
        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        BatchResult r = run(options().withResume(true));

        assertThat(r.batchId()).isEqualTo("0123456789abcdef");
        assertThat(r.totals().doneBefore()).isEqualTo(5);
        assertThat(r.totals().sent()).isEqualTo(1);
        assertThat(r.totals().inDoubt()).isEqualTo(1);
        assertThat(server.received).extracting(BatchTestServer.Received::messageId)
                .containsExactly("<0123456789abcdef.0d6eea21ab28f0fb.postilion@example.com>");
        List<Map<String, Object>> report = ReportLines.read(dir.resolve("report.jsonl"));
        assertThat(report).filteredOn(l -> "r5@example.com".equals(l.get("to"))).singleElement()
                .satisfies(l -> assertThat(l).containsEntry("state", "in-doubt")
                        .containsEntry("mid", "<0123456789abcdef.19380fd90bc1ce4f.postilion@example.com>"));
        assertThat(report).filteredOn(l -> Boolean.TRUE.equals(l.get("earlierRun"))).extracting(l -> l.get("to"))
                .containsExactlyInAnyOrder("r1@example.com", "r2@example.com", "r4a@example.com", "r4b@example.com",
                        "r6@example.com", "r14@example.com");
        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
    }

    static final List<String> JOURNAL = List.of(
            "{\"journal\":\"postilion-batch-journal\",\"version\":2,\"batch\":\"BATCH\",\"shard\":\"1/1\",\"shardBy\":\"key\",\"keys\":\"recipients\",\"source\":\"the row list\",\"script\":\"we\\\"ird\\\\\\u007f\\u2028\\u2029\u00e9.groovy\",\"created\":\"CREATED\"}",
            "{\"row\":1,\"key\":\"0f561ff850dc6b13\",\"cells\":\"ff5135f5\",\"state\":\"sending\",\"to\":[\"r1@example.com\"],\"mid\":\"<BATCH.0f561ff850dc6b13.postilion@example.com>\",\"date\":\"DATE\"}",
            "{\"row\":1,\"key\":\"0f561ff850dc6b13\",\"state\":\"sent\",\"to\":[\"r1@example.com\"],\"code\":250,\"queue\":\"Q-r1-at-example.com\",\"attempts\":1,\"done\":true}",
            "{\"row\":10,\"state\":\"invalid\",\"reply\":\"cannot use Zo\u00eb \\\"q\\\" back\\\\slash DEL\\u007f LS\\u2028 PS\\u2029 tab\\t ctl\\u0001 \u20ac\ud834\udd1e\"}",
            "{\"row\":13,\"state\":\"invalid\",\"reply\":\"has no email\"}",
            "{\"row\":14,\"key\":\"084eee3cb4439c3e\",\"cells\":\"5bd87ec9\",\"state\":\"sending\",\"to\":[\"r14@example.com\"],\"mid\":\"<BATCH.084eee3cb4439c3e.postilion@xn--bcher-kva.example>\",\"date\":\"DATE\"}",
            "{\"row\":14,\"key\":\"084eee3cb4439c3e\",\"state\":\"sent\",\"to\":[\"r14@example.com\"],\"code\":250,\"queue\":\"Q-r14-at-example.com\",\"attempts\":1,\"done\":true}",
            "{\"row\":15,\"state\":\"invalid\",\"reply\":\"email: address 'q\\\"b\\\\s@example.com' is not a valid address: missing '\\\"'\"}",
            "{\"row\":2,\"key\":\"14e0089aab803384\",\"state\":\"failed\",\"to\":[\"r2@example.com\"],\"code\":550,\"reply\":\"550 5.1.1 <r2@example.com>: \\\"unknown\\\" user \\\\ gone\",\"attempts\":1,\"done\":true}",
            "{\"row\":3,\"key\":\"0d6eea21ab28f0fb\",\"state\":\"deferred\",\"to\":[\"r3@example.com\"],\"code\":451,\"reply\":\"451 4.7.1 \\\"greylisted\\\", try again \\\\ later\",\"first\":\"2026-11-29T03:10:00Z\",\"attempts\":2}",
            "{\"row\":4,\"key\":\"1953568b1237500f\",\"cells\":\"879b8a7f\",\"state\":\"sending\",\"to\":[\"r4a@example.com\"],\"mid\":\"<BATCH.1953568b1237500f.postilion@example.com>\",\"date\":\"DATE\"}",
            "{\"row\":4,\"key\":\"1953568b1237500f\",\"state\":\"failed\",\"to\":[\"r4b@example.com\"],\"code\":550,\"reply\":\"550 5.7.1 policy refusal\",\"attempts\":1}",
            "{\"row\":4,\"key\":\"1953568b1237500f\",\"state\":\"sent\",\"to\":[\"r4a@example.com\"],\"code\":250,\"queue\":\"Q-r4a-at-example.com\",\"attempts\":1,\"done\":true}",
            "{\"row\":5,\"key\":\"19380fd90bc1ce4f\",\"cells\":\"cda0f3a6\",\"state\":\"sending\",\"to\":[\"r5@example.com\"],\"mid\":\"<BATCH.19380fd90bc1ce4f.postilion@example.com>\",\"date\":\"DATE\"}",
            "{\"row\":5,\"key\":\"19380fd90bc1ce4f\",\"state\":\"in-doubt\",\"to\":[\"r5@example.com\"],\"attempts\":1}",
            "{\"row\":6,\"key\":\"1ac9ec73cd446c54\",\"cells\":\"0e013864\",\"state\":\"sending\",\"to\":[\"r6@example.com\"],\"mid\":\"<BATCH.1ac9ec73cd446c54.postilion@example.com>\",\"date\":\"DATE\"}",
            "{\"row\":6,\"key\":\"1ac9ec73cd446c54\",\"cells\":\"0e013864\",\"state\":\"sending\",\"to\":[\"r6@example.com\"],\"mid\":\"<BATCH.1ac9ec73cd446c54.postilion@example.com>\",\"date\":\"DATE\"}",
            "{\"row\":6,\"key\":\"1ac9ec73cd446c54\",\"state\":\"not-sent\",\"to\":[\"r6@example.com\"],\"code\":451,\"reply\":\"451 4.3.0 \\\"not now\\\" \\\\ later\"}",
            "{\"row\":6,\"key\":\"1ac9ec73cd446c54\",\"state\":\"sent\",\"to\":[\"r6@example.com\"],\"code\":250,\"queue\":\"Q-r6-at-example.com\",\"attempts\":2,\"done\":true}",
            "{\"row\":7,\"state\":\"invalid\",\"reply\":\"email: address 'bad\\\\u007fdel@example.com' contains the control character U+007F: refused\"}",
            "{\"row\":8,\"state\":\"invalid\",\"reply\":\"email: address 'ls\\\\u2028ps\\\\u2029@example.com' contains the control character U+2028: refused\"}",
            "{\"row\":9,\"state\":\"invalid\",\"reply\":\"email: address 'ctl\\\\u0001@example.com' contains the control character U+0001: refused\"}");

    static final List<String> REPORT = List.of(
            "{\"row\":1,\"to\":\"r1@example.com\",\"state\":\"sent\",\"mid\":\"<BATCH.0f561ff850dc6b13.postilion@example.com>\",\"code\":250,\"enhanced\":\"2.0.0\",\"reply\":\"250 2.0.0 Ok: queued as Q-r1-at-example.com\",\"queue\":\"Q-r1-at-example.com\",\"attempts\":1}",
            "{\"row\":10,\"to\":\"r10@example.com\",\"state\":\"invalid\",\"error\":\"row 10 cannot use Zo\u00eb \\\"q\\\" back\\\\slash DEL\\u007f LS\\u2028 PS\\u2029 tab\\t ctl\\u0001 \u20ac\ud834\udd1e\"}",
            "{\"row\":11,\"state\":\"skipped\"}",
            "{\"row\":12,\"state\":\"skipped\"}",
            "{\"row\":13,\"to\":\"\",\"state\":\"invalid\",\"error\":\"row 13 has no email\"}",
            "{\"row\":14,\"to\":\"r14@example.com\",\"state\":\"sent\",\"mid\":\"<BATCH.084eee3cb4439c3e.postilion@xn--bcher-kva.example>\",\"code\":250,\"enhanced\":\"2.0.0\",\"reply\":\"250 2.0.0 Ok: queued as Q-r14-at-example.com\",\"queue\":\"Q-r14-at-example.com\",\"attempts\":1}",
            "{\"row\":15,\"to\":\"q\\\"b\\\\s@example.com\",\"state\":\"invalid\",\"error\":\"row 15 email: address 'q\\\"b\\\\s@example.com' is not a valid address: missing '\\\"'\"}",
            "{\"row\":2,\"to\":\"r2@example.com\",\"state\":\"failed\",\"mid\":\"<BATCH.14e0089aab803384.postilion@example.com>\",\"code\":550,\"enhanced\":\"5.1.1\",\"reply\":\"550 5.1.1 <r2@example.com>: \\\"unknown\\\" user \\\\ gone\",\"attempts\":1}",
            "{\"row\":3,\"to\":\"r3@example.com\",\"state\":\"deferred\",\"mid\":\"<BATCH.0d6eea21ab28f0fb.postilion@example.com>\",\"code\":451,\"enhanced\":\"4.7.1\",\"reply\":\"451 4.7.1 \\\"greylisted\\\", try again \\\\ later\",\"attempts\":2}",
            "{\"row\":4,\"to\":\"r4a@example.com\",\"state\":\"sent\",\"mid\":\"<BATCH.1953568b1237500f.postilion@example.com>\",\"code\":250,\"enhanced\":\"2.0.0\",\"reply\":\"250 2.0.0 Ok: queued as Q-r4a-at-example.com\",\"queue\":\"Q-r4a-at-example.com\",\"attempts\":1}",
            "{\"row\":4,\"to\":\"r4b@example.com\",\"state\":\"failed\",\"mid\":\"<BATCH.1953568b1237500f.postilion@example.com>\",\"code\":550,\"enhanced\":\"5.7.1\",\"reply\":\"550 5.7.1 policy refusal\",\"attempts\":1}",
            "{\"row\":5,\"to\":\"r5@example.com\",\"state\":\"in-doubt\",\"mid\":\"<BATCH.19380fd90bc1ce4f.postilion@example.com>\",\"attempts\":1,\"error\":\"the final dot was sent, then no reply (connection closed by the server; the message may or may not have been delivered)\"}",
            "{\"row\":6,\"to\":\"r6@example.com\",\"state\":\"sent\",\"mid\":\"<BATCH.1ac9ec73cd446c54.postilion@example.com>\",\"code\":250,\"enhanced\":\"2.0.0\",\"reply\":\"250 2.0.0 Ok: queued as Q-r6-at-example.com\",\"queue\":\"Q-r6-at-example.com\",\"attempts\":2}",
            "{\"row\":7,\"to\":\"bad\\u007fdel@example.com\",\"state\":\"invalid\",\"error\":\"row 7 email: address 'bad\\\\u007fdel@example.com' contains the control character U+007F: refused\"}",
            "{\"row\":8,\"to\":\"ls\\u2028ps\\u2029@example.com\",\"state\":\"invalid\",\"error\":\"row 8 email: address 'ls\\\\u2028ps\\\\u2029@example.com' contains the control character U+2028: refused\"}",
            "{\"row\":9,\"state\":\"invalid\",\"error\":\"row 9 email: address 'ctl\\\\u0001@example.com' contains the control character U+0001: refused\"}",
            "{\"summary\":true,\"batch\":\"BATCH\",\"source\":\"the row list\",\"shard\":\"1/1\",\"outcome\":\"deferred\",\"rows\":15,\"doneBefore\":0,\"sent\":4,\"failed\":2,\"deferred\":1,\"expired\":0,\"inDoubt\":1,\"invalid\":6,\"skipped\":2,\"pending\":0,\"messages\":4,\"stopped\":null,\"elapsedMs\":0,\"messagesPerSecond\":0}");
}
