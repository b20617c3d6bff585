package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A long session leaves nothing behind in the write watchdog: each write is forgotten when it is done. */
class WriteWatchdogTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @Test
    @Timeout(30)
    void finishedWritesLeaveNothingForTheWatchdog() throws Exception {
        try (SmtpSession s = new SmtpSession(SessionOptions.DEFAULT, null)) {
            s.open("127.0.0.1", greenMail.getSmtp().getPort(), "client.test");
            for (int i = 0; i < 300; i++) {
                SendResult r = s.send(Envelope.of("a@example.com", List.of("b" + i + "@example.com")),
                        MessageContent.of("Subject: " + i + "\n\nbody\n"));
                assertThat(r.delivered()).isTrue();
            }
            assertThat(SmtpConnection.armedWrites()).as("no write is being watched between messages").isZero();
            s.quit();
        }
    }
}
