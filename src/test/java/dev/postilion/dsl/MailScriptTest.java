package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postilion.transcript.TranscriptRecorder;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MailScriptTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @TempDir
    Path dir;

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private ScriptRunner.Result run(String script, RunOptions options) {
        return new ScriptRunner().run(script, "test.groovy", dir, options);
    }

    private RunOptions options() {
        return RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .vars(Map.of("port", String.valueOf(greenMail.getSmtp().getPort()))).build();
    }

    @Test
    void seedSessionDeliversAndBareQuitWorks() throws Exception {
        greenMail.setUser("guyt@exchguy.com", "guyt", "pw");
        ScriptRunner.Result r = run("""
                connect '127.0.0.1', port: port as int
                ehlo 'client.exchguy.com'
                auth login: 'guyt', password: 'pw'
                mail from: 'guyt@exchguy.com'
                rcpt to: 'administrator@cp.com'
                data {
                    subject 'Cheque'
                    text 'Please send cheque soonest'
                }
                quit
                """, options());
        assertThat(r.problems()).isEmpty();
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertThat(got).hasSize(1);
        assertThat(got[0].getSubject()).isEqualTo("Cheque");
        assertThat(got[0].getHeader("From")[0]).isEqualTo("guyt@exchguy.com");
        assertThat(transcript.text()).contains(" -> QUIT").contains("<-  334 UGFzc3dvcmQ6   [Password:]")
                .contains(" -> ********").doesNotContain("cHc=");
    }

    @Test
    void aScriptMethodNamedLikeOneOfTheBaseClassesOwnIsRefusedByName() {
        for (String method : java.util.List.of("def finish() { 1 }",
                "void attachScope(dev.postilion.dsl.ScriptScope s) { }")) {
            String name = method.replaceAll("^\\w+ (\\w+)\\(.*", "$1");
            ScriptRunner.Result r = run(method + "\nlog 'hi'\n", options());
            assertThat(r.problems()).extracting(Problem::message).containsExactly("test.groovy:1: script error: the"
                    + " script defines a method named '" + name + "', a name Postilion uses itself; give the method"
                    + " another name");
        }
    }

    @Test
    void theWordsThatTalkNoSmtpWorkWithoutAConnection() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("people.csv"), "email\nann@example.com\n");
        ScriptRunner.Result r = run("""
                maxTime '1h'
                log "rows: ${csv('people.csv').describe()} ${env('NO_SUCH_VARIABLE_HERE', 'fallback')}"
                assert file('people.csv').name == 'people.csv'
                """, options());
        assertThat(r.problems()).isEmpty();
        assertThat(transcript.text()).contains("rows: people.csv fallback");
    }

    @Test
    void rcptBeforeMailIsAScriptErrorWithItsLine() {
        ScriptRunner.Result r = run("""
                connect '127.0.0.1', port: port as int
                ehlo 'x.test'
                rcpt to: 'b@y.test'
                """, options());
        assertThat(r.problems()).extracting(Problem::message)
                .containsExactly("test.groovy:3: script error: rcpt needs a mail from: first");
    }

    @Test
    void unknownNamedArgumentNamesTheNearestAndAllowed() {
        ScriptRunner.Result r = run("""
                connect '127.0.0.1', prot: 25
                """, options());
        assertThat(r.problems()).extracting(Problem::message).containsExactly(
                "test.groovy:1: script error: connect: unknown option 'prot' (did you mean 'port'?); allowed: host,"
                        + " port, tls, tlsCa, insecure, timeout, allowCleartextAuth, pipelining, chunking, profile");
    }

    @Test
    void syntaxErrorNamesLineAndColumn() {
        ScriptRunner.Result r = run("connect '127.0.0.1'\nmail from: 'a@b'\nrcpt to: 'x\n", options());
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).message()).startsWith("test.groovy:3:");
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.SCRIPT);
    }

    @Test
    void dryRunListsEveryMistake() {
        ScriptRunner.Result r = run("""
                connect 'mail.example.com', port: 25
                ehlo 'x.test'
                mial from: 'a@b.test'
                rcpt to: 'b@y.test'
                data file('missing.eml')
                quit
                """, options().toBuilder().dryRun(true).build());
        assertThat(r.problems()).extracting(Problem::message).containsExactly(
                "test.groovy:3: script error: unknown verb 'mial' (did you mean 'mail'?)",
                "test.groovy:4: script error: rcpt needs a mail from: first",
                "test.groovy:5: file " + dir.resolve("missing.eml") + " does not exist");
    }

    @Test
    void printlnInAScriptWritesToStandardOutput() {
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ScriptRunner.Result r;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            r = run("println 'weekly report sent'\nprint 'a'\nprintf('%d%n', 42)\n", options());
        } finally {
            System.setOut(before);
        }
        assertThat(r.problems()).isEmpty();
        assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("weekly report sent\na42\n");
    }
}
