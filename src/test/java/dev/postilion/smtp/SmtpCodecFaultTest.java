package dev.postilion.smtp;

import static dev.postilion.testing.FaultServer.DOT;
import static dev.postilion.testing.FaultServer.GREETING;
import static dev.postilion.testing.FaultServer.drip;
import static dev.postilion.testing.FaultServer.drop;
import static dev.postilion.testing.FaultServer.manyLines;
import static dev.postilion.testing.FaultServer.overlongLine;
import static dev.postilion.testing.FaultServer.raw;
import static dev.postilion.testing.FaultServer.reply;
import static dev.postilion.testing.FaultServer.replyAndClose;
import static dev.postilion.testing.FaultServer.stall;
import static dev.postilion.testing.FaultServer.stopReading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every server fault ends within its timeout with the right kind, stage and whole message: never a
 * hang. Timeouts are 300 ms here; RFC 5321's are minutes.
 */
@Timeout(30)
class SmtpCodecFaultTest {

    private static final SessionOptions FAST = SessionOptions.DEFAULT.withTimeout(Duration.ofMillis(300));
    /**
     * Ends a "times out, does not hang" case: the messages prove which limit fired; this only
     * proves the end came, with room for a loaded machine (the tests run beside others on 2 cores).
     */
    private static final Duration BOUNDED = Duration.ofSeconds(10);
    private static final Envelope ENVELOPE = Envelope.of("a@x.test", List.of("b@y.test"));

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private SmtpSession session() {
        return new SmtpSession(FAST, transcript);
    }

    private static String server(FaultServer s) {
        return "127.0.0.1:" + s.port();
    }

    // ------------------------------------------------------------------ greeting

