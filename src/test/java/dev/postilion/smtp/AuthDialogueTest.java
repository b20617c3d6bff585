package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.AUTHLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import dev.postilion.testing.ScriptedAuth;
import dev.postilion.transcript.TranscriptRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** AUTH: the exchanges, the choice of mechanism, cancelling, and secrets that never leak. */
@Timeout(60)
class AuthDialogueTest {

    /**
     * No case here waits for a limit to fire: generous, so that a loaded machine (the suite runs beside
     * others on 2 cores) cannot turn a slow reply into a spurious timeout.
     */
    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10));
    /** DIGEST-MD5 and NTLM, answered by the JDK's own SASL clients, against the JDK's own SASL servers. */
    private static final String SASL_PASSWORD = "jdk-Sasl-Pa55";
    private static final String PASSWORD = "Tr0ub4dor&3-s3cret";
    private static final String TOKEN = "ya29.a0AfH6SMBx-very-secret-bearer-token";

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session() {
        return new SmtpSession(FAST, transcript);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    @Test
    @DisplayName("AUTH-01 authRefusedOverCleartext")
    void authIsRefusedOverCleartextToARemoteHost() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("AUTH PLAIN LOGIN"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.assumeRemote();
            for (String mech : List.of("PLAIN", "LOGIN", "auto")) {
                assertThatThrownBy(() -> c.auth(mech, Credentials.password("guyt", () -> PASSWORD)))
                        .isInstanceOfSatisfying(SmtpException.class, e -> {
                            assertThat(e.kind()).isEqualTo(Kind.CONFIG);
                            assertThat(e.stage()).isEqualTo(SmtpStage.AUTH);
                            assertThat(e.getMessage()).isEqualTo("AUTH refused: the connection to " + server(s)
                                    + " is not encrypted, and the password would cross the network readable");
                            assertThat(e.hint()).isEqualTo(SmtpException.Hint.CLEARTEXT_AUTH_REFUSED);
                        });
            }
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "QUIT");
        }
    }

    @Test
    @DisplayName("AUTH-01: allowCleartextAuth lets it through, explicitly")
    void cleartextAuthGoesThroughWhenAllowedExplicitly() throws Exception {
        try (FaultServer s = FaultServer.start();
             SmtpSession c = new SmtpSession(FAST.withAllowCleartextAuth(true), transcript)) {
            c.open(s.host(), s.port(), "client.test");
            c.assumeRemote();
            assertThat(c.auth("PLAIN", Credentials.password("guyt", () -> PASSWORD)).code()).isEqualTo(235);
            assertThat(c.isAuthenticated()).isTrue();
        }
    }

    @ParameterizedTest
    @DisplayName("SEC-01 passwordNeverInTranscript")
    @ValueSource(strings = {"LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"})
    void passwordNeverInTranscript(String mechanism) throws Exception {
        boolean bearer = mechanism.contains("OAUTH");
        String secret = bearer ? TOKEN : PASSWORD;
        Credentials credentials = bearer ? Credentials.token("guyt@x.test", () -> TOKEN)
                : Credentials.password("guyt", () -> PASSWORD);
        try (FaultServer s = FaultServer.start().capabilities("AUTH " + mechanism); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.auth(mechanism, credentials).code()).isEqualTo(235);
            c.quit();
            String wire = String.join("\n", s.commands());
            if (!mechanism.equals("CRAM-MD5")) {
                assertThat(wire).as("the secret did go to the server").containsAnyOf(b64(secret),
                        "AUTH " + mechanism + " ");
            }
        }
        String t = transcript.text();
        assertThat(t).doesNotContain(secret)
                .doesNotContain(b64(secret))
                .doesNotContain(b64("\0guyt\0" + secret))
                .doesNotContain(b64("user=guyt@x.test\u0001auth=Bearer " + TOKEN + "\u0001\u0001"))
                .doesNotContain(secret.substring(4, 16))
                .contains("********");
        if (List.of("PLAIN", "XOAUTH2", "OAUTHBEARER").contains(mechanism)) {
            assertThat(t).contains(" -> AUTH " + mechanism + " ********\n");
        }
    }

    @Test
    @DisplayName("SEC-01/AUTH-06: a bearer token is masked even when the server refuses it")
    void bearerTokensNeverInTranscript() throws Exception {
        for (String mech : List.of("XOAUTH2", "OAUTHBEARER")) {
            try (FaultServer s = FaultServer.start().capabilities("AUTH " + mech)
                    .on("AUTH", "334 " + b64("{\"status\":\"401\"}")).on(AUTHLINE, "535 5.7.8 token refused");
                 SmtpSession c = session()) {
                c.open(s.host(), s.port(), "client.test");
                assertThat(c.auth(mech, Credentials.token("guyt@x.test", () -> TOKEN)).code()).isEqualTo(535);
            }
        }
        assertThat(transcript.text()).doesNotContain(TOKEN).doesNotContain(TOKEN.substring(10, 30))
                .contains(" -> AUTH XOAUTH2 ********").contains(" -> AUTH OAUTHBEARER ********");
    }

    @Test
    @DisplayName("the seed's AUTH LOGIN exchange, prompts decoded and the password masked")
    void loginPromptsAreAnsweredInOrderAndTheSecretIsMasked() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            Reply r = c.auth("LOGIN", Credentials.password("guyt", () -> PASSWORD));
            assertThat(r.lines()).containsExactly("235 2.7.0 Authentication successful");
            assertThat(c.isAuthenticated()).isTrue();
            assertThat(s.commands()).containsExactly("EHLO client.test", "AUTH LOGIN", "Z3V5dA==", b64(PASSWORD));
        }
        assertThat(transcript.text()).contains(" -> AUTH LOGIN\n<-  334 VXNlcm5hbWU6   [Username:]\n -> Z3V5dA==\n"
                + "<-  334 UGFzc3dvcmQ6   [Password:]\n -> ********\n<-  235 2.7.0 Authentication successful\n");
    }

    @Test
    @DisplayName("AUTH-06: XOAUTH2 error challenge: an empty line, then the final 535 is returned")
    void xoauth2ErrorChallengeIsAnsweredWithAnEmptyLine() throws Exception {
        String json = "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";
        try (FaultServer s = FaultServer.start().capabilities("AUTH XOAUTH2")
                .on("AUTH", "334 " + b64(json))
                .on(AUTHLINE, "535 5.7.8 Username and Password not accepted");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            Reply r = c.auth("XOAUTH2", Credentials.token("guyt@x.test", () -> TOKEN));
            assertThat(r.code()).isEqualTo(535);
            assertThat(r.enhanced()).isEqualTo("5.7.8");
            assertThat(c.isAuthenticated()).isFalse();
            assertThat(s.commands()).hasSize(3).last().isEqualTo("");
            assertThat(s.commands().get(1)).startsWith("AUTH XOAUTH2 ");
            assertThat(c.noop().code()).as("the session is in step").isEqualTo(250);
        }
        assertThat(transcript.text()).doesNotContain(TOKEN).contains("<** 535 5.7.8 Username and Password not accepted");
    }

    @Test
    @DisplayName("AUTH-08: OAUTHBEARER error challenge is answered with %x01")
    void oauthBearerErrorChallengeIsAnsweredWithCtrlA() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("AUTH OAUTHBEARER")
                .on("AUTH", "334 " + b64("{\"status\":\"invalid_token\"}"))
                .on(AUTHLINE, "535 5.7.8 invalid token");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.auth("OAUTHBEARER", Credentials.token("guyt@x.test", () -> TOKEN)).code()).isEqualTo(535);
            assertThat(s.commands()).last().isEqualTo("AQ==");
        }
    }

    @Test
    @DisplayName("RFC 4954: a mechanism that cannot answer cancels with '*'")
    void unanswerableChallengeIsCancelledWithAStar() throws Exception {
        try (FaultServer s = FaultServer.start().on("AUTH", "334 " + b64("more?")); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.auth("PLAIN", Credentials.password("guyt", () -> PASSWORD)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.AUTH);
                        assertThat(e.getMessage()).isEqualTo("AUTH PLAIN cancelled: PLAIN got a challenge after its response");
                        assertThat(e.command()).isEqualTo("AUTH PLAIN ********");
                        assertThat(e.getMessage()).doesNotContain(PASSWORD);
                    });
            assertThat(s.commands()).last().isEqualTo("*");
            assertThat(c.noop().code()).isEqualTo(250);
        }
    }

    @Test
    @DisplayName("AUTH-03: a third LOGIN prompt is cancelled; the password is never sent twice")
    void thirdLoginPromptIsCancelled() throws Exception {
        try (FaultServer s = FaultServer.start().on(AUTHLINE, "334 UGFzc3dvcmQ6", "334 UGFzc3dvcmQ6");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.auth("LOGIN", Credentials.password("guyt", () -> PASSWORD)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.AUTH);
                        assertThat(e.getMessage()).isEqualTo("AUTH LOGIN cancelled: LOGIN got a third challenge; it"
                                + " has only a user name and a password");
                    });
            assertThat(s.commands()).filteredOn(l -> l.equals(b64(PASSWORD))).hasSize(1);
            assertThat(s.commands()).last().isEqualTo("*");
        }
    }

    @Test
    @DisplayName("AUTH-03: a challenge that is not base64 is a protocol error, after '*'")
    void challengeThatIsNotBase64IsAProtocolError() throws Exception {
        try (FaultServer s = FaultServer.start().on("AUTH", "334 not base64 !!"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.auth("LOGIN", Credentials.password("guyt", () -> PASSWORD)))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> assertThat(e.getMessage())
                            .isEqualTo("AUTH LOGIN failed: malformed reply\n    " + server(s) + " broke the protocol:"
                                    + " AUTH challenge is not base64: '334 not base64 !!'"));
            assertThat(s.commands()).containsExactly("EHLO client.test", "AUTH LOGIN", "*");
        }
    }

    @ParameterizedTest(name = "offered {0} -> {1}")
    @DisplayName("auto picks CRAM-MD5 > PLAIN > LOGIN with a password, OAUTHBEARER > XOAUTH2 with a token")
    @CsvSource(textBlock = """
            LOGIN PLAIN CRAM-MD5           | CRAM-MD5    | password
            LOGIN PLAIN                    | PLAIN       | password
            LOGIN                          | LOGIN       | password
            GSSAPI NTLM LOGIN              | LOGIN       | password
            XOAUTH2 OAUTHBEARER PLAIN      | OAUTHBEARER | token
            XOAUTH2 PLAIN                  | XOAUTH2     | token
            """, delimiter = '|')
    void autoPicksTheStrongestOffered(String offered, String chosen, String kind) throws Exception {
        Credentials cr = kind.equals("token") ? Credentials.token("guyt", () -> TOKEN)
                : Credentials.password("guyt", () -> PASSWORD);
        try (FaultServer s = FaultServer.start().capabilities("AUTH " + offered); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.auth("auto", cr).code()).isEqualTo(235);
            assertThat(s.commands().get(1)).matches("AUTH " + chosen + "( .*)?");
        }
    }

    @Test
    void autoWithNothingUsableAndAMechanismNotOffered() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("AUTH GSSAPI"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.auth("auto", Credentials.password("guyt", () -> PASSWORD)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.AUTH);
                        assertThat(e.getMessage()).isEqualTo("AUTH impossible: " + server(s) + " offers AUTH GSSAPI,"
                                + " none of which Postilion can use with these credentials");
                    });
            assertThatThrownBy(() -> c.auth("plain", Credentials.password("guyt", () -> PASSWORD)))
                    .hasMessage("AUTH PLAIN impossible: " + server(s) + " offers AUTH GSSAPI");
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "QUIT");
        }
    }

    @Test
    @DisplayName("AUTH-04: 535 is returned, not thrown; the session can try again")
    void refusedAuthIsAReply() throws Exception {
        try (FaultServer s = FaultServer.start().on("AUTH", "535 5.7.8 Authentication credentials invalid");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            Reply r = c.auth("PLAIN", Credentials.password("guyt", () -> "wrong"));
            assertThat(r.code()).isEqualTo(535);
            assertThat(c.isAuthenticated()).isFalse();
            assertThat(c.auth("PLAIN", Credentials.password("guyt", () -> PASSWORD)).code()).isEqualTo(235);
            assertThatThrownBy(() -> c.auth("PLAIN", Credentials.password("guyt", () -> PASSWORD)))
                    .hasMessage("already authenticated on this connection");
        }
    }

    @Test
    @DisplayName("RFC 4954 4: a long OAuth token fits on the AUTH line")
    void longTokenFits() throws Exception {
        String token = "eyJ0eXAiOiJKV1Qi." + "x".repeat(3000);
        try (FaultServer s = FaultServer.start().capabilities("AUTH XOAUTH2"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.auth("XOAUTH2", Credentials.token("guyt@x.test", () -> token)).code()).isEqualTo(235);
            assertThat(s.commands().get(1)).hasSizeGreaterThan(4000);
        }
        assertThat(transcript.text()).doesNotContain(token.substring(20, 60));
    }

    @Test
    @DisplayName("no mail transaction may be open during AUTH")
    void authDuringTransactionIsRefused() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.mail("a@x.test", MailOptions.NONE);
            assertThatThrownBy(() -> c.auth("PLAIN", Credentials.password("guyt", () -> PASSWORD)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.STATE);
                        assertThat(e.getMessage()).isEqualTo("auth is not allowed during a mail transaction (RFC 4954 4)");
                    });
        }
    }

    @Test
    @DisplayName("raw AUTH lines are masked too")
    void rawAuthIsMasked() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.raw("AUTH LOGIN").code()).isEqualTo(334);
            assertThat(c.raw("Z3V5dA==").code()).isEqualTo(334);
            assertThat(c.raw(b64(PASSWORD)).code()).isEqualTo(235);
            assertThat(c.raw("AUTH PLAIN " + b64("\0guyt\0" + PASSWORD)).code()).isEqualTo(235);
        }
        assertThat(transcript.text()).doesNotContain(b64(PASSWORD)).doesNotContain(b64("\0guyt\0" + PASSWORD))
                .contains(" -> AUTH PLAIN ********");
    }

    @Test
    @DisplayName("AUTH-05: Exchange's 550 5.7.30 is an AUTH failure that explains Basic-auth retirement and names XOAUTH2")
    void basicAuthRetiredIsAnAuthFailureThatPointsToOAuth() throws Exception {
        String refusal = "550 5.7.30 Basic authentication is not supported for Client Submission";
        try (FaultServer s = FaultServer.start().on("AUTH", refusal); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            Reply r = c.auth("LOGIN", Credentials.password("guyt@contoso.example", () -> PASSWORD));
            assertThat(r.code()).isEqualTo(550);
            SmtpException e = SmtpException.unexpected(SmtpStage.AUTH, "AUTH LOGIN", r, c.server());
            assertThat(e.kind()).isEqualTo(Kind.AUTH);
            assertThat(e.getMessage()).isEqualTo("AUTH LOGIN refused\n    " + server(s) + " replied: " + refusal
                    + "\n    the server has retired Basic authentication (a user name and password) for SMTP AUTH,"
                    + " so no password will work: use OAuth 2.0 (AUTH XOAUTH2) instead");
            assertThat(e.hint()).isEqualTo(SmtpException.Hint.BASIC_AUTH_RETIRED);
            assertThat(e.getMessage()).doesNotContain(PASSWORD);
        }
    }

    @ParameterizedTest
    @DisplayName("AUTH-05: any 5.7.x refusal at AUTH is an AUTH failure (exit 77), without the Basic-auth advice")
    @ValueSource(strings = {"550 5.7.1 Client does not have permissions", "554 5.7.0 Too many failed attempts",
        "535 5.7.8 Authentication credentials invalid"})
    void securityRefusalsAtAuthAreAuthFailures(String refusal) {
        Reply r = Reply.of(Integer.parseInt(refusal.substring(0, 3)), List.of(refusal));
        SmtpException e = SmtpException.unexpected(SmtpStage.AUTH, "AUTH PLAIN", r, "mail.example:587");
        assertThat(e.kind()).isEqualTo(Kind.AUTH);
        assertThat(e.getMessage()).isEqualTo("AUTH PLAIN refused\n    mail.example:587 replied: " + refusal);
        assertThat(SmtpException.unexpected(SmtpStage.MAIL, "MAIL FROM:<a@b>", r, "mail.example:587").kind())
                .isEqualTo(Kind.PERMANENT);
    }

    private static Credentials credentialsFor(String mechanism) {
        return mechanism.contains("OAUTH") ? Credentials.token("guyt", () -> TOKEN)
                : Credentials.password("guyt", () -> PASSWORD);
    }

    /** Every form of the secret a server could quote back: the raw secrets, their base64, each secret line sent. */
    private static List<String> secretForms(ScriptedAuth auth) {
        List<String> forms = new ArrayList<>(List.of(PASSWORD, TOKEN, b64(PASSWORD), b64(TOKEN),
                b64(PASSWORD).replace("=", ""), b64("\0guyt\0" + PASSWORD)));
        for (String line : auth.clientLines()) {
            String[] p = line.split(" ");
            String value = p[0].equals("AUTH") ? (p.length > 2 ? p[2] : "") : line;
            if (value.length() >= 4 && !value.equals(b64("guyt"))) {
                forms.add(value);
            }
        }
        return forms;
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("issue 13.17: secretQuotedBackByTheServerIsMaskedInTheReplyTheErrorAndTheTranscript")
    @ValueSource(strings = {"LOGIN", "PLAIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "XOAUTH2", "OAUTHBEARER"})
    void secretQuotedBackByTheServerIsMaskedInTheReplyTheErrorAndTheTranscript(String mechanism) throws Exception {
        ScriptedAuth auth;
        SmtpException error;
        Reply reply;
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            auth = ScriptedAuth.on(s, "guyt", PASSWORD, 1).quotingTheSecretBack();
            c.open(s.host(), s.port(), "client.test");
            reply = c.auth(mechanism, credentialsFor(mechanism));
            assertThat(reply.code()).isEqualTo(535);
            error = SmtpException.unexpected(SmtpStage.AUTH, "AUTH " + c.authMechanism(), reply, c.server());
        }
        List<String> forms = secretForms(auth);
        assertThat(auth.clientLines()).as("the server did quote what it got").isNotEmpty();
        String replyText = String.join("\n", reply.lines());
        String t = transcript.text();
        for (String f : forms) {
            assertThat(replyText).as("the reply must not hold %s", f).doesNotContain(f);
            assertThat(error.getMessage()).as("the error must not hold %s", f).doesNotContain(f);
            assertThat(t).as("the transcript must not hold %s", f).doesNotContain(f);
        }
        assertThat(replyText).startsWith("535-5.7.8 authentication failed for [").contains("********");
        assertThat(error.getMessage()).contains("authentication failed for [");
        assertThat(t).contains("<** 535-5.7.8 authentication failed for [");
    }

    @Test
    @DisplayName("issue 13.17: a quoted-back secret shows in the transcript with --show-secrets, never in the reply")
    void quotedBackSecretShowsOnlyInATranscriptThatAskedForSecrets() throws Exception {
        TranscriptRecorder shown = new TranscriptRecorder(true);
        Reply reply;
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(FAST, shown)) {
            ScriptedAuth.on(s, "guyt", PASSWORD, 1).quotingTheSecretBack();
            c.open(s.host(), s.port(), "client.test");
            reply = c.auth("PLAIN", Credentials.password("guyt", () -> PASSWORD));
        }
        assertThat(shown.text()).contains("<** 535-5.7.8 authentication failed for [AUTH PLAIN "
                + b64("\0guyt\0" + PASSWORD) + "]").contains("decoded [ guyt " + PASSWORD + "]");
        assertThat(reply.lines()).containsExactly("535-5.7.8 authentication failed for [AUTH PLAIN ********]",
                "535 5.7.8 decoded [ guyt ********]");
    }

    @Test
    @DisplayName("issue 13.17: raw AUTH secrets quoted back are masked too")
    void rawAuthSecretQuotedBackIsMasked() throws Exception {
        Reply reply;
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            ScriptedAuth.on(s, "guyt", PASSWORD, 1).quotingTheSecretBack();
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.raw("AUTH LOGIN").code()).isEqualTo(334);
            assertThat(c.raw(b64("guyt")).code()).isEqualTo(334);
            reply = c.raw(b64(PASSWORD));
            assertThat(c.isAuthenticated()).isFalse();
        }
        assertThat(reply.lines()).containsExactly("535-5.7.8 authentication failed for [********]",
                "535 5.7.8 decoded [********]");
        assertThat(transcript.text()).doesNotContain(PASSWORD).doesNotContain(b64(PASSWORD));
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("issue 13.11: onlyA235IsAnAuthSuccess: smtp-sink's 250 to AUTH is a protocol violation")
    @ValueSource(strings = {"LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER", "auto"})
    void a250ToAuthIsAProtocolViolationNotASuccess(String mechanism) throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER")
                .on("AUTH", "250 2.0.0 Ok");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            String used = mechanism.equals("auto") ? "CRAM-MD5" : mechanism;
            String shown = List.of("PLAIN", "XOAUTH2", "OAUTHBEARER").contains(used) ? "AUTH " + used + " ********"
                    : "AUTH " + used;
            assertThatThrownBy(() -> c.auth(mechanism, credentialsFor(mechanism)))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                        assertThat(e.getMessage()).isEqualTo(shown + " failed: reply out of step\n    " + server(s)
                                + " replied: 250 2.0.0 Ok\n    " + server(s) + " broke the protocol: a 250 reply"
                                + " cannot answer AUTH: only 235 means the credentials were accepted (RFC 4954 4),"
                                + " so this session is not authenticated");
                    });
            assertThat(c.isAuthenticated()).isFalse();
            assertThat(c.authMechanism()).isEqualTo(used);
        }
        assertThat(transcript.text()).contains("<** 250 2.0.0 Ok");
    }

    @Test
    @DisplayName("issue 13.11: a 250 after LOGIN's password is no login either")
    void a250AfterTheLoginPasswordIsNoLogin() throws Exception {
        try (FaultServer s = FaultServer.start().on(AUTHLINE, "334 UGFzc3dvcmQ6", "250 2.0.0 Ok");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.authenticate("LOGIN", Credentials.password("guyt", () -> PASSWORD)))
                    .isInstanceOf(SmtpProtocolException.class).hasMessageContaining("a 250 reply cannot answer AUTH");
            assertThat(c.isAuthenticated()).isFalse();
        }
    }

    @Test
    @DisplayName("issue 13.11: raw AUTH answered 250 does not count as logged in")
    void rawAuthAnsweredWith250IsNotALogin() throws Exception {
        try (FaultServer s = FaultServer.start().on("AUTH", "250 2.0.0 Ok", "235 2.7.0 Accepted");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.raw("AUTH PLAIN " + b64("\0guyt\0" + PASSWORD)).code()).isEqualTo(250);
            assertThat(c.isAuthenticated()).isFalse();
            assertThat(c.raw("AUTH PLAIN " + b64("\0guyt\0" + PASSWORD)).code()).isEqualTo(235);
            assertThat(c.isAuthenticated()).isTrue();
        }
    }

    @Test
    @DisplayName("issue 13.11: authenticate names the mechanism auto chose, never AUTO")
    void authenticateNamesTheMechanismAutoChose() throws Exception {
        try (FaultServer s = FaultServer.start().on(AUTHLINE, "535 5.7.8 Authentication credentials invalid");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.authenticate("auto", Credentials.password("guyt", () -> PASSWORD)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.AUTH);
                        assertThat(e.getMessage()).isEqualTo("AUTH CRAM-MD5 refused\n    " + server(s)
                                + " replied: 535 5.7.8 Authentication credentials invalid");
                    });
            assertThat(c.authMechanism()).isEqualTo("CRAM-MD5");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"DIGEST-MD5", "NTLM"})
    void jdkMechanismsCompleteAndEveryAnswerIsMasked(String mechanism) throws Exception {
        TranscriptRecorder transcript = new TranscriptRecorder();
        try (FaultServer s = FaultServer.start();
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)), transcript)) {
            ScriptedAuth auth = ScriptedAuth.on(s, "guyt", SASL_PASSWORD, 0);
            c.open(s.host(), s.port(), "client.test");
            // DIGEST-MD5 used to end in a NullPointerException: the JDK's client answers rspauth with null.
            assertThat(c.auth(mechanism, Credentials.password("guyt", () -> SASL_PASSWORD)).code()).isEqualTo(235);
            assertThat(c.isAuthenticated()).isTrue();
            c.quit();
            assertThat(auth.clientLines()).hasSizeGreaterThanOrEqualTo(2);
        }
        assertThat(transcript.text()).contains(" -> ********\n").doesNotContain(SASL_PASSWORD)
                .contains("<-  235 2.7.0 Authentication successful");
    }
}
