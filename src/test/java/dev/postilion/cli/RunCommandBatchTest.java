package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.BatchTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code postilion run} with a batch: the overrides, and the exit code of what the batch left. */
@Timeout(30)
class RunCommandBatchTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private Path script;
    private final Cli cli = new Cli();
    private String err = "";

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        Files.writeString(dir.resolve("people.csv"), "email,name\nann@example.com,Ann\nbob@example.com,Bob\n"
                + "cy@example.com,Cy\nde@example.com,De\n");
        script = dir.resolve("bulk.groovy");
        Files.writeString(script, """
                connect '127.0.0.1', port: port as int
                ehlo 'client.test'
                batch(csv('people.csv'), retries: 0) { row ->
                    send { from 'sender@example.com'; to row.email; subject "Hi ${row.name}"; text 'hello' }
                }
                quit
                """);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private int run(String... extra) {
        List<String> args = new ArrayList<>(List.of("run", script.toString(), "-q", "--var", "port=" + server.port()));
        args.addAll(List.of(extra));
        Cli.Outcome o = cli.run(args.toArray(String[]::new));
        err = o.err();
        return o.code();
    }

    @Test
    void allSentExitsZeroAndAResumeSendsNothingTwice() {
        Path journal = dir.resolve("j.jsonl");
        Path report = dir.resolve("r.jsonl");
        assertThat(run("--journal", journal.toString(), "--report", report.toString(), "--concurrency", "2",
                "--per-connection", "1", "--rate", "1000/s")).isZero();
        assertThat(server.received).hasSize(4);
        assertThat(server.connections.get()).isGreaterThanOrEqualTo(5);
        assertThat(run("--journal", journal.toString(), "--resume")).isZero();
        assertThat(server.received).hasSize(4);
        assertThat(report).exists();
    }

    @Test
    void deferredExits75() {
        server.rcptReply = (n, a) -> a.startsWith("bob") ? "451 4.7.1 later" : "250 2.1.5 Ok";
        assertThat(run()).isEqualTo(75);
        assertThat(err).contains("bulk.groovy:3: batch people.csv: 4 rows: 3 sent,"
                + " 1 deferred");
    }

    @Test
    void failedOnlyExits69() {
        server.rcptReply = (n, a) -> a.startsWith("bob") ? "550 5.1.1 no such user" : "250 2.1.5 Ok";
        assertThat(run()).isEqualTo(69);
    }

    @DisplayName("BAT-05: a journal on a full disk exits 74 (IOERR) and sends nothing")
    @Test
    void aJournalThatIsADeviceExits74AndSendsNothing() {
        // A full disk while writing is JournalTest's (FullDisk); /dev/full is a device, refused unopened.
        assertThat(run("--journal", "/dev/full")).isEqualTo(74);
        assertThat(err).contains("journal /dev/full is not a regular file");
        assertThat(server.mails.get()).as("the script's own connection only: no MAIL").isZero();
    }

    @DisplayName("BAT-08: only expired (and failed) recipients left exits 69 (UNAVAILABLE); --max-age sets the lifetime")
    @Test
    void expiredOnlyExits69() throws IOException {
        server.rcptReply = (n, a) -> a.startsWith("bob") ? "451 4.7.1 later" : "250 2.1.5 Ok";
        Path journal = dir.resolve("j.jsonl");
        assertThat(run("--journal", journal.toString())).isEqualTo(75);
        // The journal says bob was first tried three days ago.
        String text = Files.readString(journal);
        assertThat(text).containsPattern("\"first\":\"[^\"]+\"");
        Files.writeString(journal, text.replaceAll("\"first\":\"[^\"]+\"", "\"first\":\""
                + java.time.Instant.now().minus(java.time.Duration.ofDays(3)) + "\""));
        assertThat(run("--journal", journal.toString(), "--resume")).as("3 days is within the default 5").isEqualTo(75);
        assertThat(run("--journal", journal.toString(), "--resume", "--max-age", "2d")).isEqualTo(69);
        assertThat(err).contains("batch people.csv: 1 row (+3 done before): 0 sent, 1 expired in ")
                .contains("[row 2 bob@example.com] bulk.groovy:3: expired: still refused temporarily 3d");
        assertThat(run("--journal", journal.toString(), "--resume")).as("expired is never tried again").isZero();
        assertThat(server.commands).filteredOn(c -> c.equals("RCPT TO:<bob@example.com>")).hasSize(3);
    }

    @DisplayName("LIM-03: a daily quota exits 75 (TEMPFAIL) and says to resume after a rolling 24 h")
    @Test
    void aDailyQuotaExits75AndSaysWhenToResume() {
        server.mailReply = n -> n >= 2 ? "550 5.4.5 Daily user sending limit exceeded" : "250 2.1.0 Ok";
        assertThat(run("--journal", dir.resolve("j.jsonl").toString())).isEqualTo(75);
        assertThat(err).contains("the account's daily sending quota is used up").contains("resume after a rolling 24 h:"
                + " run the batch again then with --resume");
        assertThat(server.mails.get()).as("no MAIL after the quota reply (one may ride behind the dot before it)")
                .isBetween(2, 3);
    }

    @DisplayName("LIM-04: --max-recipients splits a message's recipients over several transactions")
    @Test
    void maxRecipientsComesFromTheCommandLine() throws IOException {
        Files.writeString(script, """
                connect '127.0.0.1', port: port as int
                ehlo 'client.test'
                batch([[email: 'ann@example.com']], maxRecipients: 100) { row ->
                    send { from 'sender@example.com'; to row.email; cc 'b@example.com', 'c@example.com'; text 'hi' }
                }
                """);
        assertThat(run("--max-recipients", "2")).isZero();
        assertThat(server.received).extracting(BatchTestServer.Received::recipients).containsExactly(
                List.of("ann@example.com", "b@example.com"), List.of("c@example.com"));
    }

    @Test
    void aShardAndMaxErrorsComeFromTheCommandLine() {
        server.rcptReply = (n, a) -> "550 5.7.1 relay denied";
        assertThat(run("--max-errors", "2")).isEqualTo(69);
        assertThat(server.rcpts.get()).isEqualTo(2);
        assertThat(err).contains("stopped: stopped after 2 identical permanent errors");
        server.rcptReply = (n, a) -> "250 2.1.5 Ok";
        assertThat(run("--shard", "2/2")).isZero();
        List<String> second = List.of("ann@example.com", "bob@example.com", "cy@example.com", "de@example.com")
                .stream().filter(p -> dev.postilion.batch.Shard.parse("2/2")
                        .containsKey(dev.postilion.batch.RowKey.ofRecipients(List.of(p)))).toList();
        assertThat(server.countsByRecipient().keySet()).as("shard 2/2 takes rows by key")
                .containsExactlyInAnyOrderElementsOf(second);
    }

    @Test
    void theBulkSampleRunsLocallyAndItsResumeSendsNothingAgain() throws IOException {
        Path outbox = dir.resolve("outbox");
        Path journal = dir.resolve("welcome.journal");
        Path report = dir.resolve("welcome.jsonl");
        Cli.Outcome o = cli.run("run", "--local", "--outbox", outbox.toString(), "samples/bulk-welcome.groovy",
                "--journal", journal.toString(), "--report", report.toString());
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains("batch people.csv: 5 rows: 4 sent, 1 skipped in ");
        try (var files = Files.list(outbox)) {
            assertThat(files.filter(f -> f.toString().endsWith(".eml")).count()).isEqualTo(4);
        }
        assertThat(Files.readAllLines(report)).filteredOn(l -> l.contains("\"state\":\"sent\"")).hasSize(4);
        Cli.Outcome again = cli.run("run", "--local", "--outbox", outbox.toString(), "samples/bulk-welcome.groovy",
                "--journal", journal.toString(), "--resume");
        assertThat(again.code()).as(again.all()).isZero();
        assertThat(again.out()).contains("batch people.csv: 1 row (+4 done before): 0 sent, 1 skipped in ");
        try (var files = Files.list(outbox)) {
            assertThat(files.filter(f -> f.toString().endsWith(".eml")).count()).isEqualTo(4);
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            --rate,fast          | postilion run: --rate: 'fast' is not a rate; write N/s, N/min or N/h (e.g. 30/min)
            --shard,3/2          | postilion run: --shard: shard 3/2 does not exist: write K/N with 1 <= K <= N
            --concurrency,0      | postilion run: --concurrency must be at least 1
            --resend-in-doubt    | postilion run: --resend-in-doubt goes with --resume (it resends what the journal lists as in doubt)
            --max-age,a-week     | postilion run: --max-age: 'a-week' is not a duration; write 30s, 2m, 1h, 5d, 500ms or a number of seconds (0: messages never expire)
            --max-recipients,-1  | postilion run: --max-recipients cannot be negative (0: no limit)
            """, delimiter = '|')
    void badBatchOptionsAreUsageErrors(String args, String message) {
        assertThat(run(args.split(","))).isEqualTo(64);
        assertThat(err.trim()).isEqualTo(message);
        assertThat(server.connections.get()).isZero();
    }

    @Test
    @DisplayName("ISSUE-13.12: --progress auto shows nothing when stderr is not a terminal, so cron mails nothing on success")
    void progressAutoOffATerminalShowsNothing() {
        Cli.Outcome o = cli.run("run", script.toString(), "-q", "--var", "port=" + server.port(), "--progress", "auto");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.all()).isEmpty();
    }

    @Test
    @DisplayName("ISSUE-13.12: --progress bar draws in place within $COLUMNS and its last frame is 4/4 at 100%")
    void progressBarFitsColumnsAndEndsAtOneHundredPercent() {
        cli.env.put("COLUMNS", "60");
        assertThat(run("--progress", "bar")).as(err).isZero();
        assertThat(err).startsWith("\r").endsWith(System.lineSeparator());
        String[] frames = err.strip().split("\r");
        for (String frame : frames) {
            assertThat(frame.stripTrailing().length()).as(frame).isLessThan(60);
        }
        assertThat(frames[frames.length - 1]).contains("100% [").contains("4/4").contains("sent 4");
    }

    @Test
    @DisplayName("ISSUE-13.12: --progress plain prints whole lines on stderr, the last one at 100%")
    void progressPlainPrintsLinesOnStderr() {
        assertThat(run("--progress", "plain", "--progress-interval", "1ms")).as(err).isZero();
        assertThat(err).doesNotContain("\r").endsWith("\n");
        assertThat(err.lines()).allMatch(l -> l.startsWith("batch people.csv: "))
                .last().asString().startsWith("batch people.csv: 4 of 4 rows (100%); 4 sent");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --progress | sometimes | --progress: 'sometimes' is not a choice; write auto, bar, plain or none
            --progress-interval | soon | --progress-interval: 'soon' is not a duration; write 30s, 2m, 1h, 5d, 500ms or a number of seconds
            --progress-interval | 0 | --progress-interval: the duration must be longer than 0 (write 30s, 10m, 1h)
            """)
    void badProgressOptionsExit64SayingWhatToWrite(String option, String value, String message) {
        Cli.Outcome o = cli.run("run", script.toString(), option, value);
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).isEqualTo("postilion run: " + message + "\n");
        assertThat(server.received).isEmpty();
    }

    @Test
    @DisplayName("ISSUE-13.20: a dry run's summary counts the rows it checked, so its counts add up to its rows")
    void aDryRunsSummaryCountsTheRowsItChecked() throws IOException {
        Files.writeString(dir.resolve("people.csv"), "email,name\nann@example.com,Ann\nbad,Bad\ncy@example.com,Cy\n");
        Cli.Outcome o = cli.run("run", script.toString(), "--dry-run", "--var", "port=" + server.port());
        assertThat(o.all()).contains("batch people.csv: 3 rows: 2 checked (a dry run sends nothing), 1 invalid in ");
        assertThat(server.received).isEmpty();
    }
}
