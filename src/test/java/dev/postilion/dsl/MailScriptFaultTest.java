package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.server.CaptureServer;
import dev.postilion.smtp.SmtpException;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Verbs against the scripted fault server and the capture server (STARTTLS). */
@Timeout(30)
class MailScriptFaultTest {

    @TempDir
    Path dir;

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    /** Runs with generous limits: a TLS handshake on a loaded 2-core machine can take seconds. */
    private ScriptRunner.Result run(String script, int port, List<Path> ca) {
        return run(script, port, ca, Duration.ofSeconds(15));
    }

    private ScriptRunner.Result run(String script, int port, List<Path> ca, Duration timeout) {
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8)).connectTo("127.0.0.1", port).trustedCa(ca)
                .timeout(timeout).build();
        return new ScriptRunner().run(script, "f.groovy", dir, o);
    }

    @Test
    void explicitStarttlsVerbUpgradesAndSaysEhloAgain() throws Exception {
        try (CaptureServer s = CaptureServer.start(CaptureServer.Settings.local(dir.resolve("o")), null)) {
            ScriptRunner.Result r = run("""
                    connect 'localhost'
                    ehlo 'x.test'
                    starttls()
                    auth plain: 'u', password: 'p'
                    send { from 'a@x.test'; to 'b@y.test'; subject 's'; text 't' }
                    quit
                    """, s.port(), List.of(s.certificate()));
            assertThat(r.problems()).isEmpty();
            assertThat(s.messages()).isEqualTo(1);
            assertThat(transcript.text()).contains(" -> STARTTLS", " ~> EHLO x.test", " ~> AUTH PLAIN ********");
        }
    }

    @Test
    void aScriptConnectingInPlainTextToATlsFirstPortIsToldToUseImplicit() throws Exception {
        // Issue 13.10: a port that waits for a ClientHello, and one that sends a TLS record first.
        try (FaultServer s = FaultServer.implicitTls(dev.postilion.testing.TestTls.LOCALHOST)) {
            ScriptRunner.Result r = run("connect 'mail.test'\nehlo 'x.test'\nquit\n", s.port(), List.of(),
                    Duration.ofMillis(500));
            assertThat(r.problems()).extracting(Problem::message).containsExactly("f.groovy:1: GREETING"
                    + " 127.0.0.1:" + s.port() + " failed: no reply (timed out after 500ms)\n    this port may speak"
                    + " TLS from the first byte (as port 465 does): use tls: 'implicit' in connect");
        }
        try (FaultServer s = FaultServer.start().greeting(FaultServer.raw(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05}))) {
            ScriptRunner.Result r = run("connect 'mail.test'\nehlo 'x.test'\nquit\n", s.port(), List.of(),
                    Duration.ofMillis(500));
            assertThat(r.problems()).extracting(Problem::message).containsExactly("f.groovy:1: GREETING"
                    + " 127.0.0.1:" + s.port() + " failed: the server speaks TLS, not plain SMTP\n    this port speaks"
                    + " TLS from the first byte: use tls: 'implicit' in connect");
            assertThat(r.problems().get(0).smtpKind()).isEqualTo(SmtpException.Kind.TLS);
        }
    }

    @Test
    void aScriptsAuthCountsOnly235AndNamesTheMechanismAutoChose() throws Exception {
        // Issue 13.11: smtp-sink's 250 is no login; an error names CRAM-MD5, never AUTO.
        try (FaultServer s = FaultServer.start().on("AUTH", "250 2.0.0 Ok")) {
            ScriptRunner.Result r = run("connect 'mail.test'\nehlo 'x.test'\nauth plain: 'u', password: 'p'\n",
                    s.port(), List.of());
            assertThat(r.problems()).hasSize(1);
            assertThat(r.problems().get(0).smtpKind()).isEqualTo(SmtpException.Kind.PROTOCOL);
            assertThat(r.problems().get(0).message()).startsWith("f.groovy:3: AUTH PLAIN ******** failed: reply out of"
                    + " step").contains("a 250 reply cannot answer AUTH");
        }
        try (FaultServer s = FaultServer.start().on(FaultServer.AUTHLINE, "535 5.7.8 Authentication credentials invalid")) {
            ScriptRunner.Result r = run("connect 'mail.test'\nehlo 'x.test'\nauth user: 'u', password: 'p-1234'\n",
                    s.port(), List.of());
            assertThat(r.problems()).extracting(Problem::message).containsExactly("f.groovy:3: AUTH CRAM-MD5"
                    + " refused\n    127.0.0.1:" + s.port() + " replied: 535 5.7.8 Authentication credentials invalid");
        }
    }

    @Test
    void cramMd5VrfyDsnAndRawAgainstTheFaultServer() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            s.ehlo("250-fault.test\r\n250-DSN\r\n250 AUTH CRAM-MD5");
            ScriptRunner.Result r = run("""
                    connect 'mail.test'
                    ehlo 'x.test'
                    auth 'CRAM-MD5', user: 'u', password: 'p'
                    vrfy 'postmaster'
                    mail from: 'a@x.test', ret: 'HDRS', envid: 'id+1'
                    rcpt to: 'b@y.test', notify: ['SUCCESS', 'FAILURE']
                    def reply = raw 'XCLIENT NAME=x'
                    assert reply.code == 250
                    rset
                    quit
                    """, s.port(), List.of());
            assertThat(r.problems()).isEmpty();
            assertThat(s.commands()).contains("AUTH CRAM-MD5", "VRFY postmaster",
                    "MAIL FROM:<a@x.test> RET=HDRS ENVID=id+2B1", "RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE",
                    "XCLIENT NAME=x", "RSET", "QUIT");
        }
    }

    @Test
    void failureSendsQuitWhereTheConnectionAllows() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            s.on("MAIL", FaultServer.reply("550 5.7.1 sender refused"));
            ScriptRunner.Result r = run("connect 'm'\nehlo 'x'\nmail from: 'a@x.test'\nrcpt to: 'b@y.test'\n",
                    s.port(), List.of());
            assertThat(r.problems()).extracting(Problem::message).containsExactly(
                    "f.groovy:3: MAIL FROM:<a@x.test> refused\n    127.0.0.1:" + s.port()
                            + " replied: 550 5.7.1 sender refused");
            assertThat(s.commands()).endsWith("QUIT");
        }
    }

    @Test
    void timeoutNamesTheLineAndIsTemporary() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            s.on("NOOP", FaultServer.stall());
            ScriptRunner.Result r = run("connect 'm'\nehlo 'x'\nnoop\n", s.port(), List.of(), Duration.ofMillis(500));
            assertThat(r.problems()).hasSize(1);
            assertThat(r.problems().get(0).smtpKind()).isEqualTo(SmtpException.Kind.TEMPORARY);
            assertThat(r.problems().get(0).message()).isEqualTo("f.groovy:3: NOOP failed: no reply (timed out after 500ms)");
        }
    }

    @Test
    void malformedReplyIsAProtocolFailure() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            s.on("NOOP", FaultServer.reply("250-a\r\n550 b"));
            ScriptRunner.Result r = run("connect 'm'\nehlo 'x'\nnoop\n", s.port(), List.of());
            assertThat(r.problems().get(0).smtpKind()).isEqualTo(SmtpException.Kind.PROTOCOL);
            assertThat(r.problems().get(0).message()).startsWith("f.groovy:3: NOOP failed: malformed reply");
        }
    }
}
