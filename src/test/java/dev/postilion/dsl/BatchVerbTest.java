package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.BatchTestServer;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The batch verb: sources, the per-row block, errors with their lines, outcomes as problems. */
@Timeout(30)
class BatchVerbTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private final TranscriptRecorder transcript = new TranscriptRecorder();

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        Files.writeString(dir.resolve("people.csv"), "email;name\nann@example.com;Ann\nbob@example.com;Bob\n"
                + "cy@example.com;Cy\n");
        Files.writeString(dir.resolve("welcome.txt"), "Dear ${name},\nwelcome.\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private RunOptions options() {
        return RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .vars(Map.of("port", String.valueOf(server.port()))).build();
    }

    private ScriptRunner.Result run(String script) {
        return run(script, options());
    }

    private ScriptRunner.Result run(String script, RunOptions o) {
        return new ScriptRunner().run("connect '127.0.0.1', port: port as int\nehlo 'client.test'\n"
                + "auth plain: 'user', password: 'secret'\n" + script, "bulk.groovy", dir, o);
    }

    private static String messages(ScriptRunner.Result r) {
        return String.join("\n", r.problems().stream().map(Problem::message).toList());
    }

    @Test
    void eachRowBecomesItsOwnMessageSentOnTheBatchConnections() {
        ScriptRunner.Result r = run("""
                def result = batch(csv('people.csv', delimiter: ';'), concurrency: 2, rate: '1000/s') { row ->
                    send {
                        from 'Sender <sender@example.com>'
                        to row.email
                        subject "Hello ${row.name}"
                        text template('welcome.txt', row)
                    }
                }
                assert result.ok()
                assert result.totals().sent() == 3
                quit
                """);
        assertThat(messages(r)).isEmpty();
        assertThat(server.countsByRecipient()).containsOnlyKeys("ann@example.com", "bob@example.com", "cy@example.com")
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        assertThat(server.connections.get()).isBetween(2, 3);
        assertThat(server.auths.get()).isEqualTo(server.connections.get());
        assertThat(transcript.text()).contains("batch people.csv: 3 rows: 3 sent in ");
    }

    @Test
    void aListOfMapsIsASourceAndARowWithoutSendIsSkipped() {
        ScriptRunner.Result r = run("""
                def people = [[email: 'a@example.com', vip: true], [email: 'b@example.com', vip: false]]
                def result = batch(people) { row ->
                    if (!row.vip) return
                    send { from 'sender@example.com'; to row.email; subject 'VIP'; text 'hi' }
                }
                assert result.totals().skipped() == 1
                """);
        assertThat(messages(r)).isEmpty();
        assertThat(server.countsByRecipient()).containsOnlyKeys("a@example.com");
    }

    @Test
    void deferredRecipientsAreReportedWhenTheScriptEnds() {
        server.rcptReply = (n, a) -> a.startsWith("bob") ? "451 4.7.1 Try again later" : "250 2.1.5 Ok";
        ScriptRunner.Result r = run("""
                batch(csv('people.csv', delimiter: ';'), retries: 0) { row ->
                    send { from 'sender@example.com'; to row.email; subject 'x'; text 'y' }
                }
                log 'after the batch'
                """);
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.category()).isEqualTo(Problem.Category.BATCH);
            assertThat(p.smtpKind()).isEqualTo(dev.postilion.smtp.SmtpException.Kind.TEMPORARY);
            assertThat(p.message()).startsWith("bulk.groovy:4: batch people.csv: 3 rows: 2 sent, 1 deferred in ")
                    .endsWith("\n    [row 2 bob@example.com] bulk.groovy:4: deferred: 451 4.7.1 Try again later");
        });
        assertThat(transcript.text()).contains("after the batch");
    }

    @Test
    void aBadAddressBuiltInTheBlockIsAnInvalidRowNamedByItsLine() {
        ScriptRunner.Result r = run("""
                batch(csv('people.csv', delimiter: ';'), addressField: null) { row ->
                    send {
                        from 'sender@example.com'
                        to row.number() == 2 ? 'bob@' : row.email
                        subject 'x'
                        text 'y'
                    }
                }
                """);
        assertThat(messages(r)).startsWith("bulk.groovy:4: batch people.csv: 3 rows: 2 sent, 1 invalid in ")
                .endsWith("\n    [row 2] bulk.groovy:7: invalid row: to: address 'bob@' is not a valid address:"
                        + " missing domain");
        assertThat(r.problems().get(0).smtpKind()).isEqualTo(dev.postilion.smtp.SmtpException.Kind.INPUT);
        assertThat(server.received).hasSize(2);
    }

    @Test
    void smtpVerbsInsideTheBlockAreRefusedWithTheirLine() {
        ScriptRunner.Result r = run("""
                batch(csv('people.csv', delimiter: ';')) { row ->
                    rcpt to: row.email
                }
                """);
        assertThat(messages(r)).isEqualTo("bulk.groovy:5: script error: rcpt cannot be used inside batch { }: the"
                + " batch runs the SMTP dialogue on its own connections; describe the row's message with send { }");
        assertThat(server.received).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            connect    | connect  | 5
            helo       | helo     | 5
            starttls   | starttls | 5
            quit       | quit     | 5
            noop()     | noop     | 5
            closeUp()  | quit     | 4
            """)
    void verbsThatReachTheScriptFromABatchBlockAreRefused(String call, String verb, int line) {
        // The block is handed over as a value, so compiling does not see it; a bare word the row's
        // delegate lacked, or a method of the script, would run on the script's own connection.
        ScriptRunner.Result r = run("""
                def closeUp() { quit() }
                def body = { row -> %s; send { from 'a@example.com'; to row.email; subject 's'; text 't' } }
                batch([[email: 'ann@example.com']], body)
                """.formatted(call));
        assertThat(messages(r)).isEqualTo("bulk.groovy:" + line + ": script error: "
                + verb + " cannot be used inside batch { }: the batch runs the SMTP dialogue on its own connections;"
                + " describe the row's message with send { }");
        assertThat(server.received).isEmpty();
        assertThat(transcript.text()).doesNotContain(" -> HELO").doesNotContain(" -> NOOP")
                .doesNotContain(" -> STARTTLS").containsOnlyOnce("Connected to");
    }

    @Test
    void aBatchNeedsAConnectFirst() {
        ScriptRunner.Result r = new ScriptRunner().run("batch([[email: 'a@example.com']]) { send { to 'x@y.z' } }\n",
                "bulk.groovy", dir, options());
        assertThat(messages(r)).isEqualTo("bulk.groovy:1: script error: batch needs connect first (and auth if the"
                + " server wants it): the batch opens its own connections with the settings of the last connect and"
                + " auth");
    }

    @Test
    void unknownOptionsAndBadValuesAreNamed() {
        assertThat(messages(run("batch([], concurency: 2) { }\n"))).isEqualTo("bulk.groovy:4: script error: batch:"
                + " unknown option 'concurency' (did you mean 'concurrency'?); allowed: concurrency, rate,"
                + " perConnection, retries, retryDelay, maxRetryDelay, maxErrors, journal, fsync, resume, create, key,"
                + " resendInDoubt, report, shard, addressField, maxAge, maxRecipients");
        assertThat(messages(run("batch([], rate: 'fast') { }\n"))).isEqualTo("bulk.groovy:4: script error: batch:"
                + " 'fast' is not a rate; write N/s, N/min or N/h (e.g. 30/min)");
        assertThat(messages(run("batch([], maxAge: 'a week') { }\n"))).isEqualTo("bulk.groovy:4: script error:"
                + " batch: maxAge: 'a week' is not a duration; write 30s, 2m, 1h, 5d, 500ms or a number of seconds");
        assertThat(messages(run("batch([], maxRecipients: -1) { }\n"))).isEqualTo("bulk.groovy:4: script error:"
                + " batch: maxRecipients cannot be negative (0 means no limit)");
        assertThat(messages(run("batch(csv('nobody.csv')) { }\n"))).isEqualTo("bulk.groovy:4: csv: file "
                + dir.resolve("nobody.csv") + " does not exist");
    }

    @Test
    void anAuthRefusalStopsTheScriptAtOnce() {
        server.authReply = n -> n == 1 ? "235 2.7.0 ok" : "535 5.7.8 Error: authentication failed";
        ScriptRunner.Result r = run("""
                batch(csv('people.csv', delimiter: ';')) { row -> send { from 'a@example.com'; to row.email } }
                log 'not reached'
                """);
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.category()).isEqualTo(Problem.Category.SMTP);
            assertThat(p.smtpKind()).isEqualTo(dev.postilion.smtp.SmtpException.Kind.AUTH);
            // How many rows were read when the refusal stopped the batch depends on thread scheduling.
            assertThat(p.message())
                    .containsPattern("^bulk\\.groovy:4: batch people\\.csv: [1-3] rows?: 0 sent, [1-3] not sent \\(stopped\\)")
                    .contains("\n    stopped: AUTH PLAIN refused\n        127.0.0.1:" + server.port()
                            + " replied: 535 5.7.8 Error: authentication failed");
        });
        assertThat(transcript.text()).doesNotContain("not reached");
    }

    @Test
    void aJournalMakesASecondRunSendNothing() {
        String script = """
                batch(csv('people.csv', delimiter: ';'), journal: 'bulk.journal', resume: true, create: true,
                        report: 'r.jsonl') { row ->
                    send { from 'sender@example.com'; to row.email; subject 'x'; text 'y' }
                }
                """;
        assertThat(messages(run(script))).isEmpty();
        assertThat(messages(run(script))).isEmpty();
        assertThat(server.received).hasSize(3);
        assertThat(transcript.text()).contains("batch people.csv: 0 rows (+3 done before): 0 sent in ");
        assertThat(dir.resolve("r.jsonl")).exists();
    }

    @Test
    void commandLineOverridesWinOverTheScript() throws IOException {
        Path journal = dir.resolve("cli.journal");
        BatchOverrides cli = new BatchOverrides(1, null, 1, journal, false, false, null, "2/2", null, null, null,
                null);
        ScriptRunner.Result r = run("""
                batch(csv('people.csv', delimiter: ';'), concurrency: 3, shard: '1/2') { row ->
                    send { from 'sender@example.com'; to row.email; subject 'x'; text 'y' }
                }
                """, options().toBuilder().batch(cli).build());
        assertThat(messages(r)).isEmpty();
        String[] people = {"ann@example.com", "bob@example.com", "cy@example.com"};
        java.util.List<String> second = java.util.Arrays.stream(people).filter(p -> dev.postilion.batch.Shard.parse("2/2")
                .containsKey(dev.postilion.batch.RowKey.ofRecipients(java.util.List.of(p)))).toList();
        assertThat(server.countsByRecipient().keySet()).as("shard 2/2 by key").containsExactlyInAnyOrderElementsOf(second);
        assertThat(Files.readString(journal)).contains("\"shard\":\"2/2\"");
    }

    @Test
    void aNewJournalNamesTheScriptFileByTheDigestOfTheBytesTheRunnerRead() throws Exception {
        byte[] text = ("\uFEFFconnect '127.0.0.1', port: port as int\nehlo 'client.test'\n"
                + "batch(csv('people.csv', delimiter: ';'), journal: 'digest.journal') { row ->\n"
                + "    send { from 'sender@example.com'; to row.email; subject 'x'; text 'y' }\n}\n")
                .getBytes(StandardCharsets.UTF_8);
        Path script = dir.resolve("digest.groovy");
        Files.write(script, text);
        ScriptRunner.Result r = new ScriptRunner().run(script, options());
        assertThat(messages(r)).isEmpty();
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text));
        assertThat(Files.readString(dir.resolve("digest.journal")))
                .contains("\"script\":\"digest.groovy\"", "\"scriptDigest\":\"sha256:" + sha + "\"");
    }

    @DisplayName("LIM-04: a profile's max_recipients splits a batch message's recipients; the script's option wins")
    @Test
    void theProfilesMaxRecipientsSplitsTheTransactions() throws IOException {
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  gmail:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: plain
                    username: user
                    password: { env: SMTP_PASS }
                    from: sender@example.com
                    max_recipients: 2
                """.formatted(server.port()));
        Map<String, String> env = Map.of("SMTP_PASS", "secret", "HOME", "/nonexistent");
        RunOptions o = options().toBuilder().env(env::get).profiles(profiles, new ProfileLoader(env)).build();
        String block = "{ row -> send { to row.email; cc 'b@example.com', 'c@example.com', 'd@example.com'; text 'hi' } }";
        ScriptRunner.Result r = new ScriptRunner().run("connect profile: 'gmail'\nehlo\nauth\n"
                + "batch([[email: 'a@example.com']]) " + block + "\n"
                + "batch([[email: 'e@example.com']], maxRecipients: 3) " + block + "\n", "bulk.groovy", dir, o);

        assertThat(messages(r)).isEmpty();
        assertThat(server.received).extracting(BatchTestServer.Received::recipients).containsExactly(
                List.of("a@example.com", "b@example.com"), List.of("c@example.com", "d@example.com"),
                List.of("e@example.com", "b@example.com", "c@example.com"), List.of("d@example.com"));
    }

    @Test
    void aDryRunChecksEveryRowAndSendsNothing() throws IOException {
        Files.writeString(dir.resolve("people.csv"), "email;name\nann@example.com;Ann\nbob@;Bob\n");
        ScriptRunner.Result r = run("""
                batch(csv('people.csv', delimiter: ';')) { row ->
                    send { from 'sender@example.com'; to row.email; subject 'x'; text 'y' }
                }
                """, options().toBuilder().dryRun(true).build());
        assertThat(messages(r)).startsWith("bulk.groovy:4: script error: batch people.csv: 2 rows: 1 checked (a dry run sends nothing), 1 invalid in")
                .endsWith("[row 2 bob@] bulk.groovy:4: invalid row: email: address 'bob@' is not a valid address:"
                        + " missing domain");
        assertThat(server.received).isEmpty();
    }
}
