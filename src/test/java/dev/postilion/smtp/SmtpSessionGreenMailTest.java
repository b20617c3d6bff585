package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.transcript.TranscriptRecorder;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SmtpSessionGreenMailTest {

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
}
