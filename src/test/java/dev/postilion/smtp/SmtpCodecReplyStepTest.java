package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.DOT;
import static dev.postilion.testing.FaultServer.raw;
import static dev.postilion.testing.FaultServer.reply;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replies are judged by their first digit (RFC 5321 4.2), and replies that no longer line up with
 * the commands (an extra reply, a class the command cannot get) end the connection as a protocol
 * error instead of being taken for the answer to something else (RFC 2920; Postfix smtp_chat.c on
 * a QUIT reply read as the end-of-data reply).
 */
@Timeout(30)
class SmtpCodecReplyStepTest {

    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(2));
    private static final Envelope TWO = Envelope.of("a@x.test", List.of("b@y.test", "c@y.test"));
    private static final Envelope ONE = Envelope.of("a@x.test", List.of("b@y.test"));

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session(boolean pipelining) {
        return new SmtpSession(FAST.withPipelining(pipelining), transcript);
    }

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    // ------------------------------------------------------------------ RPL-10

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("RPL-10: 299 to MAIL, 451 to RCPT and 399 to DATA are decided by their first digit")
    void unknownCodesAreDecidedByTheirFirstDigit(boolean pipelining) throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(pipelining)) {
            s.on("MAIL", "299 2.1.0 sender fine, in a way");
            s.on("RCPT", "250 2.1.5 ok", "451 4.3.0 try this one later");
            s.on("DATA", "399 send it");
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(TWO, MessageContent.of("Subject: t\r\n\r\nhello\r\n"));

            assertThat(r.mail().code()).isEqualTo(299);
            assertThat(r.recipients()).extracting(rr -> rr.reply().code()).containsExactly(250, 451);
            assertThat(r.recipients().get(1).reply().isTransientNegative()).isTrue();
            assertThat(r.data().code()).isEqualTo(399);
            assertThat(r.end().code()).isEqualTo(250);
            assertThat(r.delivered()).isTrue();
            assertThat(s.messages()).hasSize(1);
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    @DisplayName("RPL-10: the data verb goes on after a 399 as after a 354")
    void dataVerbGoesOnAfterAnyIntermediateReply() throws Exception {
        try (FaultServer s = FaultServer.start().on("DATA", "399 go on"); SmtpSession c = session(false)) {
            c.open(s.host(), s.port(), "client.test");
            c.mail("a@x.test", MailOptions.NONE);
            c.rcpt("b@y.test", RcptOptions.NONE);
            assertThat(c.data(MessageContent.of("hello\r\n")).code()).isEqualTo(250);
            assertThat(s.messages()).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0} answered {1}")
    @DisplayName("RPL-10: a 3xx where no more input can follow is a protocol error that ends the connection")
    @CsvSource(textBlock = """
            EHLO | 354 go ahead  | EHLO client.test
            MAIL | 334 VXNlcg==  | MAIL FROM:<a@x.test>
            RCPT | 354 go ahead  | RCPT TO:<b@y.test>
            """, delimiter = '|')
    void intermediateReplyWhereNothingCanFollowIsAProtocolError(String verb, String reply, String command)
            throws Exception {
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session(false)) {
            s.on(verb, reply);
            assertThatThrownBy(() -> {
                c.open(s.host(), s.port(), "client.test");
                c.send(ONE, MessageContent.of("hello\r\n"));
            }).isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                assertThat(e.reply().code()).isEqualTo(Integer.parseInt(reply.substring(0, 3)));
                assertThat(e.getMessage()).isEqualTo(command + " failed: reply out of step\n    " + server(s)
                        + " replied: " + reply + "\n    " + server(s) + " broke the protocol: a "
                        + reply.substring(0, 3) + " (intermediate) reply cannot answer "
                        + (verb.equals("MAIL") ? "MAIL FROM" : verb.equals("RCPT") ? "RCPT TO" : verb)
                        + ", which takes no more input; its replies are out of step with the commands");
            });
            assertThat(c.isOpen()).isFalse();
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("RPL-10: a 3xx after the final dot is a protocol error, and the message is in doubt")
    void intermediateReplyAfterTheFinalDotIsInDoubt() throws Exception {
        try (FaultServer s = FaultServer.start().on(DOT, "354 more please"); SmtpSession c = session(true)) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ONE, MessageContent.of("hello\r\n")))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA_END);
                        assertThat(e.getMessage()).endsWith("; the message may or may not have been delivered");
                    });
            assertThat(c.isOpen()).isFalse();
        }
    }

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("RPL-14: DATA answered 250 instead of 354 is a protocol error; the body is never sent")
    void positiveReplyToDataIsAProtocolErrorAndNoBodyIsSent(boolean pipelining) throws Exception {
        try (FaultServer s = FaultServer.start().on("DATA", "250 2.0.0 sure"); SmtpSession c = session(pipelining)) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ONE, MessageContent.of("secret body\r\n")))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA);
                        assertThat(e.getMessage()).contains("broke the protocol: a 250 reply to DATA, which must be"
                                + " answered 354 before the message");
                    });
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.receivedText()).doesNotContain("secret body");
        }
    }

    // ------------------------------------------------------------------ RPL-12

    @Test
    @DisplayName("RPL-12: an extra reply in lock step is never taken for the next command's answer")
    void anExtraReplyIsNeverTakenForTheNextCommandsAnswer() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session(false)) {
            s.on("MAIL", reply("250 2.1.0 ok", "250 2.1.5 a reply nobody asked for"));
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ONE, MessageContent.of("hello\r\n")))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                        assertThat(e.stage()).isEqualTo(SmtpStage.RCPT);
                        assertThat(e.getMessage()).isEqualTo("RCPT TO:<b@y.test> failed: reply out of step\n    "
                                + server(s) + " replied: 250 2.1.5 a reply nobody asked for\n    " + server(s)
                                + " broke the protocol: this reply came before RCPT TO:<b@y.test> was sent, answering"
                                + " nothing; its replies are out of step with the commands, so the connection was"
                                + " dropped and is not used again");
                    });
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>");
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("RPL-12: an extra reply after a pipelined dot shifts the next group's replies: caught, nothing more sent")
    void anExtraReplyWhilePipeliningStopsTheNextMessageBeforeItsBody() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(true)) {
            s.on(DOT, reply("250 2.0.0 queued as A", "250 2.0.0 queued as A again"));
            c.open(s.host(), s.port(), "client.test");
            List<String> outcomes = new ArrayList<>();
            TransactionListener record = new TransactionListener() {
                @Override
                public void ended(SendResult result) {
                    outcomes.add("ended " + result.end().code());
                }

                @Override
                public void lost(SmtpException failure) {
                    outcomes.add("lost " + failure.getMessage());
                }
            };
            c.sendAhead(ONE, MessageContent.of("first\r\n"), null, record);
            assertThatThrownBy(() -> c.sendAhead(ONE, MessageContent.of("second\r\n"), null, record))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                        assertThat(e.getMessage()).contains("out of step with the commands");
                    });
            assertThat(outcomes).containsExactly("ended 250");
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.messages()).hasSize(1);
            assertThat(new String(s.messages().get(0))).isEqualTo("first\r\n");
            assertThat(s.receivedText()).doesNotContain("second");
        }
    }

    @Test
    @DisplayName("RPL-12: an extra reply after the dot is never read as QUIT's: QUIT is not even sent")
    void anExtraReplyAfterTheDotIsNeverTakenForQuitsReply() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(true)) {
            s.on(DOT, reply("250 2.0.0 queued as A", "221 2.0.0 and goodbye, unasked"));
            c.open(s.host(), s.port(), "client.test");
            List<Integer> ends = new ArrayList<>();
            c.sendAhead(ONE, MessageContent.of("first\r\n"), null, new TransactionListener() {
                @Override
                public void ended(SendResult result) {
                    ends.add(result.end().code());
                }

                @Override
                public void lost(SmtpException failure) {
                    ends.add(-1);
                }
            });
            assertThatThrownBy(c::quit).isInstanceOfSatisfying(SmtpProtocolException.class,
                    e -> assertThat(e.getMessage()).startsWith("QUIT failed: reply out of step\n    " + server(s)
                            + " replied: 221 2.0.0 and goodbye, unasked"));
            assertThat(ends).containsExactly(250);
            s.awaitDisconnect();
            assertThat(s.commands()).doesNotContain("QUIT");
        }
    }

    @Test
    @DisplayName("RPL-12: garbage then a 2xx after a pipelined dot: the message is in doubt, never delivered, and QUIT never answers it")
    void garbageThenAPositiveReplyAfterTheDotIsInDoubt() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session(true)) {
            s.on(DOT, raw("garbage\r\n250 2.0.0 queued\r\n"));
            c.open(s.host(), s.port(), "client.test");
            List<String> outcomes = new ArrayList<>();
            c.sendAhead(ONE, MessageContent.of("first\r\n"), null, new TransactionListener() {
                @Override
                public void ended(SendResult result) {
                    outcomes.add("ended " + result.end().code());
                }

                @Override
                public void lost(SmtpException failure) {
                    outcomes.add(failure.stage() + " " + failure.getMessage());
                }
            });
            assertThat(c.quit()).isNull();
            assertThat(outcomes).singleElement().asString().startsWith("DATA_END . failed: malformed reply")
                    .endsWith("the message may or may not have been delivered");
            s.awaitDisconnect();
            assertThat(s.commands()).doesNotContain("QUIT");
        }
    }

    @Test
    @DisplayName("DLV-04: a 421 waiting before a command is that command's answer; the connection closes")
    void aClosingReplyWaitingBeforeACommandIsItsAnswer() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session(false)) {
            s.on("MAIL", reply("250 2.1.0 ok", "421 4.3.2 shutting down now"));
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.mail("a@x.test", MailOptions.NONE).code()).isEqualTo(250);
            Reply r = c.rcpt("b@y.test", RcptOptions.NONE);
            assertThat(r.code()).isEqualTo(421);
            assertThat(c.isOpen()).isFalse();
            s.awaitDisconnect();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>");
        }
    }
}
