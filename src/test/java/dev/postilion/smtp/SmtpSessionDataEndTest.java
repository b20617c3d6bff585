package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.DOT;
import static dev.postilion.testing.FaultServer.raw;
import static dev.postilion.testing.FaultServer.reset;
import static dev.postilion.testing.FaultServer.stall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The end of a message: a slow reply to the final dot within its (long) limit is a delivery, and
 * a refusal that arrives while the message still streams stops the final dot.
 */
@Timeout(60)
class SmtpSessionDataEndTest {

    private static final Envelope ONE = Envelope.of("a@x.test", List.of("b@y.test"));
    /** Short next to the slow dot below, long enough that a loaded machine never trips it. */
    private static final Duration SHORT = Duration.ofSeconds(2);
    /** Every stage 2 s, except the reply to the final dot: 30 s. */
    private static final Timeouts SLOW_END = new Timeouts(SHORT, SHORT, SHORT, SHORT, SHORT, SHORT, SHORT,
            Duration.ofSeconds(30), SHORT);

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    // ------------------------------------------------------------------ DLV-09

    @Test
    @DisplayName("DLV-09: the reply to the final dot gets at least 10 minutes by default (RFC 5321 4.5.3.2.6)")
    void theFinalDotGetsTenMinutesByDefault() {
        assertThat(Timeouts.RFC_5321.forStage(SmtpStage.DATA_END)).isGreaterThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(SessionOptions.DEFAULT.timeouts().forStage(SmtpStage.DATA_END))
                .isGreaterThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(SessionOptions.DEFAULT.timeouts().forStage(SmtpStage.DATA_END))
                .isGreaterThan(SessionOptions.DEFAULT.timeouts().forStage(SmtpStage.MAIL));
    }

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("DLV-09: a 250 to the dot that comes long after every other limit, but within its own, is a delivery")
    void aSlowReplyToTheFinalDotWithinItsLimitIsADelivery(boolean pipelining) throws Exception {
        Duration slow = SHORT.multipliedBy(2);
        try (FaultServer s = FaultServer.start().on(DOT, slowly(slow, "250 2.0.0 queued at last"));
             SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeouts(SLOW_END)
                     .withPipelining(pipelining), transcript)) {
            c.open(s.host(), s.port(), "client.test");
            long t0 = System.nanoTime();
            SendResult r = c.send(ONE, MessageContent.of("hello\r\n"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(slow);
            assertThat(r.delivered()).isTrue();
            assertThat(r.end().text()).isEqualTo("2.0.0 queued at last");
            assertThat(c.isOpen()).isTrue();
            c.quit();
        }
    }

    /** Replies after {@code pause}: a server busy with the message (smtp-sink -W .:540, scaled down). */
    private static FaultServer.Action slowly(Duration pause, String reply) {
        return (s, x, line) -> {
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            x.reply(reply);
            return true;
        };
    }

    // ------------------------------------------------------------------ DLV-11

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("DLV-11: a 550 right after 354 (smtp-sink -A 0): no final dot, the 550 is the outcome, the connection closes")
    void aRefusalWhileTheMessageStreamsStopsTheFinalDot(boolean pipelining) throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(SessionOptions.DEFAULT
                .withTimeout(Duration.ofSeconds(5)).withPipelining(pipelining), transcript)) {
            s.on("DATA", raw("354 go ahead\r\n550 5.7.1 transaction aborted\r\n").then(stall()));
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(ONE, MessageContent.of("Subject: t\r\n\r\nhello\r\n"));

            assertThat(r.data().code()).isEqualTo(354);
            assertThat(r.end().code()).isEqualTo(550);
            assertThat(r.delivered()).isFalse();
            assertThat(r.decisive().isPermanentNegative()).isTrue();
            assertThat(c.isOpen()).isFalse();
            assertThat(c.inTransaction()).isFalse();
            s.awaitDisconnect();
            assertThat(s.receivedText()).doesNotContain("\r\n.\r\n");
            assertThat(s.messages()).isEmpty();
        }
        assertThat(transcript.text()).contains("<** 550 5.7.1 transaction aborted")
                .contains("=== The server replied before the end of the message; the final dot was not sent and the"
                        + " connection is closed");
    }

    @Test
    @DisplayName("DLV-11: the same for a large message the server stops reading: the 550 waiting after a failed write is the outcome")
    void aRefusalThenAResetWhileALargeMessageStreamsIsTheOutcome() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = new SmtpSession(SessionOptions.DEFAULT
                .withTimeout(Duration.ofSeconds(5)), transcript)) {
            s.on("DATA", raw("354 go ahead\r\n550 5.3.4 message too big for me\r\n").then(reset()));
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(ONE, new SmtpSessionFaultTest.Repeated(16 * 1024 * 1024));

            assertThat(r.end().code()).isEqualTo(550);
            assertThat(r.delivered()).isFalse();
            assertThat(c.isOpen()).isFalse();
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("DLV-11: the data verb returns the early refusal as the message's reply")
    void theDataVerbReturnsTheEarlyRefusal() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = new SmtpSession(SessionOptions.DEFAULT
                .withTimeout(Duration.ofSeconds(5)), transcript)) {
            s.on("DATA", raw("354 go ahead\r\n554 5.6.0 content rejected\r\n").then(stall()));
            c.open(s.host(), s.port(), "client.test");
            c.mail("a@x.test", MailOptions.NONE);
            c.rcpt("b@y.test", RcptOptions.NONE);
            Reply r = c.data(MessageContent.of("hello\r\n"));
            assertThat(r.code()).isEqualTo(554);
            assertThat(c.isOpen()).isFalse();
            assertThat(c.inTransaction()).isFalse();
            s.awaitDisconnect();
            assertThat(s.receivedText()).doesNotContain("\r\n.\r\n");
        }
    }

    @Test
    @DisplayName("DLV-11: a 2xx arriving while the message streams answers nothing: a protocol error, and no final dot")
    void aPositiveReplyWhileTheMessageStreamsIsAProtocolError() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = new SmtpSession(SessionOptions.DEFAULT
                .withTimeout(Duration.ofSeconds(5)), transcript)) {
            s.on("DATA", raw("354 go ahead\r\n250 2.0.0 queued already?\r\n").then(stall()));
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ONE, MessageContent.of("hello\r\n")))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA);
                        assertThat(e.getMessage()).contains("the final dot was not sent, so the message was not"
                                + " delivered");
                    });
            s.awaitDisconnect();
            assertThat(s.receivedText()).doesNotContain("\r\n.\r\n");
        }
    }

    @Test
    @DisplayName("DLV-11 with sendAhead: the early refusal ends that message at once; nothing is left pending")
    void sendAheadReportsTheEarlyRefusalAtOnce() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(SessionOptions.DEFAULT
                .withTimeout(Duration.ofSeconds(5)), transcript)) {
            s.on("DATA", raw("354 go ahead\r\n550 5.7.1 transaction aborted\r\n").then(stall()));
            c.open(s.host(), s.port(), "client.test");
            List<Integer> ends = new ArrayList<>();
            c.sendAhead(ONE, MessageContent.of("hello\r\n"), null, new TransactionListener() {
                @Override
                public void ended(SendResult result) {
                    ends.add(result.end().code());
                }

                @Override
                public void lost(SmtpException e) {
                    ends.add(-1);
                }
            });
            assertThat(ends).containsExactly(550);
            assertThat(c.hasPending()).isFalse();
            assertThat(c.isOpen()).isFalse();
        }
    }
}
