package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Hint;
import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.testing.FaultServer;
import dev.postilion.testing.TestTls;
import dev.postilion.transcript.TranscriptRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13.10: a TLS mode that does not match the port fails soon, and says which mode the port
 * speaks, instead of waiting out the 5-minute greeting timer.
 */
@Timeout(20)
class SmtpSessionTlsMismatchTest {

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    @Test
    void plainClientOnAPortThatSpeaksTlsFirstIsToldToUseImplicit() throws Exception {
        // An SMTPS port waits, silent, for the client's ClientHello: no greeting ever comes.
        SessionOptions options = SessionOptions.DEFAULT.withTimeouts(Timeouts.RFC_5321.withGreeting(Duration.ofMillis(500)));
        try (FaultServer s = FaultServer.implicitTls(TestTls.LOCALHOST); SmtpSession c = new SmtpSession(options, transcript)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.hint()).isEqualTo(Hint.NO_GREETING);
                        assertThat(e.stage()).isEqualTo(SmtpStage.GREETING);
                        assertThat(e.getMessage()).isEqualTo("GREETING " + server(s) + " failed: no reply (timed out"
                                + " after 500ms)\n    this port may speak TLS from the first byte (as port 465 does)");
                    });
        }
    }

    @Test
    void tlsRecordWhereTheGreetingShouldBeFailsAtOnce() throws Exception {
        // A TLS handshake record header (type 22, version 3.1) and a little more, then silence: with
        // the RFC's 5-minute greeting timer, only an immediate check can end this within the test's limit.
        byte[] record = {0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03};
        long start = System.nanoTime();
        try (FaultServer s = FaultServer.start().greeting((srv, x, line) -> {
                x.write(record);
                x.stall();
                return false;
            });
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT, transcript)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.hint()).isEqualTo(Hint.PORT_SPEAKS_TLS);
                        assertThat(e.getMessage()).isEqualTo("GREETING " + server(s) + " failed: the server speaks"
                                + " TLS, not plain SMTP\n    this port speaks TLS from the first byte");
                    });
            assertThat(c.isOpen()).isFalse();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void implicitTlsAgainstAPlainPortIsToldToUseStarttls() throws Exception {
        SessionOptions options = SessionOptions.DEFAULT.withTls(new TlsSettings(TlsMode.IMPLICIT,
                List.of(TestTls.caPem()), false));
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(options, transcript)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.hint()).isEqualTo(Hint.PORT_SPEAKS_PLAIN);
                        assertThat(e.getMessage()).isEqualTo("TLS handshake with " + server(s) + " failed: the"
                                + " server answered in plain text, not TLS\n    this port speaks plain SMTP first");
                    });
        }
    }

    @Test
    void implicitTlsHandshakeIsBoundedByTheGreetingTimer() throws Exception {
        // A port that accepts and says nothing at all, to a client that starts with TLS: the
        // handshake waits no longer than the greeting would have.
        SessionOptions options = SessionOptions.DEFAULT.withTls(new TlsSettings(TlsMode.IMPLICIT,
                List.of(TestTls.caPem()), false)).withTimeouts(Timeouts.RFC_5321.withGreeting(Duration.ofMillis(500)));
        try (FaultServer s = FaultServer.start().greeting(FaultServer.stall());
             SmtpSession c = new SmtpSession(options, transcript)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.getMessage()).isEqualTo("TLS handshake with " + server(s)
                                + " failed: no reply (timed out after 500ms)");
                    });
        }
    }
}
