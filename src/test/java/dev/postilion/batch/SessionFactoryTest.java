package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch's connections and their credentials: an access token that expires during the batch is
 * read afresh once and AUTH tried once more (AUTH-07); a refusal that no token can fix stops the
 * batch at once (AUTH-04, AUTH-05).
 */
@Timeout(30)
class SessionFactoryTest {

    /** The token the server takes; every other is refused like an expired one. */
    private volatile String valid = "token-1";
    /** Every token the server was offered, in order. */
    private final List<String> offered = new CopyOnWriteArrayList<>();

    /** XOAUTH2 (RFC 7628 style): the token is checked; a refused one gets the error challenge, then 535. */
    private FaultServer server() throws Exception {
        FaultServer s = FaultServer.start().capabilities("PIPELINING", "AUTH XOAUTH2", "ENHANCEDSTATUSCODES");
        s.always("AUTH", (srv, x, line) -> {
            String decoded = new String(Base64.getDecoder().decode(line.split(" ")[2]), StandardCharsets.UTF_8);
            String token = decoded.replaceAll("(?s).*auth=Bearer ([^\u0001]*).*", "$1");
            offered.add(token);
            x.reply(token.equals(valid) ? "235 2.7.0 Authentication successful"
                    : "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==");
            return true;
        });
        s.always(FaultServer.AUTHLINE, FaultServer.reply("535 5.7.8 Username and Password not accepted"));
        return s;
    }

    @Test
    @DisplayName("issue 13.11: a batch connection answered 250 to AUTH is not logged in: a protocol error")
    void aBatchConnectionAnswered250ToAuthIsAProtocolError() throws Exception {
        try (FaultServer s = FaultServer.start().always("AUTH", FaultServer.reply("250 2.0.0 Ok"))) {
            SessionFactory sessions = SessionFactory.connecting("127.0.0.1", s.port(), "client.test",
                    SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)), "auto",
                    Credentials.password("guyt", () -> "pw-1234"));
            org.assertj.core.api.Assertions.assertThatThrownBy(sessions::open)
                    .isInstanceOfSatisfying(dev.postilion.smtp.SmtpProtocolException.class, e ->
                            assertThat(e.getMessage()).startsWith("AUTH CRAM-MD5 failed: reply out of step"));
        }
    }

    private static List<Map<String, Object>> rows(int n) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            rows.add(Map.of("email", "r" + i + "@example.com"));
        }
        return rows;
    }

    private static BatchResult run(FaultServer s, int rows, Credentials first, Supplier<Credentials> renew) {
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", s.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)), "XOAUTH2", first, renew);
        BatchOptions o = BatchOptions.defaults().withConcurrency(1).withPerConnection(1);
        return new Batch(RowSource.of(rows(rows)), row -> new MessageSpec().from("sender@example.com")
                .to(row.text("email")).subject("hi").text("hello"), sessions, o).run();
    }

    /** Stands in for a token command: each call prints the next token. */
    private static final class TokenCommand implements Supplier<Credentials> {
        final AtomicInteger runs = new AtomicInteger(1);

        @Override
        public Credentials get() {
            String token = "token-" + runs.incrementAndGet();
            return Credentials.token("user@example.com", () -> token);
        }
    }

    @Test
    @DisplayName("AUTH-07: a token that expires mid-batch is read afresh once, AUTH is tried once more, and the batch goes on")
    void anExpiredTokenIsReadAfreshOnceAndTheBatchGoesOn() throws Exception {
        TokenCommand command = new TokenCommand();
        try (FaultServer s = server()) {
            s.always("MAIL", (srv, x, line) -> {
                if (s.messages().size() == 2) {
                    valid = "token-2";      // the first token expires after two messages
                }
                x.reply("250 2.1.0 Ok");
                return true;
            });
            BatchResult r = run(s, 5, Credentials.token("user@example.com", () -> "token-1"), command);

            assertThat(r.outcome()).as(r.stopReason()).isEqualTo(Outcome.SENT);
            assertThat(r.totals().sent()).isEqualTo(5);
            assertThat(s.messages()).hasSize(5);
            assertThat(command.runs.get()).as("token command runs after the first").isEqualTo(2);
            // Connections 1-3 take token-1 (it expires during message 3); the 4th is refused, then the
            // same row goes out on a fresh connection with token-2, and so does the 5th.
            assertThat(offered).containsExactly("token-1", "token-1", "token-1", "token-1", "token-2", "token-2");
        }
    }

    @Test
    @DisplayName("AUTH-07: refused again with the fresh token: the batch stops, the command ran once more, no third AUTH")
    void aTokenRefusedAgainAfterRenewalStopsTheBatch() throws Exception {
        TokenCommand command = new TokenCommand();
        try (FaultServer s = server()) {
            s.always("MAIL", (srv, x, line) -> {
                valid = "revoked";          // the grant is gone: no token will do
                x.reply("250 2.1.0 Ok");
                return true;
            });
            BatchResult r = run(s, 5, Credentials.token("user@example.com", () -> "token-1"), command);

            assertThat(r.outcome()).isEqualTo(Outcome.AUTH_FAILED);
            assertThat(r.totals().sent()).isEqualTo(1);
            assertThat(command.runs.get()).isEqualTo(2);
            assertThat(offered).containsExactly("token-1", "token-1", "token-2");
            assertThat(r.stopReason()).contains("AUTH XOAUTH2 refused\n    127.0.0.1:" + s.port()
                    + " replied: 535 5.7.8 Username and Password not accepted")
                    .contains("refused again after the token was read afresh (its command ran again)")
                    .doesNotContain("token-1").doesNotContain("token-2");
        }
    }

    @Test
    @DisplayName("AUTH-04: without a way to renew them, refused credentials stop the batch at once")
    void refusedCredentialsThatCannotBeRenewedStopAtOnce() throws Exception {
        try (FaultServer s = server()) {
            valid = "something else";
            BatchResult r = run(s, 5, Credentials.token("user@example.com", () -> "token-1"), null);
            assertThat(r.outcome()).isEqualTo(Outcome.AUTH_FAILED);
            assertThat(offered).containsExactly("token-1");
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("AUTH-05: Basic authentication retired (550 5.7.30): the batch stops at once, nothing renewed or sent")
    void basicAuthRetiredStopsTheBatchAtOnce() throws Exception {
        TokenCommand command = new TokenCommand();
        try (FaultServer s = FaultServer.start()) {
            s.always("AUTH", FaultServer.reply("550 5.7.30 Basic authentication is not supported for Client Submission"));
            SessionFactory sessions = SessionFactory.connecting("127.0.0.1", s.port(), "client.test",
                    SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)), "LOGIN",
                    Credentials.password("user@example.com", () -> "pw"), command);
            BatchResult r = new Batch(RowSource.of(rows(20)), row -> new MessageSpec().from("sender@example.com")
                    .to(row.text("email")).text("hello"), sessions, BatchOptions.defaults().withConcurrency(4)).run();

            assertThat(r.outcome()).isEqualTo(Outcome.AUTH_FAILED);
            assertThat(r.stopReason()).contains("550 5.7.30").contains("retired Basic authentication")
                    .contains("AUTH XOAUTH2").contains("the batch stopped at once");
            assertThat(command.runs.get()).isEqualTo(1);
            assertThat(s.commands()).filteredOn(c -> c.startsWith("AUTH")).hasSizeBetween(1, 4);
            assertThat(s.commands()).noneMatch(c -> c.startsWith("MAIL"));
            assertThat(r.totals().sent()).isZero();
        }
    }
}
