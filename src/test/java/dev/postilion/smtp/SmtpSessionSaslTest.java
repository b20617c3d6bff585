package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import dev.postilion.testing.ScriptedAuth;
import dev.postilion.transcript.TranscriptRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DIGEST-MD5 and NTLM, answered by the JDK's own SASL clients, against the JDK's own SASL servers. */
@Timeout(30)
class SmtpSessionSaslTest {

    private static final String PASSWORD = "jdk-Sasl-Pa55";

    @ParameterizedTest
    @ValueSource(strings = {"DIGEST-MD5", "NTLM"})
    void jdkMechanismsCompleteAndEveryAnswerIsMasked(String mechanism) throws Exception {
        TranscriptRecorder transcript = new TranscriptRecorder();
        try (FaultServer s = FaultServer.start();
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)), transcript)) {
            ScriptedAuth auth = ScriptedAuth.on(s, "guyt", PASSWORD, 0);
            c.open(s.host(), s.port(), "client.test");
            // DIGEST-MD5 used to end in a NullPointerException: the JDK's client answers rspauth with null.
            assertThat(c.auth(mechanism, Credentials.password("guyt", () -> PASSWORD)).code()).isEqualTo(235);
            assertThat(c.isAuthenticated()).isTrue();
            c.quit();
            assertThat(auth.clientLines()).hasSizeGreaterThanOrEqualTo(2);
        }
        assertThat(transcript.text()).contains(" -> ********\n").doesNotContain(PASSWORD)
                .contains("<-  235 2.7.0 Authentication successful");
    }
}
