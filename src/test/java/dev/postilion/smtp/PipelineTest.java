package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Transactions: pipelining, per-recipient results, SIZE, 8BITMIME, SMTPUTF8 and DSN (the lines themselves: CommandsTest). */
@Timeout(60)
class PipelineTest {

    /**
     * No case here waits for a limit to fire: generous, so that a loaded machine (the suite runs beside
     * others on 2 cores) cannot turn a slow reply into a spurious timeout.
     */
    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(10));

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session() {
        return new SmtpSession(FAST, transcript);
    }

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    @DisplayName("DLV-01 RFC 2920: MAIL, every RCPT and DATA go out before any reply; per-recipient results")
    void pipeliningWritesMailRcptAndDataTogetherAndKeepsPerRecipientReplies() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING").holdReplies("MAIL", "DATA")
                .on("RCPT", "250 2.1.5 Ok", "550 5.1.1 <nobody@y.test>: Recipient address rejected",
                        "451 4.7.1 greylisted, try again later");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test", "nobody@y.test", "c@y.test")),
                    MessageContent.of("Subject: x\n\nhi\n"));
            assertThat(r.delivered()).isTrue();
            assertThat(r.mail().code()).isEqualTo(250);
            assertThat(r.accepted()).containsExactly("b@y.test");
            assertThat(r.refused()).extracting(rr -> rr.address() + " " + rr.reply().code())
                    .containsExactly("nobody@y.test 550", "c@y.test 451");
            assertThat(r.data().code()).isEqualTo(354);
            assertThat(r.end().lines()).containsExactly("250 2.0.0 Ok: queued as FAULT1");
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>",
                    "RCPT TO:<b@y.test>", "RCPT TO:<nobody@y.test>", "RCPT TO:<c@y.test>", "DATA", "QUIT");
            assertThat(s.messages()).extracting(PipelineTest::text)
                    .containsExactly("Subject: x\r\n\r\nhi\r\n");
        }
    }

    @Test
    @DisplayName("SMG-06: no pipelining when it is not offered (or switched off): each command waits for its reply")
    void eachCommandWaitsForItsReplyWithoutPipelining() throws Exception {
        for (boolean offered : List.of(false, true)) {
            try (FaultServer s = offered ? FaultServer.start().capabilities("PIPELINING") : FaultServer.start().capabilities();
                 SmtpSession c = new SmtpSession(FAST.withPipelining(!offered), transcript)) {
                c.open(s.host(), s.port(), "client.test");
                for (int i = 0; i < 2; i++) {
                    assertThat(c.send(Envelope.of("a@x.test", List.of("b@y.test", "c@y.test")), MessageContent.of("hi"))
                            .delivered()).isTrue();
                }
                c.quit();
                assertThat(s.commandLog()).as("nothing was sent ahead of a reply").allMatch(cmd -> cmd.bufferedBehind() == 0
                        || cmd.verb().equals("DATA"));
                assertThat(s.commands()).filteredOn(l -> l.startsWith("MAIL")).hasSize(2);
            }
        }
    }

    @Test
    @DisplayName("DLV-02: every recipient refused while pipelining: DATA's 554 is read, no body, RSET")
    void allRecipientsRefusedWhilePipelining() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING")
                .on("RCPT", "550 5.1.1 no such user", "550 5.1.1 no such user")
                .on("DATA", "554 5.5.1 Error: no valid recipients");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test", "c@y.test")), MessageContent.of("body"));
            assertThat(r.delivered()).isFalse();
            assertThat(r.recipients()).hasSize(2);
            assertThat(r.data().code()).isEqualTo(554);
            assertThat(r.decisive().code()).isEqualTo(550);
            assertThat(c.inTransaction()).isFalse();
            assertThat(c.noop().code()).as("every pipelined reply was read").isEqualTo(250);
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                    "RCPT TO:<c@y.test>", "DATA", "RSET", "NOOP", "QUIT");
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("RFC 2920 3.1: DATA accepted though every recipient was refused: the empty message is ended")
    void dataAcceptedWithNoRecipients() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING").on("RCPT", "550 5.1.1 no");
             SmtpSession c = session()) {
            s.on(FaultServer.DOT, FaultServer.reply("554 5.5.1 no valid recipients"));
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("secret body"));
            assertThat(r.delivered()).isFalse();
            c.quit();
            assertThat(s.messages()).extracting(PipelineTest::text).containsExactly("");
            assertThat(s.receivedText()).doesNotContain("secret body");
        }
    }

    @Test
    @DisplayName("RSET after refused recipients (no pipelining)")
    void noPipeliningWhenNotOfferedAndRsetAfterRefusal() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities().on("RCPT", "550 5.1.1 no", "553 5.1.3 bad address");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test", "c@y.test")), MessageContent.of("hi"));
            assertThat(r.delivered()).isFalse();
            assertThat(r.data()).isNull();
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                    "RCPT TO:<c@y.test>", "RSET", "QUIT");
        }
    }

    @Test
    @DisplayName("DLV-03: 452 too many recipients is kept per recipient; the accepted ones get the message")
    void tooManyRecipientsIsPerRecipient() throws Exception {
        try (FaultServer s = FaultServer.start().on("RCPT", "250 2.1.5 Ok", "250 2.1.5 Ok",
                "452 4.5.3 Error: too many recipients");
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test", "c@y.test", "d@y.test")),
                    MessageContent.of("hi"));
            assertThat(r.delivered()).isTrue();
            assertThat(r.accepted()).containsExactly("b@y.test", "c@y.test");
            assertThat(r.refused()).singleElement().satisfies(rr -> {
                assertThat(rr.address()).isEqualTo("d@y.test");
                assertThat(rr.reply().isTransientNegative()).isTrue();
                assertThat(rr.reply().enhanced()).isEqualTo("4.5.3");
            });
        }
    }

    @Test
    @DisplayName("DLV-06: SIZE= when offered; too large for the limit is refused before MAIL with both sizes")
    void sizeIsAnnouncedAndTooLargeIsRefusedBeforeMail() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("SIZE 1000"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("0123456789")).delivered())
                    .isTrue();
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")),
                    MessageContent.of(new byte[5000]))).isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PERMANENT);
                        assertThat(e.stage()).isEqualTo(SmtpStage.MAIL);
                        assertThat(e.getMessage()).isEqualTo("message too large for " + server(s) + ": it is 5000"
                                + " octets, and the server's SIZE limit is 1000 octets; nothing was sent");
                    });
            c.quit();
            assertThat(s.commands()).filteredOn(l -> l.startsWith("MAIL")).containsExactly("MAIL FROM:<a@x.test> SIZE=10");
        }
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("0123456789"));
            assertThat(s.commands()).contains("MAIL FROM:<a@x.test>");
        }
    }

    @Test
    @DisplayName("MIM-03: BODY=8BITMIME for 8-bit content when offered; a warning when not")
    void eightBitContentAsksFor8BitMime() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("8BITMIME"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("Grüße"));
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("plain"));
            assertThat(s.commands()).filteredOn(l -> l.startsWith("MAIL"))
                    .containsExactly("MAIL FROM:<a@x.test> BODY=8BITMIME", "MAIL FROM:<a@x.test>");
        }
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("Grüße"));
            assertThat(s.commands()).contains("MAIL FROM:<a@x.test>");
        }
        assertThat(transcript.text()).contains("*** message has 8-bit content and 127.0.0.1:");
    }

    @Test
    @DisplayName("MIM-04: SMTPUTF8 for a non-ASCII address only when offered, else an INPUT error naming it")
    void nonAsciiAddressNeedsSmtpUtf8() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("SMTPUTF8", "8BITMIME"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.send(Envelope.of("a@x.test", List.of("用户@例子.广告")), MessageContent.of("x")).delivered())
                    .isTrue();
            c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("x"));
            c.quit();
            assertThat(s.commands()).containsSubsequence("MAIL FROM:<a@x.test> SMTPUTF8", "RCPT TO:<用户@例子.广告>",
                    "MAIL FROM:<a@x.test>");
        }
        for (Envelope e : List.of(Envelope.of("jörg@x.test", List.of("b@y.test")),
                Envelope.of("a@x.test", List.of("b@y.test", "jörg@müller.example")))) {
            String address = e.from().startsWith("j") ? e.from() : "jörg@müller.example";
            try (FaultServer s = FaultServer.start().capabilities("8BITMIME"); SmtpSession c = session()) {
                c.open(s.host(), s.port(), "client.test");
                assertThatThrownBy(() -> c.send(e, MessageContent.of("x"))).isInstanceOfSatisfying(SmtpException.class,
                        x -> {
                            assertThat(x.kind()).isEqualTo(Kind.INPUT);
                            assertThat(x.getMessage()).isEqualTo("address " + address + " is not ASCII, and "
                                    + server(s) + " does not offer SMTPUTF8 (RFC 6531) to carry it; nothing was sent");
                        });
                assertThatThrownBy(() -> c.mail("jörg@x.test", MailOptions.NONE))
                        .hasMessage("sender jörg@x.test is not ASCII, and " + server(s)
                                + " does not offer SMTPUTF8 (RFC 6531) to carry it");
                c.quit();
                assertThat(s.commands()).containsExactly("EHLO client.test", "QUIT");
            }
        }
    }

    @Test
    @DisplayName("DSN parameters only when DSN is offered")
    void dsnParametersOnlyWhenOffered() throws Exception {
        MailOptions ret = new MailOptions(-1, null, false, "HDRS", "QQ314159");
        try (FaultServer s = FaultServer.start().capabilities(); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.mail("a@x.test", ret)).isInstanceOfSatisfying(SmtpException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.PERMANENT);
                assertThat(e.getMessage()).isEqualTo("DSN parameters given, but " + server(s)
                        + " does not offer DSN (RFC 3461)");
            });
            c.mail("a@x.test", MailOptions.NONE);
            assertThatThrownBy(() -> c.rcpt("b@y.test", new RcptOptions("NEVER", null)))
                    .hasMessage("DSN parameters given, but " + server(s) + " does not offer DSN (RFC 3461)");
            c.quit();
            assertThat(s.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>", "QUIT");
        }
        try (FaultServer s = FaultServer.start().capabilities("DSN"); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            c.send(new Envelope("a@x.test", List.of("b@y.test"), ret, new RcptOptions("SUCCESS,FAILURE", "rfc822;b@y.test")),
                    MessageContent.of("x"));
            assertThat(s.commands()).contains("MAIL FROM:<a@x.test> RET=HDRS ENVID=QQ314159",
                    "RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@y.test");
        }
    }

}
