package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.drop;
import static dev.postilion.testing.FaultServer.raw;
import static dev.postilion.testing.FaultServer.reply;
import static dev.postilion.testing.FaultServer.replyAndClose;
import static dev.postilion.testing.FaultServer.stall;
import static dev.postilion.testing.FaultServer.starttls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.server.TestCertificate;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every named fault ends within its timeout, with the right kind, stage and message. */
@Timeout(20)
class SmtpSessionFaultTest {

    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofMillis(400));

    @TempDir
    static Path certDir;
    static TestCertificate cert;

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    @BeforeAll
    static void certificate() throws Exception {
        cert = TestCertificate.in(certDir);
    }

    private SmtpSession session(SessionOptions o) {
        return new SmtpSession(o, transcript);
    }

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    @Test
    void dropAfterGreetingIsTemporary() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("EHLO", drop());
            c.connect("127.0.0.1", s.port());
            assertThatThrownBy(() -> c.ehlo("x.test")).isInstanceOfSatisfying(SmtpException.class, e -> {
                assertThat(e.kind()).isEqualTo(SmtpException.Kind.TEMPORARY);
                assertThat(e.stage()).isEqualTo(SmtpStage.EHLO);
                assertThat(e.getMessage()).isEqualTo("EHLO x.test failed: no reply (connection closed by the server)");
            });
        }
    }

    @Test
    void greetingThatNeverComesTimesOut() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.greeting(stall());
            assertThatThrownBy(() -> c.connect("127.0.0.1", s.port())).isInstanceOfSatisfying(SmtpException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("GREETING " + server(s)
                            + " failed: no reply (timed out after 400ms)"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"MAIL", "RCPT", "DATA"})
    void serverClosing421IsReturnedAndClosesTheSession(String verb) throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on(verb, replyAndClose("421 4.3.2 shutting down"));
            c.open("127.0.0.1", s.port(), "x.test");
            Reply r = verb.equals("MAIL") ? c.mail("a@x.test", MailOptions.NONE) : null;
            if (!verb.equals("MAIL")) {
                c.mail("a@x.test", MailOptions.NONE);
                r = c.rcpt("b@y.test", RcptOptions.NONE);
                if (verb.equals("DATA")) {
                    r = c.data(MessageContent.of("x"));
                }
            }
            assertThat(r.isClosing()).isTrue();
            assertThat(c.isOpen()).isFalse();
            assertThatThrownBy(c::noop).isInstanceOfSatisfying(SmtpException.class,
                    e -> assertThat(e.kind()).isEqualTo(SmtpException.Kind.TEMPORARY));
        }
    }

    @Test
    void lostReplyAfterTheFinalDotIsInDoubt() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("DOT", drop());
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("hi")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA_END);
                        assertThat(e.reply()).isNull();
                        assertThat(e.getMessage()).contains("may or may not have been delivered");
                    });
        }
    }

    @Test
    void dropInTheMiddleOfDataNeverSendsTheTerminator() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("DATA", replyAndClose("354 go")).ehlo("250-fault.test\r\n250 PIPELINING");
            c.open("127.0.0.1", s.port(), "x.test");
            byte[] big = new byte[8 * 1024 * 1024];
            java.util.Arrays.fill(big, (byte) 'x');
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of(big)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.TEMPORARY);
                        assertThat(e.stage()).isIn(SmtpStage.DATA, SmtpStage.DATA_END);
                    });
        }
    }

    @Test
    void serverThatStopsReadingTripsTheWriteTimeout() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("DATA", (srv, conv, line) -> {
                conv.socket.getOutputStream().write("354 go\r\n".getBytes(StandardCharsets.US_ASCII));
                return stall().act(srv, conv, line);
            }).ehlo("250 fault.test");
            c.open("127.0.0.1", s.port(), "x.test");
            byte[] big = new byte[32 * 1024 * 1024];
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of(big)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.TEMPORARY);
                        assertThat(e.getMessage()).contains("write timed out after 400ms");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"no code at all", "250-first\r\n550 second", "2x0 bad digits", "250\u0000nul"})
    void malformedRepliesAreProtocolErrors(String garbage) throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("NOOP", reply(garbage));
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(c::noop).isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                assertThat(e.kind()).isEqualTo(SmtpException.Kind.PROTOCOL);
                assertThat(e.getMessage()).startsWith("NOOP failed: malformed reply\n    " + server(s)
                        + " broke the protocol: ");
            });
        }
    }

    @Test
    void overLongAndEndlessRepliesAreBounded() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("NOOP", reply("250 " + "x".repeat(5000)));
            s.on("RSET", reply("250-x\r\n".repeat(10_000) + "250 end"));
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(c::noop).hasMessageContaining("reply line longer than 2048 octets");
        }
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("RSET", reply("250-x\r\n".repeat(10_000) + "250 end"));
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(c::rset).hasMessageContaining("reply longer than 200 lines");
        }
    }

    @Test
    void starttlsRequiredDoesNotFallBackToPlain() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST.withTls(TlsSettings.of(TlsMode.STARTTLS)))) {
            assertThatThrownBy(() -> c.open("127.0.0.1", s.port(), "x.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.TLS);
                        assertThat(e.getMessage()).startsWith("STARTTLS required, but " + server(s) + " did not offer it");
                    });
            assertThatThrownBy(() -> c.mail("a@x.test", MailOptions.NONE)).isInstanceOf(SmtpException.class);
            c.close();
            assertThat(s.commands()).containsExactly("EHLO x.test");
        }
    }

    @Test
    void starttlsRefusedWhenRequiredFailsClosed() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST.withTls(TlsSettings.of(TlsMode.STARTTLS)))) {
            s.ehlo("250-fault.test\r\n250 STARTTLS");
            assertThatThrownBy(() -> c.open("127.0.0.1", s.port(), "x.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(SmtpException.Kind.TLS));
            c.close();
            assertThat(s.commands()).containsExactly("EHLO x.test", "STARTTLS");
        }
    }

    @Test
    void starttlsResponseInjectionIsRejected() throws Exception {
        TlsSettings trust = new TlsSettings(TlsMode.STARTTLS, List.of(cert.pem()), false);
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST.withTls(trust))) {
            s.ehlo("250-fault.test\r\n250 STARTTLS").tls(cert.sslContext())
                    .on("STARTTLS", starttls("250-PIPELINING\r\n250 AUTH PLAIN\r\n"));
            assertThatThrownBy(() -> c.open("127.0.0.1", s.port(), "x.test"))
                    .isInstanceOfSatisfying(SmtpProtocolException.class,
                            e -> assertThat(e.getMessage()).contains("STARTTLS response injection"));
        }
    }

    @Test
    void starttlsWithTrustedCertificateSaysEhloAgainAndForgetsOldCapabilities() throws Exception {
        TlsSettings trust = new TlsSettings(TlsMode.STARTTLS, List.of(cert.pem()), false);
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST.withTls(trust))) {
            s.ehlo("250-fault.test\r\n250 STARTTLS").tls(cert.sslContext());
            s.on("EHLO", reply("250-fault.test\r\n250-STARTTLS\r\n250 AUTH BOGUS"),
                    reply("250-fault.test\r\n250 AUTH PLAIN"));
            c.open("localhost", s.port(), "x.test");
            assertThat(c.isTls()).isTrue();
            assertThat(c.capabilities().authMechanisms()).containsExactly("PLAIN");
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO x.test", "STARTTLS", "EHLO x.test", "QUIT");
            assertThat(transcript.text()).contains("TLS started with protocol").contains(" ~> EHLO x.test");
        }
    }

    @Test
    void untrustedCertificateIsATlsErrorThatSaysHowToTrustIt() throws Exception {
        try (FaultServer s = FaultServer.start();
             SmtpSession c = session(FAST.withTls(TlsSettings.of(TlsMode.STARTTLS)))) {
            s.ehlo("250-fault.test\r\n250 STARTTLS").tls(cert.sslContext());
            assertThatThrownBy(() -> c.open("localhost", s.port(), "x.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.TLS);
                        assertThat(e.getMessage()).contains("not trusted").contains("--tls-ca FILE");
                    });
        }
    }

    @Test
    void authRefusedOverCleartext() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            c.assumeRemote();
            assertThatThrownBy(() -> c.auth("LOGIN", Credentials.password("u", () -> "pw")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.CONFIG);
                        assertThat(e.getMessage()).startsWith("AUTH refused: the connection to " + server(s)
                                + " is not encrypted");
                    });
            c.quit();
            assertThat(s.commands()).noneMatch(l -> l.startsWith("AUTH"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOGIN", "PLAIN", "CRAM-MD5"})
    void passwordNeverInTranscript(String mechanism) throws Exception {
        String secret = "Tr0ub4dor&3-secret";
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            Reply r = c.auth(mechanism, Credentials.password("guyt", () -> secret));
            assertThat(r.code()).isEqualTo(235);
            c.quit();
        }
        String t = transcript.text();
        assertThat(t).doesNotContain(secret)
                .doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(Base64.getEncoder().encodeToString(("\0guyt\0" + secret).getBytes(StandardCharsets.UTF_8)))
                .contains("********");
    }

    @Test
    void bearerTokensNeverInTranscript() throws Exception {
        String token = "ya29.a0-very-secret-token";
        for (String mech : List.of("XOAUTH2", "OAUTHBEARER")) {
            try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
                s.ehlo("250-fault.test\r\n250 AUTH XOAUTH2 OAUTHBEARER");
                c.open("127.0.0.1", s.port(), "x.test");
                assertThat(c.auth(mech, Credentials.token("u@x.test", () -> token)).code()).isEqualTo(235);
            }
        }
        assertThat(transcript.text()).doesNotContain(token).contains("AUTH XOAUTH2 ********")
                .contains("AUTH OAUTHBEARER ********");
    }

    @Test
    void xoauth2ErrorChallengeIsAnsweredWithAnEmptyLine() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.ehlo("250-fault.test\r\n250 AUTH XOAUTH2");
            s.on("AUTH", reply("334 eyJzdGF0dXMiOiI0MDEifQ=="));
            s.on("AUTHLINE", reply("535 5.7.8 Username and Password not accepted"));
            c.open("127.0.0.1", s.port(), "x.test");
            Reply r = c.auth("XOAUTH2", Credentials.token("u@x.test", () -> "tok"));
            assertThat(r.code()).isEqualTo(535);
            c.close();
            assertThat(s.commands()).last().isEqualTo("");
        }
    }

    @Test
    void autoPicksTheStrongestOffered() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            assertThat(c.auth("auto", Credentials.password("u", () -> "p")).code()).isEqualTo(235);
            c.quit();
            assertThat(s.commands()).contains("AUTH CRAM-MD5");
        }
    }

    @Test
    void pipeliningWritesMailRcptAndDataTogetherAndKeepsPerRecipientReplies() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("RCPT", reply("250 2.1.5 ok"), reply("550 5.1.1 no such user"), reply("250 2.1.5 ok"));
            c.open("127.0.0.1", s.port(), "x.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test", "nobody@y.test", "c@y.test")),
                    MessageContent.of("Subject: x\n\nhi\n"));
            assertThat(r.delivered()).isTrue();
            assertThat(r.accepted()).containsExactly("b@y.test", "c@y.test");
            assertThat(r.refused()).extracting(SendResult.RecipientReply::address).containsExactly("nobody@y.test");
        }
        String t = transcript.text();
        int lastSent = t.indexOf(" -> DATA");
        assertThat(t.substring(t.indexOf(" -> MAIL FROM"), lastSent)).doesNotContain("<-");
    }

    @Test
    void noPipeliningWhenNotOfferedAndRsetAfterRefusal() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.ehlo("250-fault.test\r\n250 8BITMIME");
            s.on("RCPT", reply("550 5.1.1 no"));
            c.open("127.0.0.1", s.port(), "x.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("hi"));
            assertThat(r.delivered()).isFalse();
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO x.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                    "RSET", "QUIT");
        }
    }

    @Test
    void sizeIsAnnouncedAndTooLargeIsRefusedBeforeMail() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("0123456789"));
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")),
                    MessageContent.of(new byte[2_000_000]))).isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.PERMANENT);
                        assertThat(e.getMessage()).contains("it is 2000000 octets").contains("limit is 1000000 octets");
                    });
            c.quit();
            assertThat(s.commands()).contains("MAIL FROM:<a@x.test> SIZE=10").filteredOn(l -> l.startsWith("MAIL"))
                    .hasSize(1);
        }
    }

    @Test
    void eightBitContentAsksFor8BitMime() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("Grüße"));
            c.quit();
            assertThat(s.commands()).contains("MAIL FROM:<a@x.test> SIZE=7 BODY=8BITMIME");
        }
    }

    @Test
    void nonAsciiAddressNeedsSmtpUtf8() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("jörg@müller.example")),
                    MessageContent.of("x"))).isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.INPUT);
                        assertThat(e.getMessage()).contains("jörg@müller.example").contains("SMTPUTF8");
                    });
        }
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.ehlo("250-fault.test\r\n250 SMTPUTF8");
            c.open("127.0.0.1", s.port(), "x.test");
            assertThat(c.send(Envelope.of("a@x.test", List.of("jörg@müller.example")), MessageContent.of("x"))
                    .delivered()).isTrue();
            c.quit();
            assertThat(s.commands()).contains("MAIL FROM:<a@x.test> SMTPUTF8", "RCPT TO:<jörg@müller.example>");
        }
    }

    @Test
    void chunkingUsesBdatWhenOfferedAndAsked() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST.withChunking(true))) {
            s.ehlo("250-fault.test\r\n250 CHUNKING");
            c.open("127.0.0.1", s.port(), "x.test");
            assertThat(c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of(".dot\nline"))
                    .delivered()).isTrue();
            c.quit();
            assertThat(s.commands()).contains("BDAT 12 LAST").doesNotContain("DATA");
            assertThat(new String(s.bytes(), StandardCharsets.US_ASCII)).contains("BDAT 12 LAST\r\n.dot\r\nline\r\n");
        }
    }

    @Test
    void dsnParametersOnlyWhenOffered() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(() -> c.mail("a@x.test", new MailOptions(-1, null, false, "HDRS", null)))
                    .hasMessageContaining("does not offer DSN");
        }
    }

    @Test
    void verbsOutOfOrderAreRefusedBeforeAnythingIsSent() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.connect("127.0.0.1", s.port());
            assertThatThrownBy(() -> c.mail("a@x.test", MailOptions.NONE)).hasMessage("mail from needs ehlo (or helo) first");
            c.ehlo("x.test");
            assertThatThrownBy(() -> c.rcpt("b@y.test", RcptOptions.NONE)).hasMessage("rcpt needs a mail from: first");
            c.mail("a@x.test", MailOptions.NONE);
            assertThatThrownBy(() -> c.data(MessageContent.of("x"))).hasMessage("data needs an accepted recipient first");
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO x.test", "MAIL FROM:<a@x.test>", "QUIT");
        }
    }

    @Test
    void crlfInRecipientIsRefused() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            c.open("127.0.0.1", s.port(), "x.test");
            c.mail("a@x.test", MailOptions.NONE);
            assertThatThrownBy(() -> c.rcpt("b@y.test>\r\nRCPT TO:<evil@z.test", RcptOptions.NONE))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(SmtpException.Kind.INPUT));
            assertThatThrownBy(() -> c.ehlo("x\ny")).isInstanceOf(SmtpException.class);
            assertThatThrownBy(() -> c.vrfy("a\u0000b")).isInstanceOf(SmtpException.class);
            assertThatThrownBy(() -> c.raw("NOOP\rRSET")).isInstanceOf(SmtpException.class);
            c.quit();
            assertThat(s.commands()).noneMatch(l -> l.contains("evil") || l.contains("RSET"));
        }
    }

    @Test
    void characterWhoseLowByteIsCrNeverBecomesCr() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.ehlo("250-fault.test\r\n250 SMTPUTF8");
            c.open("127.0.0.1", s.port(), "x.test");
            c.mail("a@x.test", new MailOptions(-1, null, true, null, null));
            c.rcpt("\u760d\u760a@y.test", RcptOptions.NONE);
            c.quit();
            byte[] wire = s.bytes();
            String asText = new String(wire, StandardCharsets.ISO_8859_1);
            assertThat(asText).doesNotContain("\r\r").contains("RCPT TO:<");
            for (int i = 0; i < wire.length; i++) {
                if (wire[i] == '\r') {
                    assertThat(wire[i + 1]).isEqualTo((byte) '\n');
                }
            }
        }
    }

    @Test
    void unanswerableChallengeIsCancelledWithAStar() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("AUTH", reply("334 VXNlcm5hbWU6"));
            s.on("AUTHLINE", reply("334 UGFzc3dvcmQ6"), reply("334 QWdhaW46"), reply("501 5.7.0 cancelled"));
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(() -> c.auth("LOGIN", Credentials.password("u", () -> "p")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.AUTH);
                        assertThat(e.getMessage()).startsWith("AUTH LOGIN cancelled: LOGIN got a third challenge");
                    });
            c.close();
            assertThat(s.commands()).endsWith("*");
        }
    }

    @Test
    void challengeThatIsNotBase64IsAProtocolError() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(FAST)) {
            s.on("AUTH", reply("334 not*base64!"));
            s.on("AUTHLINE", reply("501 5.7.0 cancelled"));
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(() -> c.auth("LOGIN", Credentials.password("u", () -> "p")))
                    .isInstanceOf(SmtpProtocolException.class).hasMessageContaining("AUTH challenge is not base64");
            c.close();
            assertThat(s.commands()).endsWith("*");
        }
    }
}
