package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed tutorial's session against its Exchange 2003 server (ALAN.CP.com), golden-transcript
 * style: every reply as the tutorial shows it, and every octet Postilion sent compared exactly.
 */
@Timeout(30)
class ExchangeSeedTest {

    private static final SessionOptions OPTIONS = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(2))
            .withPipelining(false);

    /** What the tutorial's reader typed, with the message the tutorial sends. */
    private static final String DIALOGUE = "EHLO client.exchguy.com\r\n"
            + "AUTH LOGIN\r\n"
            + "Z3V5dA==\r\n"            // guyt
            + "cGFzc3dvcmQ=\r\n"        // password
            + "MAIL FROM:<guyt@exchguy.com>\r\n"
            + "RCPT TO:<administrator@cp.com>\r\n"
            + "DATA\r\n"
            + "Subject: Cheque\r\n"
            + "\r\n"
            + "Please send cheque soonest\r\n"
            + ".\r\n"
            + "QUIT\r\n";

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    @Test
    @DisplayName("the seed's dialogue, byte for byte")
    void seedDialogueByteForByte() throws Exception {
        try (FaultServer s = FaultServer.exchange2003(); SmtpSession c = new SmtpSession(OPTIONS, transcript)) {
            Reply greeting = c.connect(s.host(), s.port());
            assertThat(greeting.lines()).containsExactly("220 ALAN.CP.com Microsoft ESMTP MAIL Service, Version:"
                    + " 6.0.3790.3959 ready at  Thu, 6 Dec 2007 10:35:19 -0500");
            Reply ehlo = c.ehlo("client.exchguy.com");
            assertThat(String.join("\r\n", ehlo.lines())).isEqualTo(FaultServer.EXCHANGE_2003_EHLO);
            assertThat(c.capabilities().authMechanisms()).containsExactly("GSSAPI", "NTLM", "LOGIN");
            assertThat(c.capabilities().pipelining()).isFalse();

            Reply auth = c.auth("LOGIN", Credentials.password("guyt", () -> "password"));
            assertThat(auth.lines()).containsExactly("235 2.7.0 Authentication successful.");
            assertThat(c.mail("guyt@exchguy.com", MailOptions.NONE).lines())
                    .containsExactly("250 2.1.0 guyt@exchguy.com....Sender OK");
            assertThat(c.rcpt("administrator@cp.com", RcptOptions.NONE).lines())
                    .containsExactly("250 2.1.5 administrator@cp.com");
            Reply end = c.data(MessageContent.of("Subject: Cheque\r\n\r\nPlease send cheque soonest"));
            assertThat(end.lines())
                    .containsExactly("250 2.6.0 <ALANrXaDAc9Qm1AB00000001@ALAN.CP.com> Queued mail for delivery");
            assertThat(end.enhanced()).isEqualTo("2.6.0");
            assertThat(c.quit().lines())
                    .containsExactly("221 2.0.0 ALAN.CP.com Service closing transmission channel");

            s.awaitDisconnect();
            assertThat(s.receivedText()).isEqualTo(DIALOGUE);
        }
        assertThat(transcript.text())
                .contains("<-  220 ALAN.CP.com Microsoft ESMTP MAIL Service")
                .contains(" -> AUTH LOGIN\n<-  334 VXNlcm5hbWU6   [Username:]\n -> Z3V5dA==\n"
                        + "<-  334 UGFzc3dvcmQ6   [Password:]\n -> ********\n<-  235 2.7.0 Authentication successful.\n")
                .contains("<-  354 Start mail input; end with <CRLF>.<CRLF>")
                .contains(" -> Please send cheque soonest\n -> .\n")
                .doesNotContain("cGFzc3dvcmQ=");
    }

    @Test
    @DisplayName("the same session through send(): SIZE= is added because Exchange offers SIZE")
    void seedDialogueThroughSend() throws Exception {
        try (FaultServer s = FaultServer.exchange2003(); SmtpSession c = new SmtpSession(OPTIONS, transcript)) {
            c.open(s.host(), s.port(), "client.exchguy.com");
            c.auth("LOGIN", Credentials.password("guyt", () -> "password"));
            SendResult r = c.send(Envelope.of("guyt@exchguy.com", List.of("administrator@cp.com")),
                    MessageContent.of("Subject: Cheque\r\n\r\nPlease send cheque soonest"));
            assertThat(r.delivered()).isTrue();
            c.quit();
            s.awaitDisconnect();
            assertThat(s.receivedText()).isEqualTo(DIALOGUE.replace("MAIL FROM:<guyt@exchguy.com>",
                    "MAIL FROM:<guyt@exchguy.com> SIZE=45"));
        }
    }

    @Test
    @DisplayName("with PIPELINING offered, the same octets, MAIL to DATA sent before any reply")
    void seedDialoguePipelined() throws Exception {
        try (FaultServer s = FaultServer.exchange2003();
             SmtpSession c = new SmtpSession(OPTIONS.withPipelining(true), transcript)) {
            s.always("EHLO", FaultServer.reply(FaultServer.EXCHANGE_2003_EHLO.replace("250-TURN", "250-PIPELINING")));
            s.holdReplies("MAIL", "DATA");
            c.open(s.host(), s.port(), "client.exchguy.com");
            assertThat(c.capabilities().pipelining()).isTrue();
            c.auth("LOGIN", Credentials.password("guyt", () -> "password"));
            SendResult r = c.send(Envelope.of("guyt@exchguy.com", List.of("administrator@cp.com")),
                    MessageContent.of("Subject: Cheque\r\n\r\nPlease send cheque soonest"));
            assertThat(r.delivered()).isTrue();
            assertThat(r.recipients()).singleElement().satisfies(rr -> assertThat(rr.reply().lines())
                    .containsExactly("250 2.1.5 administrator@cp.com"));
            c.quit();
            s.awaitDisconnect();
            assertThat(s.receivedText()).isEqualTo(DIALOGUE.replace("MAIL FROM:<guyt@exchguy.com>",
                    "MAIL FROM:<guyt@exchguy.com> SIZE=45"));
        }
    }
}
