package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.DOT;
import static dev.postilion.testing.FaultServer.raw;
import static dev.postilion.testing.FaultServer.reply;
import static dev.postilion.testing.FaultServer.reset;
import static dev.postilion.testing.FaultServer.stall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The end of a message: a slow reply to the final dot within its (long) limit is a delivery, and
 * a refusal that arrives while the message still streams stops the final dot; BDAT chunks, a connection
 * lost mid-message, and the one terminator.
 */
@Timeout(60)
class DataWriterTest {

    private static final Envelope ONE = Envelope.of("a@x.test", List.of("b@y.test"));
    /** Short next to the slow dot below, long enough that a loaded machine never trips it. */
    private static final Duration SHORT = Duration.ofSeconds(2);
    /** Every stage 2 s, except the reply to the final dot: 30 s. */
    private static final Timeouts SLOW_END = new Timeouts(SHORT, SHORT, SHORT, SHORT, SHORT, SHORT, SHORT,
            Duration.ofSeconds(30), SHORT);

    /** For the cases that wait for no limit: generous, so that a loaded machine never trips one. */
    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10));
    private static final Envelope ENVELOPE = ONE;

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session() {
        return new SmtpSession(FAST, transcript);
    }

    private static String text(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

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
            SendResult r = c.send(ONE, new SmtpCodecFaultTest.Repeated(16 * 1024 * 1024));

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

    @Test
    @DisplayName("NET-08: the connection is reset while the message is sent: the dot is never sent")
    void dropInTheMiddleOfDataNeverSendsTheTerminator() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session()) {
            s.on("DATA", reply("354 go ahead").then(reset()));
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ENVELOPE, new SmtpCodecFaultTest.Repeated(8 * 1024 * 1024)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA);
                        assertThat(e.getMessage()).startsWith("DATA failed: no reply (connection lost while sending: ")
                                .endsWith("; the final dot was not sent, so the message was not delivered)");
                    });
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("RPL-14: DATA refused with 554: the body is not sent")
    void dataRefusedWith554SendsNoBodyAndResets() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities().on("DATA", "554 5.5.1 no valid recipients");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(ENVELOPE, MessageContent.of("secret body"));
            assertThat(r.data().code()).isEqualTo(554);
            assertThat(r.decisive().code()).isEqualTo(554);
            assertThat(r.end()).isNull();
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                    "DATA", "RSET", "QUIT");
            assertThat(s.receivedText()).doesNotContain("secret body");
        }
    }

    @Test
    @DisplayName("RFC 3030: BDAT chunks when CHUNKING is offered and chunking is on; DATA otherwise")
    void chunkingUsesBdatWhenOfferedAndAsked() throws Exception {
        byte[] big = new byte[(1 << 20) + 10];
        java.util.Arrays.fill(big, (byte) 'x');
        try (FaultServer s = FaultServer.start().capabilities("CHUNKING", "PIPELINING");
             SmtpSession c = new SmtpSession(FAST.withChunking(true), transcript)) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of(".dot\nline"));
            assertThat(r.delivered()).isTrue();
            assertThat(r.data()).isNull();
            assertThat(c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of(big)).delivered()).isTrue();
            c.quit();
            assertThat(s.commands()).contains("BDAT 12 LAST", "BDAT 1048576", "BDAT 12 LAST").doesNotContain("DATA");
            assertThat(s.messages()).hasSize(2);
            assertThat(text(s.messages().get(0))).isEqualTo(".dot\r\nline\r\n");
            assertThat(s.messages().get(1)).hasSize(big.length + 2);
        }
        try (FaultServer s = FaultServer.start().capabilities("CHUNKING"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("x"));
            assertThat(s.commands()).contains("DATA").noneMatch(l -> l.startsWith("BDAT"));
        }
    }

    @Test
    @DisplayName("BDAT refused mid-way: the refusal comes back")
    void aBdatRefusedMidWayComesBackAsTheOutcome() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("CHUNKING").on("BDAT", "552 5.3.4 message too big");
             SmtpSession c = new SmtpSession(FAST.withChunking(true), transcript)) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("x"));
            assertThat(r.delivered()).isFalse();
            assertThat(r.end().code()).isEqualTo(552);
            assertThat(c.inTransaction()).isFalse();
        }
    }

    @Test
    @DisplayName("SMG-01 finalDotIsAlwaysCrlfDotCrlf: every smuggling variant, end to end")
    void finalDotIsAlwaysCrlfDotCrlf() throws Exception {
        String body = "a\n.\nb\r.\rc\r.\nd\n.\re\n.\r\nf\r\n.\ng\r.\r\nh\r\n.\ri\r\n\0.\r\nj";
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of(body)).delivered()).isTrue();
            c.quit();
            assertThat(text(s.messages().get(0))).isEqualTo(
                    "a\r\n..\r\nb\r\n..\r\nc\r\n..\r\nd\r\n..\r\ne\r\n..\r\nf\r\n..\r\ng\r\n..\r\nh\r\n..\r\ni\r\n..\r\nj\r\n");
            String wire = s.receivedText();
            assertThat(wire.indexOf("\r\n.\r\n")).isEqualTo(wire.lastIndexOf("\r\n.\r\n"));
            assertThat(wire).endsWith("j\r\n.\r\nQUIT\r\n").doesNotContain("\0");
        }
    }

    @Test
    @DisplayName("SMG-02 bareLfNeverReachesTheWire")
    void bareLfNeverReachesTheWire() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("Subject: x\n\nline\nline\rline"));
            c.quit();
            String wire = s.receivedText();
            assertThat(wire.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
        }
    }
}
