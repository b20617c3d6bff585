package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.reply;
import static dev.postilion.testing.FaultServer.starttls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Hint;
import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import dev.postilion.testing.TestTls;
import dev.postilion.transcript.TranscriptRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS fails closed: required TLS never falls back, certificates and names are checked, nothing is injected,
 * and a client and port that disagree on TLS-first are told so at once.
 */
@Timeout(60)
class StartTlsTest {

    private static final Duration LIMIT = Duration.ofMillis(300);
    /**
     * Handshakes take longer than a plain reply on a cold JVM, and seconds on a loaded 2-core machine;
     * no case here waits for this limit. Still far below RFC 5321's minutes.
     */
    private static final Duration TLS_LIMIT = Duration.ofSeconds(15);

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session(TlsMode mode, boolean trustTestCa) {
        TlsSettings tls = new TlsSettings(mode, trustTestCa ? List.of(TestTls.caPem()) : List.of(), false);
        return new SmtpSession(SessionOptions.DEFAULT.withTimeout(mode == TlsMode.NONE ? LIMIT : TLS_LIMIT)
                .withTls(tls), transcript);
    }

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    @Test
    @DisplayName("TLS-01 starttlsRequiredDoesNotFallBackToPlain")
    void starttlsRequiredDoesNotFallBackToPlain() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING", "AUTH PLAIN LOGIN");
             SmtpSession c = session(TlsMode.STARTTLS, true)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.stage()).isEqualTo(SmtpStage.STARTTLS);
                        assertThat(e.getMessage()).isEqualTo("STARTTLS required, but " + server(s) + " did not offer"
                                + " it\n    refusing to continue in plain text");
                        assertThat(e.hint()).isEqualTo(SmtpException.Hint.STARTTLS_NOT_OFFERED);
                    });
            String notEncrypted = "TLS is required (starttls), but the connection to " + server(s)
                    + " is not encrypted; nothing was sent";
            assertThatThrownBy(() -> c.auth("PLAIN", Credentials.password("guyt", () -> "pw")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.getMessage()).isEqualTo(notEncrypted);
                        assertThat(e.hint()).isEqualTo(SmtpException.Hint.TLS_NOT_STARTED);
                    });
            assertThatThrownBy(() -> c.mail("a@x.test", MailOptions.NONE)).hasMessage(notEncrypted);
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("x")))
                    .hasMessage(notEncrypted);
            c.close();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test");
        }
    }

    @ParameterizedTest
    @DisplayName("TLS-02: STARTTLS refused while required: nothing more is sent")
    @ValueSource(strings = {"454 4.7.0 TLS not available", "500 5.5.1 unknown command", "250 2.0.0 sure"})
    void starttlsRefusedWhenRequiredFailsClosed(String refusal) throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS", "AUTH PLAIN").on("STARTTLS", refusal);
             SmtpSession c = session(TlsMode.STARTTLS, true)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.reply().toString()).isEqualTo(refusal);
                        assertThat(e.getMessage()).isEqualTo("STARTTLS refused; TLS is required, so nothing more is"
                                + " sent\n    " + server(s) + " replied: " + refusal);
                    });
            assertThatThrownBy(() -> c.mail("a@x.test", MailOptions.NONE))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TLS));
            c.close();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "STARTTLS");
        }
    }

    @Test
    @DisplayName("starttls-if-offered goes on in plain text when refused, and says so")
    void ifOfferedContinuesInPlainText() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").on("STARTTLS", "454 4.7.0 TLS not available");
             SmtpSession c = session(TlsMode.STARTTLS_IF_OFFERED, true)) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.isTls()).isFalse();
            assertThat(c.mail("a@x.test", MailOptions.NONE).code()).isEqualTo(250);
        }
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session(TlsMode.STARTTLS_IF_OFFERED, true)) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.isTls()).isFalse();
        }
        assertThat(transcript.text())
                .contains("*** STARTTLS refused; continuing in plain text (starttls-if-offered)")
                .contains("*** Host did not advertise STARTTLS; continuing in plain text (starttls-if-offered)");
    }

    @Test
    @DisplayName("TLS-03 starttlsResponseInjectionIsRejected")
    void starttlsResponseInjectionIsRejected() throws Exception {
        String injected = "250-evil\r\n250 AUTH PLAIN\r\n";
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").on("STARTTLS", starttls(injected));
             SmtpSession c = session(TlsMode.STARTTLS, true)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                        assertThat(e.stage()).isEqualTo(SmtpStage.STARTTLS);
                        assertThat(e.getMessage()).isEqualTo("STARTTLS failed: malformed reply\n    " + server(s)
                                + " broke the protocol: it sent " + injected.length() + " more octets after its 220"
                                + " reply, before the TLS handshake (a STARTTLS response injection); the connection"
                                + " was dropped");
                    });
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "STARTTLS");
            assertThat(s.receivedText()).endsWith("STARTTLS\r\n");
        }
    }

    @Test
    @DisplayName("TLS-05: trusted via --tls-ca; EHLO again under TLS, and only the new capabilities count")
    void starttlsWithTrustedCertificateSaysEhloAgainAndForgetsOldCapabilities() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS", "AUTH PLAIN LOGIN", "SIZE 1000")
                .capabilitiesAfterTls("AUTH XOAUTH2", "SIZE 5000");
             SmtpSession c = session(TlsMode.STARTTLS, true)) {
            Reply ehlo = c.open(s.host(), s.port(), "client.test");
            assertThat(ehlo.lines()).containsExactly("250-fault.test Hello client.test", "250-AUTH XOAUTH2", "250 SIZE 5000");
            assertThat(c.isTls()).isTrue();
            assertThat(c.capabilities().startTls()).isFalse();
            assertThat(c.capabilities().authMechanisms()).containsExactly("XOAUTH2");
            assertThat(c.capabilities().sizeLimit()).isEqualTo(5000);
            assertThatThrownBy(() -> c.auth("PLAIN", Credentials.password("u", () -> "p")))
                    .hasMessage("AUTH PLAIN impossible: " + server(s) + " offers AUTH XOAUTH2");
            assertThat(c.mail("a@x.test", MailOptions.NONE).code()).isEqualTo(250);
            c.quit();
            assertThat(s.commandLog()).extracting(FaultServer.Command::line, FaultServer.Command::tls).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("EHLO client.test", false),
                    org.assertj.core.groups.Tuple.tuple("STARTTLS", false),
                    org.assertj.core.groups.Tuple.tuple("EHLO client.test", true),
                    org.assertj.core.groups.Tuple.tuple("MAIL FROM:<a@x.test>", true),
                    org.assertj.core.groups.Tuple.tuple("QUIT", true));
        }
        assertThat(transcript.text())
                .contains("=== TLS started with protocol TLSv1.3")
                .contains("=== TLS peer[0] subject=[CN=localhost]")
                .contains("passed host verification (using host 127.0.0.1)")
                .contains(" ~> EHLO client.test")
                .contains("<~  250 SIZE 5000");
    }

    @ParameterizedTest
    @DisplayName("TLS-07: a certificate no trusted CA vouches for stops before AUTH, saying how to trust it")
    @EnumSource(value = TestTls.class, names = {"LOCALHOST", "SELF_SIGNED"})
    void untrustedCertificateIsATlsErrorThatSaysHowToTrustIt(TestTls cert) throws Exception {
        // LOCALHOST is signed by the test CA, which this client has not been told to trust.
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS", "AUTH PLAIN").certificate(cert);
             SmtpSession c = session(TlsMode.STARTTLS, cert == TestTls.SELF_SIGNED)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.stage()).isEqualTo(SmtpStage.TLS);
                        assertThat(e.getMessage()).startsWith("TLS certificate of " + server(s) + " not trusted: ")
                                .doesNotContain("\n");
                        assertThat(e.hint()).isEqualTo(SmtpException.Hint.UNTRUSTED_CERTIFICATE);
                    });
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "STARTTLS");
        }
    }

    @Test
    @DisplayName("TLS-06: a trusted certificate for another name")
    void wrongHostCertificateIsATlsError() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").certificate(TestTls.WRONG_HOST);
             SmtpSession c = session(TlsMode.STARTTLS, true)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.getMessage()).startsWith("TLS certificate of " + server(s) + " not trusted: ")
                                .contains("127.0.0.1")
                                .endsWith("\n    the certificate does not name '127.0.0.1': connect with the name the"
                                        + " certificate carries");
                        assertThat(e.hint()).isEqualTo(SmtpException.Hint.WRONG_HOST_CERTIFICATE);
                    });
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "STARTTLS");
        }
    }

    @Test
    @DisplayName("TLS-07: an expired certificate, even from a trusted CA")
    void expiredCertificateIsATlsError() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").certificate(TestTls.EXPIRED);
             SmtpSession c = session(TlsMode.STARTTLS, true)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.getMessage()).startsWith("TLS certificate of " + server(s) + " not trusted: ")
                                .endsWith("\n    the certificate has expired; the server must renew it");
                        assertThat(e.hint()).isEqualTo(SmtpException.Hint.EXPIRED_CERTIFICATE);
                    });
        }
    }

    @Test
    @DisplayName("localhost by name verifies too")
    void localhostIsVerifiedByNameNotByAddress() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS"); SmtpSession c = session(TlsMode.STARTTLS, true)) {
            c.open("localhost", s.port(), "client.test");
            assertThat(c.isTls()).isTrue();
        }
    }

    @Test
    @DisplayName("--insecure accepts any certificate and says so loudly")
    void insecureSkipsChecksLoudly() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").certificate(TestTls.EXPIRED);
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeout(TLS_LIMIT)
                     .withTls(new TlsSettings(TlsMode.STARTTLS, List.of(), true)), transcript)) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.isTls()).isTrue();
        }
        assertThat(transcript.text()).contains("*** TLS certificate checks are OFF (--insecure)")
                .contains("TLS peer certificate NOT verified (--insecure)");
    }

    @Test
    @DisplayName("TLS-11: the handshake breaks after 220: no plain-text retry")
    void aHandshakeFailingAfter220NeverRetriesInPlainText() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS")
                .on("STARTTLS", reply("220 2.0.0 Ready to start TLS").then(FaultServer.drop()));
             SmtpSession c = session(TlsMode.STARTTLS_IF_OFFERED, true)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.stage()).isEqualTo(SmtpStage.TLS);
                        assertThat(e.getMessage()).startsWith("TLS handshake with " + server(s) + " failed: ");
                    });
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "STARTTLS");
        }
    }

    @Test
    @DisplayName("a server that answers 220 to STARTTLS and then never handshakes: bounded, no plain text")
    void handshakeStallIsBounded() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS")
                .on("STARTTLS", reply("220 2.0.0 Ready to start TLS").then(FaultServer.stall()));
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeout(LIMIT)
                     .withTls(new TlsSettings(TlsMode.STARTTLS, List.of(TestTls.caPem()), false)), transcript)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isIn(Kind.TEMPORARY, Kind.TLS);
                        assertThat(e.stage()).isEqualTo(SmtpStage.TLS);
                    });
            // A 300 ms limit: bounded (a loaded machine may take longer, a missing limit would hang).
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    @DisplayName("implicit TLS (port 465 style) with a trusted certificate")
    void implicitTlsHandshakesBeforeReadingTheGreeting() throws Exception {
        try (FaultServer s = FaultServer.implicitTls(TestTls.LOCALHOST).capabilities("AUTH PLAIN");
             SmtpSession c = session(TlsMode.IMPLICIT, true)) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.isTls()).isTrue();
            assertThat(c.auth("PLAIN", Credentials.password("guyt", () -> "pw")).code()).isEqualTo(235);
            c.quit();
            assertThat(s.commandLog()).allMatch(FaultServer.Command::tls);
        }
        assertThat(transcript.text()).contains("<~  220 fault.test ESMTP FaultServer");
    }

    @Test
    @DisplayName("TLS-10: implicit TLS against a plain-text server fails fast, no fallback")
    void implicitTlsAgainstPlainTextFailsFastWithoutFallback() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(TlsMode.IMPLICIT, true)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.stage()).isEqualTo(SmtpStage.TLS);
                        assertThat(e.getMessage()).startsWith("TLS handshake with " + server(s) + " failed: ");
                    });
            s.awaitDisconnect();
            assertThat(s.received()[0]).as("a TLS handshake record, nothing in plain text").isEqualTo((byte) 0x16);
            assertThat(s.receivedText()).doesNotContain("EHLO");
        }
    }

    @Test
    @DisplayName("a missing --tls-ca file is a TLS configuration error")
    void missingCaFileIsAConfigErrorBeforeConnecting() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS");
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeout(TLS_LIMIT).withTls(new TlsSettings(
                     TlsMode.STARTTLS, List.of(java.nio.file.Path.of("/nonexistent/ca.pem")), false)), transcript)) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TLS);
                        assertThat(e.getMessage()).isEqualTo("TLS CA file /nonexistent/ca.pem does not exist");
                    });
        }
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

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            The server selected protocol version TLS11 is not accepted by client preferences [TLS13, TLS12] | the server chose TLS 1.1 (The server selected protocol version TLS11 is not accepted by client preferences [TLS13, TLS12])
            The server selected protocol version TLS10 is not accepted by client preferences [TLS13, TLS12] | the server chose TLS 1.0 (The server selected protocol version TLS10 is not accepted by client preferences [TLS13, TLS12])
            Received fatal alert: protocol_version | the server accepts neither TLS 1.2 nor TLS 1.3 (it answered with a protocol_version alert), so it speaks only an older protocol such as TLS 1.0 or 1.1
            PKIX path building failed | ''
            """, delimiter = '|', emptyValue = "")
    void anObsoleteProtocolIsNamedFromTheHandshakeFailure(String why, String named) {
        assertThat(StartTls.obsoleteProtocol(why)).isEqualTo(named.isEmpty() ? null : named);
    }
}
