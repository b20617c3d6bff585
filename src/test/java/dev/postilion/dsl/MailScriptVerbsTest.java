package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postilion.smtp.LocalName;
import dev.postilion.transcript.TranscriptRecorder;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every verb against GreenMail, and the mistakes an author can make with each. */
class MailScriptVerbsTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @TempDir
    Path dir;

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private ScriptRunner.Result run(String script) {
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).vars(Map.of("port", String.valueOf(greenMail.getSmtp().getPort()))).build();
        return new ScriptRunner().run("connect '127.0.0.1', port: port as int\n" + script, "v.groovy", dir, o);
    }

    private static String messages(ScriptRunner.Result r) {
        return String.join("\n", r.problems().stream().map(Problem::message).toList());
    }

    @Test
    void bareWordsWork() {
        ScriptRunner.Result r = run("ehlo\nnoop\nrset\nquit\n");
        assertThat(messages(r)).isEmpty();
        assertThat(transcript.text()).contains(" -> NOOP").contains(" -> RSET").contains(" -> QUIT");
    }

    @Test
    void bareEhloAndHeloGreetWithTheHostNameAsHostnamePrintsIt() {
        // Issue 13.20: a host name without a dot used to become "localhost".
        ScriptRunner.Result r = run("ehlo\nhelo\nquit\n");
        assertThat(messages(r)).isEmpty();
        assertThat(transcript.text()).contains(" -> EHLO " + LocalName.forEhlo() + "\n")
                .contains(" -> HELO " + LocalName.forEhlo() + "\n");
    }

    @Test
    void heloVrfyRawAndReturnedReplies() {
        ScriptRunner.Result r = run("""
                def h = helo 'client.test'
                assert h.code == 250
                def n = raw 'NOOP'
                assert n.code == 250 && n.positiveCompletion
                quit
                """);
        assertThat(messages(r)).isEmpty();
        assertThat(transcript.text()).contains(" -> HELO client.test");
    }

    @Test
    void rawDataAndRawFileArriveAsWritten() throws Exception {
        Files.writeString(dir.resolve("msg.eml"), "Subject: from a file\n\n.dot line\nbody\n");
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                data '''Subject: raw text

                hello'''
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                data file('msg.eml')
                """);
        assertThat(messages(r)).isEmpty();
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertThat(got).extracting(MimeMessage::getSubject).containsExactly("raw text", "from a file");
        assertThat(((String) got[1].getContent()).replace("\r\n", "\n")).isEqualTo(".dot line\nbody");
    }

    @Test
    void severalSendBlocksInOneSession() throws Exception {
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                2.times { n ->
                    send {
                        from 'Ann <a@x.test>'
                        to 'b@y.test'
                        bcc 'hidden@y.test'
                        subject "message ${n + 1}"
                        text 'hello'
                        html '<p>hello</p>'
                    }
                }
                """);
        assertThat(messages(r)).isEmpty();
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertThat(got).hasSize(4);
        assertThat(got[0].getHeader("Bcc")).isNull();
        assertThat(got[0].getContentType()).startsWith("multipart/alternative");
    }

    @Test
    void expectFailsWhenTheServerAccepts() {
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                mail from: 'a@x.test'
                expect 550, { rcpt to: 'b@y.test' }
                """);
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).message()).startsWith("v.groovy:4: RCPT TO:<b@y.test> got 250, expected 550\n"
                + "    127.0.0.1:" + greenMail.getSmtp().getPort() + " replied: 250 OK");
    }

    @Test
    void expectPassesOnAMatchingReply() {
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                expect('5xx') { raw 'XNOSUCHCOMMAND' }
                expect(~/^250/) { noop() }
                quit
                """);
        assertThat(messages(r)).isEmpty();
        assertThat(transcript.text()).contains("-> XNOSUCHCOMMAND");
    }

    @Test
    void expectWithNoCommandIsAMistake() {
        ScriptRunner.Result r = run("expect 550, { def x = 1 }\n");
        assertThat(messages(r)).isEqualTo("v.groovy:2: script error: expect 550 ran no SMTP command: put the command"
                + " under test inside the block, e.g. expect 550, { rcpt to: 'x@y' }");
    }

    @Test
    void smtpVerbInsideDataBlockIsRefused() {
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                data {
                    subject 's'
                    rcpt to: 'c@y.test'
                }
                """);
        assertThat(messages(r)).isEqualTo("v.groovy:7: script error: rcpt cannot be used inside a data { } or send { }"
                + " block: the block describes the message; put SMTP commands before or after it");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            data  | quit
            data  | quit()
            data  | connect '127.0.0.1'
            data  | connect
            data  | ehlo 'x'
            data  | ehlo
            data  | helo 'x'
            data  | starttls()
            data  | starttls
            data  | auth login: 'u', password: 'p'
            data  | auth
            data  | mail from: 'a@x.test'
            data  | mail
            data  | rcpt to: 'c@y.test'
            data  | data 'x'
            data  | send { to 'x@y.test' }
            data  | rset
            data  | noop()
            data  | vrfy 'x'
            data  | raw 'NOOP'
            data  | expect 550, { noop() }
            data  | batch([]) { row -> }
            data  | this.quit()
            data  | this.quit
            data  | [1].each { quit }
            send  | quit
            send  | rcpt to: 'c@y.test'
            send  | auth
            send  | send { to 'x@y.test' }
            """)
    void everySmtpVerbInsideDataOrSendIsRefusedBeforeConnecting(String block, String verb) {
        String name = verb.replaceFirst("^this\\.", "").replaceFirst("^\\[1\\]\\.each \\{ ", "")
                .replaceAll("[^a-z].*", "");
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                %s {
                    from 'a@x.test'; to 'b@y.test'
                    %s
                    subject 's'
                }
                """.formatted(block, verb));
        assertThat(messages(r)).isEqualTo("v.groovy:7: script error: " + name + " cannot be used inside a data { } or"
                + " send { } block: the block describes the message; put SMTP commands before or after it");
        assertThat(transcript.text()).as("found while compiling: not even a connection").isEmpty();
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            data { subject 's'; closeUp() }                   | 2
            data { subject 's'; bare() }                      | 3
            data body                                         | 4
            send { from 'a@x.test'; to 'b@y.test'; bare() }   | 3
            """)
    void verbsReachedOnlyAtRunTimeInsideABlockAreRefusedBeforeTheyAreSent(String block, int line) {
        // Not visible while compiling: a method of the script, a closure owned by the script, a block
        // handed over as a value. The verb resolves on the script (the closure's owner) and is refused there.
        ScriptRunner.Result r = run("""
                def closeUp() { quit() }
                def bare = { quit }
                def body = { subject 's'; quit; text 't' }
                ehlo 'x.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                %s
                """.formatted(block));
        assertThat(messages(r)).isEqualTo("v.groovy:" + line + ": script error: quit cannot be used inside a data { }"
                + " or send { } block: the block describes the message; put SMTP commands before or after it");
        assertThat(transcript.text()).doesNotContain(" -> DATA").containsOnlyOnce(" -> QUIT");
        assertThat(transcript.text().indexOf(" -> QUIT")).as("the only QUIT is the runner's, after the failure")
                .isGreaterThan(transcript.text().indexOf(" -> RCPT TO:<b@y.test>"));
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"quit", "rset", "noop", "connect", "starttls", "ehlo", "helo", "mail", "auth"})
    void theBlocksDelegateRefusesBareVerbsBeforeTheyFallThroughToTheScript(String verb) {
        // With DELEGATE_FIRST a word the delegate lacks resolves on the owner, the script: a bare
        // quit would run the script's own QUIT. DataSpec answers every bare verb itself.
        ScriptRunner.Result r = run("""
                def body = { subject 's'; %s; text 't' }
                ehlo 'x.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                data body
                """.formatted(verb));
        assertThat(messages(r)).isEqualTo("v.groovy:2: script error: " + verb + " cannot be used inside a data { }"
                + " or send { } block: the block describes the message; put SMTP commands before or after it");
        assertThat(transcript.text()).doesNotContain(" -> DATA").containsOnlyOnce(" -> QUIT")
                .doesNotContain(" -> RSET").doesNotContain(" -> NOOP").doesNotContain(" -> HELO")
                .doesNotContain(" -> AUTH").doesNotContain(" -> STARTTLS").containsOnlyOnce(" -> EHLO")
                .containsOnlyOnce("Connected");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void aScriptVariableNamedLikeABareVerbStaysAVariableInsideABlock() throws Exception {
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).vars(Map.of("port", String.valueOf(greenMail.getSmtp().getPort()),
                "mail", "b@y.test")).build();
        ScriptRunner.Result r = new ScriptRunner().run("""
                connect '127.0.0.1', port: port as int
                ehlo 'x.test'
                auth = 'by a variable'
                send { from 'a@x.test'; to mail; subject auth; text 't' }
                quit
                """, "v.groovy", dir, o);
        assertThat(messages(r)).isEmpty();
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertThat(got).extracting(MimeMessage::getSubject).containsExactly("by a variable");
        assertThat(got[0].getAllRecipients()).extracting(Object::toString).containsExactly("b@y.test");
    }

    @Test
    void verbBeforeConnectIsAMistake() {
        ScriptRunner.Result r = new ScriptRunner().run("ehlo 'x'\n", "n.groovy", dir,
                RunOptions.defaults(transcript, System.err));
        assertThat(messages(r)).isEqualTo("n.groovy:1: script error: ehlo needs a connection: connect 'host' first");
    }

    @Test
    void headerInjectionInDataIsRefused() {
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                data { subject "hi\\r\\nBcc: victim@z.test"; text 'x' }
                """);
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.SCRIPT);
        assertThat(r.problems().get(0).message()).startsWith("v.groovy:5: ").contains("subject")
                .contains("header injection refused");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void crlfInRecipientIsRefusedAtItsLine() {
        ScriptRunner.Result r = run("ehlo 'x.test'\nmail from: 'a@x.test'\nrcpt to: \"b@y.test>\\r\\nRCPT TO:<c@z.test\"\n");
        assertThat(messages(r)).startsWith("v.groovy:4: script error: recipient 'b@y.test>\\r\\nRCPT TO:<c@z.test'"
                + " contains a carriage return (CR): refused before sending (no command injection)");
    }

    @Test
    void unsetEnvironmentVariableIsAConfigError() {
        ScriptRunner.Result r = run("def p = env('POSTILION_SURELY_UNSET_VAR')\n");
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.CONFIG);
        assertThat(r.problems().get(0).message()).isEqualTo("v.groovy:2: environment variable POSTILION_SURELY_UNSET_VAR"
                + " is not set (export it, or give a default: env('POSTILION_SURELY_UNSET_VAR', 'value'))");
    }

    @Test
    void failedAssertionExitsAsACheckFailure() {
        ScriptRunner.Result r = run("def n = raw 'NOOP'\nassert n.code == 251\n");
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.ASSERTION);
        assertThat(r.problems().get(0).message()).startsWith("v.groovy:3: assertion failed:");
    }

    @Test
    void templatesFillTheBodyAndDataNeverRunsAsCode() throws Exception {
        Files.writeString(dir.resolve("welcome.txt"), "Hello ${name},\nyour code is ${code}.\n");
        ScriptRunner.Result r = run("""
                ehlo 'x.test'
                send {
                    from 'a@x.test'
                    to 'b@y.test'
                    subject 'welcome'
                    text template('welcome.txt', [name: 'Zoë', code: '${System.exit(1)}'])
                }
                """);
        assertThat(messages(r)).isEmpty();
        String body = ((String) greenMail.getReceivedMessages()[0].getContent()).replace("\r\n", "\n");
        assertThat(body).isEqualTo("Hello Zoë,\nyour code is ${System.exit(1)}.");
    }
}
