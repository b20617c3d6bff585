package dev.postilion.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.Envelope;
import dev.postilion.smtp.MailOptions;
import dev.postilion.smtp.MessageContent;
import dev.postilion.smtp.RcptOptions;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.transcript.TranscriptRecorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 3461 delivery status notifications through both real MTAs: Postilion's NOTIFY, ORCPT, RET and
 * ENVID are accepted, and the success report the MTA sends back to the sender carries them.
 */
@Timeout(60)
class DsnInteropIT {

    private static final Duration DELIVERY = Duration.ofSeconds(20);

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    /**
     * The report's Action differs: Postfix's catch-all is a virtual alias, so it reports the address
     * as "expanded" (RFC 3464 2.3.3); Exim's accept router delivers it, so "delivered".
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            POSTFIX | expanded
            EXIM    | delivered
            """)
    void successNotificationComesBackWithEnvelopeIdAndHeadersOnly(RealMta.Server server, String action)
            throws Exception {
        RealMta mta = RealMta.require(server);
        String id = UUID.randomUUID().toString();
        String from = "dsn-from-" + id + "@" + mta.domain();
        String to = "dsn-to-" + id + "@" + mta.domain();
        String envid = "postilion-" + id;
        String bodyMarker = "body-" + id;
        Envelope envelope = new Envelope(from, List.of(to), new MailOptions(-1, null, false, "HDRS", envid),
                new RcptOptions("SUCCESS,FAILURE", "rfc822;" + to));

        try (SmtpSession s = new SmtpSession(SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(30)), transcript)) {
            s.open(mta.host(), mta.smtpPort(), "client.postilion.test");
            assertThat(s.capabilities().dsn()).as("%s offers DSN", server).isTrue();
            SendResult r = s.send(envelope, MessageContent.of("Subject: DSN " + id + "\n\n" + bodyMarker + "\n"));
            assertThat(r.mail().code()).as(transcript.text()).isEqualTo(250);
            assertThat(r.accepted()).as(transcript.text()).containsExactly(to);
            assertThat(r.delivered()).as(transcript.text()).isTrue();
            s.quit();
        }
        assertThat(transcript.text()).containsPattern(" -> MAIL FROM:<" + from + "> .*RET=HDRS ENVID=" + envid)
                .contains(" -> RCPT TO:<" + to + "> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" + to);

        assertThat(mta.awaitDeliveredTo(to, 1, DELIVERY)).as("the message itself (see %s)", mta.logFile()).hasSize(1);
        List<Path> reports = mta.awaitDeliveredTo(from, 1, DELIVERY);
        assertThat(reports).as("success DSN for %s (see %s)", from, mta.logFile()).hasSize(1);
        String report = Files.readString(reports.get(0), StandardCharsets.UTF_8);
        assertThat(report).contains("report-type=delivery-status")
                .containsPattern("(?i)Original-Envelope-Id: " + envid)
                .containsPattern("Final-Recipient: rfc822; ?" + to)
                .contains("Action: " + action)
                .contains("Status: 2.0.0")
                // RET=HDRS: the headers come back, the body does not.
                .contains("text/rfc822-headers").contains("Subject: DSN " + id)
                .doesNotContain(bodyMarker);
    }
}