    @Test
    @DisplayName("RPL-02: closed before the greeting")
    void dropBeforeGreetingIsTemporary() throws Exception {
        try (FaultServer s = FaultServer.start().on(GREETING, drop()); SmtpSession c = session()) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.stage()).isEqualTo(SmtpStage.GREETING);
                        assertThat(e.reply()).isNull();
                        assertThat(e.getMessage()).isEqualTo("GREETING " + server(s)
                                + " failed: no reply (connection closed by the server)");
                    });
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    @DisplayName("RPL-01: a greeting that never comes")
    void greetingThatNeverComesTimesOut() throws Exception {
        try (FaultServer s = FaultServer.start().on(GREETING, stall()); SmtpSession c = session()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.connect(s.host(), s.port())).isInstanceOfSatisfying(SmtpException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                assertThat(e.stage()).isEqualTo(SmtpStage.GREETING);
                assertThat(e.getMessage()).isEqualTo("GREETING " + server(s) + " failed: no reply (timed out after 300ms)"
                        + "\n    this port may speak TLS from the first byte (as port 465 does)");
                assertThat(e.hint()).isEqualTo(SmtpException.Hint.NO_GREETING);
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("bounded: no hang").isLessThan(BOUNDED);
        }
    }

    @Test
    @DisplayName("drop right after the greeting")
    void dropAfterGreetingIsTemporary() throws Exception {
        try (FaultServer s = FaultServer.start().on("EHLO", drop()); SmtpSession c = session()) {
            assertThat(c.connect(s.host(), s.port()).code()).isEqualTo(220);
            assertThatThrownBy(() -> c.ehlo("client.test")).isInstanceOfSatisfying(SmtpException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                assertThat(e.stage()).isEqualTo(SmtpStage.EHLO);
                assertThat(e.getMessage()).isEqualTo("EHLO client.test failed: no reply (connection closed by the server)");
            });
        }
    }

    // ------------------------------------------------------------------ 421

    @ParameterizedTest
    @DisplayName("DLV-04: 421 is returned, closes the session, and the next verb is TEMPORARY")
    @ValueSource(strings = {"GREETING", "EHLO", "MAIL", "RCPT", "DATA", "DOT", "NOOP"})
    void serverClosing421IsReturnedAndClosesTheSession(String verb) throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            s.on(verb, replyAndClose("421 4.3.2 Service shutting down"));
            Reply r = c.connect(s.host(), s.port());
            if (!verb.equals(GREETING)) {
                r = c.ehlo("client.test");
            }
            if (!List.of(GREETING, "EHLO").contains(verb)) {
                r = verb.equals("NOOP") ? c.noop() : c.mail("a@x.test", MailOptions.NONE);
            }
            if (List.of("RCPT", "DATA", DOT).contains(verb)) {
                r = c.rcpt("b@y.test", RcptOptions.NONE);
            }
            if (List.of("DATA", DOT).contains(verb)) {
                r = c.data(MessageContent.of("hi"));
            }
            assertThat(r.code()).isEqualTo(421);
            assertThat(r.isClosing()).isTrue();
            assertThat(c.isOpen()).isFalse();
            assertThat(c.inTransaction()).isFalse();
            assertThatThrownBy(c::noop).isInstanceOfSatisfying(SmtpException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                assertThat(e.getMessage()).isEqualTo("NOOP " + server(s) + " failed: no reply (the connection is closed)");
            });
            assertThat(c.quit()).as("QUIT on a closed session").isNull();
        }
    }

    @Test
    @DisplayName("DLV-04: 421 at the greeting, through open")
    void reply421AtGreetingThroughOpen() throws Exception {
        try (FaultServer s = FaultServer.start().greeting("421 4.3.2 Service shutting down"); SmtpSession c = session()) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.getMessage()).isEqualTo("CONNECT " + server(s) + " refused: server is closing the"
                                + " connection\n    " + server(s) + " replied: 421 4.3.2 Service shutting down");
                    });
            assertThat(c.isOpen()).isFalse();
        }
    }

    @ParameterizedTest(name = "421 to {0}, pipelining {1}")
    @DisplayName("DLV-04: 421 inside send() comes back in the result")
    @CsvSource(textBlock = """
            MAIL | true
            MAIL | false
            RCPT | true
            RCPT | false
            DATA | true
            DATA | false
            """, delimiter = '|')
    void reply421InsideSend(String verb, boolean pipelining) throws Exception {
        try (FaultServer s = FaultServer.start();
             SmtpSession c = new SmtpSession(FAST.withPipelining(pipelining), transcript)) {
            if (verb.equals("RCPT")) {
                s.on("RCPT", reply("250 2.1.5 Ok"), replyAndClose("421 4.7.0 Too many errors"));
            } else {
                s.on(verb, replyAndClose("421 4.7.0 Too many errors"));
            }
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test", "c@y.test")), MessageContent.of("hi"));
            assertThat(r.delivered()).isFalse();
            assertThat(r.decisive().code()).isEqualTo(421);
            assertThat(r.end()).isNull();
            assertThat(c.isOpen()).isFalse();
            assertThat(c.inTransaction()).isFalse();
            assertThat(s.commands()).doesNotContain("RSET").noneMatch(l -> l.startsWith("BDAT"));
            assertThat(s.messages()).isEmpty();
        }
    }

    // ------------------------------------------------------------------ stalls and drips

    @ParameterizedTest
    @DisplayName("NET-09: a server that stops answering times out at every stage")
    @CsvSource(textBlock = """
            EHLO | EHLO client.test
            MAIL | MAIL FROM:<a@x.test>
            RCPT | RCPT TO:<b@y.test>
            DATA | DATA
            """, delimiter = '|')
    void stallTimesOut(String verb, String command) throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("SIZE"); SmtpSession c = session()) {
            s.on(verb, stall());
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> {
                c.open(s.host(), s.port(), "client.test");
                c.mail("a@x.test", MailOptions.NONE);
                c.rcpt("b@y.test", RcptOptions.NONE);
                c.data(MessageContent.of("hi"));
            }).isInstanceOfSatisfying(SmtpException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                assertThat(e.command()).isEqualTo(command);
                assertThat(e.getMessage()).isEqualTo(command + " failed: no reply (timed out after 300ms)");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("bounded: no hang").isLessThan(BOUNDED);
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    @DisplayName("NET-06: a reply dripped one octet at a time is read correctly")
    void fastDripIsReassembled() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            s.on("EHLO", drip(Duration.ZERO, "250-fault.test\r\n250-PIPELINING\r\n250 SIZE 1000"));
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.capabilities().pipelining()).isTrue();
            assertThat(c.capabilities().sizeLimit()).isEqualTo(1000);
        }
    }

    @Test
    @DisplayName("a slow drip cannot stretch one reply past its time limit")
    void slowDripTimesOut() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            // 40 octets, 20 ms apart: every read makes progress, the whole reply takes 800 ms.
            s.on("NOOP", drip(Duration.ofMillis(20), "250 2.0.0 this reply arrives very slowly"));
            c.open(s.host(), s.port(), "client.test");
            long t0 = System.nanoTime();
            assertThatThrownBy(c::noop).isInstanceOfSatisfying(SmtpException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                assertThat(e.getMessage()).isEqualTo("NOOP failed: no reply (timed out after 300ms)");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("bounded: no hang").isLessThan(BOUNDED);
        }
    }

    // ------------------------------------------------------------------ malformed replies

    @ParameterizedTest(name = "{0}")
    @DisplayName("RPL-04..11: a malformed reply is a protocol error naming the problem")
    @CsvSource(textBlock = """
            no code                 | hello there\\r\\n            | line 1 has no reply code: 'hello there'
            RPL-07 code change      | 250-first\\r\\n550 second\\r\\n | reply code changed from 250 to 550 within one reply: '550 second'
            RPL-04 1xx              | 199 no hello for you!\\r\\n  | reply code 199 is outside 200-599: '199 no hello for you!'
            RPL-04 6xx              | 650 what\\r\\n               | reply code 650 is outside 200-599: '650 what'
            RPL-09 no separator     | 250OK\\r\\n                  | line 1 has no space or '-' after its code: '250OK'
            RPL-11 NUL              | 250 a\\0b\\r\\n              | reply line contains control character 0x00: '250 a?b'
            RPL-11 bare CR          | 250 ok\\rINJECTED\\r\\n      | reply line contains control character 0x0d: '250 ok?INJECTED'
            non-UTF-8               | 250 caf\\xe9\\r\\n           | reply line is not valid UTF-8 text
            RPL-08 EOF mid-reply    | 250-a\\r\\n                  | connection closed in the middle of a reply
            """, delimiter = '|')
    void malformedRepliesAreProtocolErrors(String name, String octets, String problem) throws Exception {
        byte[] wire = octets.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0").replace("\\xe9", "\u00e9")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            s.on("NOOP", name.startsWith("RPL-08") ? raw(wire).then(drop()) : raw(wire));
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(c::noop).isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                assertThat(e.stage()).isEqualTo(SmtpStage.NOOP);
                assertThat(e.getMessage()).isEqualTo("NOOP failed: malformed reply\n    " + server(s)
                        + " broke the protocol: " + problem);
            });
            assertThat(c.isOpen()).as("a broken server is not talked to again").isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("RPL-05/RPL-06: a 5000-octet line and a 10,000-line reply are bounded")
    @CsvSource(textBlock = """
            RPL-05 5000-octet line  | reply line longer than 2048 octets
            RPL-06 10,000 lines     | reply longer than 200 lines
            """, delimiter = '|')
    void overLongAndEndlessRepliesAreBounded(String name, String problem) throws Exception {
        FaultServer.Action fault = name.startsWith("RPL-05") ? overlongLine(5000) : manyLines(10_000);
        try (FaultServer s = FaultServer.start().on("EHLO", fault); SmtpSession c = session()) {
            assertThatThrownBy(() -> c.open(s.host(), s.port(), "client.test"))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> assertThat(e.getMessage())
                            .isEqualTo("EHLO client.test failed: malformed reply\n    " + server(s)
                                    + " broke the protocol: " + problem));
        }
    }

    // ------------------------------------------------------------------ DATA and the final dot

    @Test
    @DisplayName("closed without a reply to DATA: not delivered")
    void dropAfterDataCommand() throws Exception {
        try (FaultServer s = FaultServer.start().on("DATA", drop()); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ENVELOPE, MessageContent.of("hi")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA);
                        assertThat(e.getMessage()).isEqualTo("DATA failed: no reply (connection closed by the server)");
                    });
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("DLV-08 RFC 1047: closed without a reply after the final dot: in doubt")
    void lostReplyAfterTheFinalDotIsInDoubt() throws Exception {
        try (FaultServer s = FaultServer.start().on(DOT, drop()); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ENVELOPE, MessageContent.of("hi")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA_END);
                        assertThat(e.reply()).isNull();
                        assertThat(e.getMessage()).isEqualTo(". failed: no reply (connection closed by the"
                                + " server; the message may or may not have been delivered)");
                    });
            assertThat(s.messages()).hasSize(1);
            assertThat(c.inTransaction()).isFalse();
        }
    }

    @Test
    @DisplayName("DLV-08: no reply after the final dot within the limit: in doubt")
    void stallAfterFinalDotIsInDoubt() throws Exception {
        try (FaultServer s = FaultServer.start().on(DOT, stall()); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ENVELOPE, MessageContent.of("hi")))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA_END);
                        assertThat(e.getMessage()).isEqualTo(". failed: no reply (timed out after 300ms;"
                                + " the message may or may not have been delivered)");
                    });
        }
    }

    @Test
    @DisplayName("a malformed reply after the final dot is in doubt too")
    void malformedAfterFinalDotIsInDoubt() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = session()) {
            s.on(DOT, raw("250-queued\r\n").then(drop()));
            c.open(s.host(), s.port(), "client.test");
            assertThatThrownBy(() -> c.send(ENVELOPE, MessageContent.of("hi")))
                    .isInstanceOfSatisfying(SmtpProtocolException.class, e -> {
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA_END);
                        assertThat(e.getMessage()).isEqualTo(". failed: malformed reply\n    " + server(s)
                                + " broke the protocol: connection closed in the middle of a reply;"
                                + " the message may or may not have been delivered");
                    });
        }
    }

    @Test
    @DisplayName("DLV-07: 421 after the final dot is a definite temporary failure")
    void reply421AfterFinalDot() throws Exception {
        try (FaultServer s = FaultServer.start().on(DOT, replyAndClose("421 4.3.0 try again later"));
             SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            SendResult r = c.send(ENVELOPE, MessageContent.of("hi"));
            assertThat(r.delivered()).isFalse();
            assertThat(r.end().code()).isEqualTo(421);
            assertThat(r.decisive().code()).isEqualTo(421);
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    @DisplayName("DLV-12: the connection drops after 250 to the dot, before 221 to QUIT")
    void dropOnQuitAfterDelivery() throws Exception {
        try (FaultServer s = FaultServer.start().on("QUIT", drop()); SmtpSession c = session()) {
            c.open(s.host(), s.port(), "client.test");
            assertThat(c.send(ENVELOPE, MessageContent.of("hi")).delivered()).isTrue();
            assertThat(c.quit()).isNull();
            assertThat(c.isOpen()).isFalse();
        }
        assertThat(transcript.text()).contains("=== Connection closed before the reply to QUIT");
    }

    @Test
    @DisplayName("DLV-10: a server that stops reading trips the write timeout")
    void serverThatStopsReadingTripsTheWriteTimeout() throws Exception {
        try (FaultServer s = FaultServer.withSmallReceiveBuffer().capabilities(); SmtpSession c = session()) {
            s.on("DATA", stopReading("354 go ahead"));
            c.open(s.host(), s.port(), "client.test");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.send(ENVELOPE, new Repeated(64 * 1024 * 1024)))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TEMPORARY);
                        assertThat(e.stage()).isEqualTo(SmtpStage.DATA);
                        assertThat(e.getMessage()).isEqualTo("DATA failed: no reply (write timed out after 300ms: the"
                                + " server stopped reading; the final dot was not sent, so the message was not delivered)");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("bounded: no hang").isLessThan(BOUNDED);
            assertThat(c.isOpen()).isFalse();
        }
    }

    /** {@code n} octets of 'x' with a line break every 76, generated as they are written. */
    static final class Repeated implements MessageContent {
        private final long n;

        Repeated(long n) {
            this.n = n;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            byte[] line = new byte[78];
            Arrays.fill(line, (byte) 'x');
            line[76] = '\r';
            line[77] = '\n';
            for (long written = 0; written < n; written += line.length) {
                out.write(line, 0, (int) Math.min(line.length, n - written));
            }
        }

        @Override
        public long size() {
            return n;
        }
    }
}
