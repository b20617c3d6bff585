package dev.postilion.smtp;

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

/**
 * Pipelining across messages (RFC 2920 3.1): {@code sendAhead} leaves the final dot's reply unread
 * and sends the next MAIL, RCPTs and DATA in the same flush, so a stream of messages costs one
 * round trip each. Every outcome still reaches its own message, in order, and a connection lost
 * after a dot puts exactly that message in doubt.
 */
@Timeout(60)
class PipelineSendAheadTest {

    /**
     * No case here waits for a limit to fire: generous, so that a loaded machine (the suite runs beside
     * others on 2 cores) cannot turn a slow reply into a spurious timeout.
     */
    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10));

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    /** Collects outcomes in the order they arrive. */
    private static final class Outcomes {
        final List<String> seen = new ArrayList<>();
        final List<SendResult> results = new ArrayList<>();
        final List<SmtpException> lost = new ArrayList<>();

        TransactionListener forMessage(String name) {
            return new TransactionListener() {
                @Override
                public void ended(SendResult result) {
                    seen.add(name + " " + (result.end() == null ? "-" : result.end().code()));
                    results.add(result);
                }

                @Override
                public void lost(SmtpException e) {
                    seen.add(name + " lost");
                    lost.add(e);
                }
            };
        }
    }

    private static Envelope to(String rcpt) {
        return Envelope.of("a@x.test", List.of(rcpt));
    }

    @Test
    @DisplayName("DLV-01 RFC 2920 3.1: the next MAIL, RCPT and DATA go out with the previous final dot, before its reply")
    void theNextTransactionGoesOutWithThePreviousFinalDot() throws Exception {
        // The server answers the dot only once the next DATA has arrived: a client that waited
        // for the dot's reply before writing MAIL would time out here.
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING").holdReplies(FaultServer.DOT, "DATA");
             SmtpSession c = new SmtpSession(FAST, transcript)) {
            c.open(s.host(), s.port(), "client.test");
            Outcomes o = new Outcomes();
            c.sendAhead(to("one@y.test"), MessageContent.of("Subject: 1\n\none\n"), null, o.forMessage("one"));
            assertThat(c.hasPending()).isTrue();
            assertThat(o.seen).as("the first dot's reply is not waited for").isEmpty();
            c.sendAhead(to("two@y.test"), MessageContent.of("Subject: 2\n\ntwo\n"), null, o.forMessage("two"));
            assertThat(o.seen).as("read with the second message's replies").containsExactly("one 250");
            c.completePending();
            assertThat(c.hasPending()).isFalse();
            assertThat(o.seen).containsExactly("one 250", "two 250");
            assertThat(o.results).allMatch(SendResult::delivered);
            assertThat(o.results.get(1).accepted()).containsExactly("two@y.test");
            c.quit();
            assertThat(s.messages()).hasSize(2);
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<one@y.test>",
                    "DATA", "MAIL FROM:<a@x.test>", "RCPT TO:<two@y.test>", "DATA", "QUIT");
        }
    }

    @Test
    @DisplayName("DLV-07 RFC 1047: the connection lost after a pipelined dot puts that message in doubt, and the next one fails unsent")
    void aConnectionLostAfterAPipelinedDotLeavesOnlyThatMessageInDoubt() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING").on(FaultServer.DOT, FaultServer.drop());
             SmtpSession c = new SmtpSession(FAST, transcript)) {
            c.open(s.host(), s.port(), "client.test");
            Outcomes o = new Outcomes();
            c.sendAhead(to("one@y.test"), MessageContent.of("one"), null, o.forMessage("one"));
            assertThatThrownBy(() -> c.sendAhead(to("two@y.test"), MessageContent.of("two"), null,
                    o.forMessage("two")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.stage()).isEqualTo(SmtpStage.MAIL);
                    });
            assertThat(o.seen).containsExactly("one lost");
            assertThat(o.lost.get(0).stage()).isEqualTo(SmtpStage.DATA_END);
            assertThat(o.lost.get(0).getMessage()).contains("may or may not have been delivered");
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    @DisplayName("DLV-05: a 421 to a pipelined dot ends that message and the next one fails unsent")
    void aClosingReplyToThePipelinedDotEndsTheSession() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING")
                .on(FaultServer.DOT, FaultServer.replyAndClose("421 4.3.2 shutting down"));
             SmtpSession c = new SmtpSession(FAST, transcript)) {
            c.open(s.host(), s.port(), "client.test");
            Outcomes o = new Outcomes();
            c.sendAhead(to("one@y.test"), MessageContent.of("one"), null, o.forMessage("one"));
            assertThatThrownBy(() -> c.sendAhead(to("two@y.test"), MessageContent.of("two"), null,
                    o.forMessage("two")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TEMPORARY));
            assertThat(o.seen).containsExactly("one 421");
            assertThat(o.results.get(0).delivered()).isFalse();
        }
    }

    @Test
    @DisplayName("closing with a dot unanswered reports that message lost (in doubt), never delivered")
    void closingWithAnUnansweredDotReportsItLost() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING");
             SmtpSession c = new SmtpSession(FAST, transcript)) {
            c.open(s.host(), s.port(), "client.test");
            Outcomes o = new Outcomes();
            c.sendAhead(to("one@y.test"), MessageContent.of("one"), null, o.forMessage("one"));
            c.close();
            assertThat(o.seen).containsExactly("one lost");
            assertThat(c.hasPending()).isFalse();
        }
    }

    @Test
    @DisplayName("any other command reads the pending reply first: QUIT after a pipelined message")
    void quitReadsThePendingReplyFirst() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING");
             SmtpSession c = new SmtpSession(FAST, transcript)) {
            c.open(s.host(), s.port(), "client.test");
            Outcomes o = new Outcomes();
            c.sendAhead(to("one@y.test"), MessageContent.of("one"), null, o.forMessage("one"));
            c.noop();
            assertThat(o.seen).containsExactly("one 250");
            c.sendAhead(to("two@y.test"), MessageContent.of("two"), null, o.forMessage("two"));
            c.quit();
            assertThat(o.seen).containsExactly("one 250", "two 250");
            assertThat(s.commands()).endsWith("NOOP", "MAIL FROM:<a@x.test>", "RCPT TO:<two@y.test>", "DATA", "QUIT");
        }
    }

    @Test
    @DisplayName("SMG-06: without PIPELINING, sendAhead ends each message before it returns")
    void withoutPipeliningEachMessageEndsBeforeSendAheadReturns() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities();
             SmtpSession c = new SmtpSession(FAST, transcript)) {
            c.open(s.host(), s.port(), "client.test");
            Outcomes o = new Outcomes();
            c.sendAhead(to("one@y.test"), MessageContent.of("one"), null, o.forMessage("one"));
            assertThat(o.seen).containsExactly("one 250");
            assertThat(c.hasPending()).isFalse();
            c.quit();
            assertThat(s.commandLog()).allMatch(cmd -> cmd.bufferedBehind() == 0);
        }
    }

    @Test
    @DisplayName("a refused transaction (no dot) ends at once, and the pending one before it still gets its reply")
    void aRefusedTransactionEndsAtOnceAfterThePendingOne() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING")
                .on("RCPT", "250 2.1.5 Ok", "550 5.1.1 no such user");
             SmtpSession c = new SmtpSession(FAST, transcript)) {
            c.open(s.host(), s.port(), "client.test");
            Outcomes o = new Outcomes();
            c.sendAhead(to("one@y.test"), MessageContent.of("one"), null, o.forMessage("one"));
            c.sendAhead(to("nobody@y.test"), MessageContent.of("two"), null, o.forMessage("two"));
            assertThat(o.seen).containsExactly("one 250", "two -");
            assertThat(o.results.get(1).refused()).extracting(r -> r.reply().code()).containsExactly(550);
            c.sendAhead(to("three@y.test"), MessageContent.of("three"), null, o.forMessage("three"));
            c.completePending();
            assertThat(o.seen).containsExactly("one 250", "two -", "three 250");
            // The refused one's DATA got a 354 from this server, so it was ended empty (RFC 2920 3.1).
            assertThat(s.messages()).filteredOn(m -> m.length > 0).hasSize(2);
        }
    }
}
