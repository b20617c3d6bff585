package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.GREETING;
import static dev.postilion.testing.FaultServer.raw;
import static dev.postilion.testing.FaultServer.reply;
import static dev.postilion.testing.FaultServer.stall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The façade: the stage order it enforces, the verbs one by one, and a whole session against GreenMail. */
@Timeout(60)
class SmtpSessionTest {

    /**
     * No case here waits for a limit to fire: generous, so that a loaded machine (the suite runs beside
     * others on 2 cores) cannot turn a slow reply into a spurious timeout.
     */
    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10));
    private static final SessionOptions OPTIONS = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5));

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session() {
        return new SmtpSession(FAST, transcript);
    }

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @Test
    void authLoginAndSendArrivesIntact() throws Exception {
        greenMail.setUser("guyt@exchguy.com", "guyt", "s3cret");
        TranscriptRecorder transcript = new TranscriptRecorder();
        int port = greenMail.getSmtp().getPort();
        try (SmtpSession s = new SmtpSession(SessionOptions.DEFAULT, transcript)) {
            s.open("127.0.0.1", port, "client.exchguy.com");
            Reply auth = s.auth("LOGIN", Credentials.password("guyt", () -> "s3cret"));
            assertThat(auth.code()).isEqualTo(235);
            String msg = "Subject: Cheque\n\n.leading dot\nbare lf\r\nlast line without newline";
            SendResult r = s.send(Envelope.of("guyt@exchguy.com", List.of("administrator@cp.com")),
                    MessageContent.of(msg));
            assertThat(r.delivered()).isTrue();
            assertThat(s.quit().code()).isEqualTo(221);
        }
        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getSubject()).isEqualTo("Cheque");
        assertThat(((String) received[0].getContent()).replace("\r\n", "\n"))
                .isEqualTo(".leading dot\nbare lf\nlast line without newline");
        assertThat(transcript.text())
                .contains("<-  334 VXNlcm5hbWU6   [Username:]")
                .contains(" -> Z3V5dA==")
                .contains(" -> ********")
                .doesNotContain("czNjcmV0");
    }

    @Test
    @DisplayName("verbs out of order are refused with their texts, before anything is sent")
    void verbsOutOfOrderAreRefusedBeforeAnythingIsSent() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            assertState(() -> c.ehlo("client.test"), "ehlo needs a connection: connect first");
            assertState(() -> c.mail("a@x.test", MailOptions.NONE), "mail from needs a connection: connect first");
            c.connect(s.host(), s.port());
            assertState(() -> c.mail("a@x.test", MailOptions.NONE), "mail from needs ehlo (or helo) first");
            assertState(() -> c.rcpt("b@y.test", RcptOptions.NONE), "rcpt to needs ehlo (or helo) first");
            assertState(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("x")),
                    "mail from needs ehlo (or helo) first");
            c.ehlo("client.test");
            assertState(() -> c.rcpt("b@y.test", RcptOptions.NONE), "rcpt needs a mail from: first");
            assertState(() -> c.data(MessageContent.of("x")), "data needs a mail from: first");
            assertState(() -> c.send(Envelope.of("a@x.test", List.of()), MessageContent.of("x")),
                    "a message needs at least one recipient");
            c.mail("a@x.test", MailOptions.NONE);
            assertState(() -> c.data(MessageContent.of("x")), "data needs an accepted recipient first");
            assertState(() -> c.mail("a@x.test", MailOptions.NONE),
                    "mail from: given twice");
            assertState(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("x")),
                    "a mail transaction is already open");
            c.rcpt("b@y.test", RcptOptions.NONE);
            assertState(() -> c.bdat(MessageContent.of("x"), 1000),
                    "the server did not offer CHUNKING, so BDAT cannot be used");
            assertState(() -> c.connect(s.host(), s.port()), "already connected to " + server(s) + "; quit first");
            assertThat(c.data(MessageContent.of("x")).code()).isEqualTo(250);
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                    "DATA", "QUIT");
        }
    }

    @Test
    void vrfyRsetNoopAndRawReturnTheirRepliesWithoutChangingTheStage() throws Exception {
        try (FaultServer s = FaultServer.start().on("XCLIENT", "220 2.0.0 ok")
                .on("FOO", "502 5.5.2 Error: command not recognized"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.vrfy("postmaster").code()).isEqualTo(252);
            c.mail("a@x.test", MailOptions.NONE);
            assertThat(c.rset().code()).isEqualTo(250);
            assertThat(c.inTransaction()).isFalse();
            assertThat(c.noop().code()).isEqualTo(250);
            assertThat(c.raw("XCLIENT ADDR=192.0.2.1").code()).isEqualTo(220);
            assertThat(c.raw("FOO").code()).isEqualTo(502);
            assertThat(c.quit().code()).isEqualTo(221);
            assertThat(s.commands()).containsExactly("EHLO client.test", "VRFY postmaster", "MAIL FROM:<a@x.test>",
                    "RSET", "NOOP", "XCLIENT ADDR=192.0.2.1", "FOO", "QUIT");
        }
        assertThat(transcript.text()).contains("<** 502 5.5.2 Error: command not recognized");
    }

    private static void assertState(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SmtpException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.STATE);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    @DisplayName("RPL-03: a 554 greeting is returned by connect and refused by open")
    void a554GreetingIsReturnedByConnectAndRefusedByOpen() throws Exception {
        try (FaultServer s = FaultServer.start().greeting("554 5.7.1 no service"); SmtpSession c = session()) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PERMANENT);
                        assertThat(e.stage()).isEqualTo(SmtpStage.GREETING);
                        assertThat(e.reply().code()).isEqualTo(554);
                        assertThat(e.getMessage()).isEqualTo("CONNECT " + server(s) + " refused\n    " + server(s)
                                + " replied: 554 5.7.1 no service");
                    });
            assertThat(s.commands()).isEmpty();
        }
    }

    @Test
    @DisplayName("RPL-13: EHLO refused, HELO follows")
    void ehloRefusedFallsBackToHelo() throws Exception {
        try (FaultServer s = FaultServer.start().on("EHLO", "502 5.5.2 EH?"); SmtpSession c = session()) {
            assertThat(c.open(s.host(), s.port(), "client.test").code()).isEqualTo(250);
            assertThat(c.capabilities()).isSameAs(Capabilities.NONE);
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "HELO client.test", "QUIT");
        }
    }

    @Test
    @DisplayName("NET-10: a server that never answers QUIT holds the session only for the quit timeout")
    void quitWithoutReplyIsBoundedByTheQuitTimeout() throws Exception {
        Timeouts limits = Timeouts.all(Duration.ofSeconds(30)).withQuit(Duration.ofMillis(300));
        try (FaultServer s = FaultServer.start().on("QUIT", FaultServer.stall());
             SmtpSession c = new SmtpSession(OPTIONS.withTimeouts(limits), transcript)) {
            c.open(s.host(), s.port(), "client.test");
            SendResult sent = c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("hi\r\n"));
            assertThat(sent.delivered()).isTrue();
            long started = System.nanoTime();
            assertThat(c.quit()).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("well under the 30 s limits")
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
        }
        assertThat(transcript.text()).endsWith(" -> QUIT\n=== No reply to QUIT within 300ms; the connection is closed"
                + " anyway\n");
    }

    @Test
    @DisplayName("NET-10: a 221 followed by a socket the server never closes (slow close) ends the session at once")
    void slowCloseAfter221DoesNotHoldTheSession() throws Exception {
        try (FaultServer s = FaultServer.start().on("QUIT", FaultServer.reply("221 2.0.0 Bye").then(FaultServer.stall()));
             SmtpSession c = new SmtpSession(OPTIONS.withTimeouts(Timeouts.all(Duration.ofSeconds(30))), transcript)) {
            c.open(s.host(), s.port(), "client.test");
            long started = System.nanoTime();
            assertThat(c.quit().code()).isEqualTo(221);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("well under the 30 s limits")
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
        }
    }

    @Test
    @DisplayName("NET-10: the default quit timeout is short: a run does not wait minutes once the mail is handed over")
    void defaultQuitTimeoutIsSeconds() {
        assertThat(Timeouts.RFC_5321.quit()).isEqualTo(Duration.ofSeconds(10));
        assertThat(Timeouts.RFC_5321.forStage(SmtpStage.QUIT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Timeouts.all(Duration.ofSeconds(2)).quit()).isEqualTo(Duration.ofSeconds(2));
    }
}
