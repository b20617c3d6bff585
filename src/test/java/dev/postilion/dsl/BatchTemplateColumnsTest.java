package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.BatchTestServer;
import dev.postilion.smtp.SmtpException;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 8: a template variable that is no column of the source is one script error (65)
 * naming the template, the variable and the closest column, before any row is sent, not every row
 * invalid; a value missing in one row stays an invalid row. In JSON Lines and YAML, whose keys vary
 * per record, the first record serves as the header.
 */
@Timeout(30)
class BatchTemplateColumnsTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private final TranscriptRecorder transcript = new TranscriptRecorder();

    @BeforeEach
    void start() throws Exception {
        server = new BatchTestServer();
        StringBuilder csv = new StringBuilder("email,first_name\n");
        for (int i = 1; i <= 50; i++) {
            csv.append("r").append(i).append("@example.com,Name").append(i).append('\n');
        }
        Files.writeString(dir.resolve("people.csv"), csv);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private ScriptRunner.Result run(String source, String template) throws Exception {
        Files.writeString(dir.resolve("welcome.txt"), template);
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).vars(Map.of("port", String.valueOf(server.port()))).build();
        return new ScriptRunner().run("connect '127.0.0.1', port: port as int\nehlo 'client.test'\n"
                + "batch(" + source + ", retries: 0) { row ->\n"
                + "    send { from 'sender@example.com'; to row.email; subject 'Hi'; text template('welcome.txt', row) }\n"
                + "}\n", "bulk.groovy", dir, o);
    }

    private static String messages(ScriptRunner.Result r) {
        return String.join("\n", r.problems().stream().map(Problem::message).toList());
    }

    @Test
    void aTemplateNamingNoColumnOfTheCsvIsOneScriptErrorAndNothingIsSent() throws Exception {
        ScriptRunner.Result r = run("csv('people.csv')", "Dear ${frist_name},\nwelcome.\n");
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.category()).isEqualTo(Problem.Category.SCRIPT);
            assertThat(p.message()).isEqualTo("bulk.groovy:4: script error: template '" + dir.resolve("welcome.txt")
                    + "' line 1: 'frist_name' is not a column of people.csv (did you mean 'first_name'?); its"
                    + " columns: email, first_name");
        });
        assertThat(server.received).as("nothing was sent").isEmpty();
    }

    @Test
    void aValueMissingInOneCsvRowIsStillJustThatRow() throws Exception {
        Files.writeString(dir.resolve("people.csv"), "email,first_name\na@example.com,Ann\nb@example.com\n"
                + "c@example.com,Cy\n");
        ScriptRunner.Result r = run("csv('people.csv')", "Dear ${first_name},\n");
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.category()).isEqualTo(Problem.Category.BATCH);
            assertThat(p.smtpKind()).isEqualTo(SmtpException.Kind.INPUT);
            assertThat(p.message()).contains("3 rows: 2 sent, 1 invalid");
        });
        assertThat(server.countsByRecipient()).containsOnlyKeys("a@example.com", "c@example.com");
    }

    @Test
    void jsonLinesKeysThatVaryPerRecordMakeOnlyThoseRowsInvalid() throws Exception {
        Files.writeString(dir.resolve("people.jsonl"), """
                {"email": "a@example.com", "nickname": "Al"}
                {"email": "b@example.com"}
                {"email": "c@example.com", "nickname": "Cy"}
                """);
        ScriptRunner.Result r = run("jsonl('people.jsonl')", "Hi ${nickname}\n");
        assertThat(messages(r)).contains("3 rows: 2 sent, 1 invalid")
                .contains("[row 2 b@example.com] bulk.groovy:4: invalid row: template '" + dir.resolve("welcome.txt")
                        + "' line 1: missing variable 'nickname' (variables: email)");
        assertThat(server.countsByRecipient()).containsOnlyKeys("a@example.com", "c@example.com");
    }

    @Test
    void aTemplateKeyTheFirstJsonRecordLacksStopsTheBatchWithTheClosestKey() throws Exception {
        Files.writeString(dir.resolve("people.jsonl"), """
                {"email": "a@example.com", "nickname": "Al"}
                {"email": "b@example.com", "nickname": "Bo"}
                """);
        ScriptRunner.Result r = run("jsonl('people.jsonl')", "Hi ${nick_name}\n");
        assertThat(messages(r)).isEqualTo("bulk.groovy:4: script error: template '" + dir.resolve("welcome.txt")
                + "' line 1: 'nick_name' is not a key of the first record of people.jsonl (did you mean 'nickname'?);"
                + " its keys: email, nickname\n    the first record serves as the header: give it every key the"
                + " templates use (an empty value will do)");
        assertThat(server.received).isEmpty();
    }

    @Test
    void yamlRecordsWithOptionalKeysAreNotAScriptError() throws Exception {
        Files.writeString(dir.resolve("people.yaml"), """
                - email: a@example.com
                  title: Dr
                - email: b@example.com
                - email: c@example.com
                  title: Ms
                """);
        ScriptRunner.Result r = run("yaml('people.yaml')", "Dear ${title},\n");
        assertThat(messages(r)).contains("3 rows: 2 sent, 1 invalid").doesNotContain("script error");
        assertThat(server.countsByRecipient()).containsOnlyKeys("a@example.com", "c@example.com");
    }

    @Test
    void aMapTheScriptBuiltIsJudgedPerRowNotAgainstTheSource() throws Exception {
        Files.writeString(dir.resolve("welcome.txt"), "Dear ${name},\n");
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).vars(Map.of("port", String.valueOf(server.port()))).build();
        ScriptRunner.Result r = new ScriptRunner().run("""
                connect '127.0.0.1', port: port as int
                ehlo 'client.test'
                batch(csv('people.csv'), retries: 0) { row ->
                    def vars = row.email.startsWith('r1@') ? [:] : [name: row.first_name]
                    send { from 'sender@example.com'; to row.email; subject 'Hi'; text template('welcome.txt', vars) }
                }
                """, "bulk.groovy", dir, o);
        assertThat(messages(r)).contains("50 rows: 49 sent, 1 invalid").doesNotContain("script error");
    }
}
