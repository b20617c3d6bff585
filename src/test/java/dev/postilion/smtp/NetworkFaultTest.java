package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.testing.FaultProxy;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults between client and server, through an in-test proxy (toxiproxy's toxics). */
@Timeout(30)
class NetworkFaultTest {

    private static final SessionOptions OPTIONS = SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(2));

    @Test
    @DisplayName("NET-04: latency on every chunk still completes; timers are per command")
    void latencyCompletes() throws Exception {
        try (FaultServer s = FaultServer.start(); FaultProxy p = FaultProxy.to(s.port()).latency(150);
             SmtpSession c = new SmtpSession(OPTIONS.withTimeout(Duration.ofMillis(1000)), TranscriptListener.NONE)) {
            c.open("127.0.0.1", p.port(), "x.test");
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test", "c@y.test")), MessageContent.of("hi"));
            assertThat(r.delivered()).isTrue();
        }
    }

    @Test
    @DisplayName("NET-05: a slow uplink completes: progress resets the data-block timer; no whole-transaction limit")
    void slowUplinkCompletesBecauseProgressResetsTheDataBlockTimer() throws Exception {
        // Scaled down from the matrix (1 KB/s, 2 MB): 1 MiB through 256 KiB/s takes 4 s, longer than
        // every limit set here; the proxy's small buffer makes each write wait on the slow uplink.
        String line = "x".repeat(78) + "\r\n";
        String body = line.repeat(1024 * 1024 / line.length());
        Timeouts limits = Timeouts.all(Duration.ofSeconds(3)).withDataBlock(Duration.ofSeconds(1));
        try (FaultServer s = FaultServer.start(); FaultProxy p = FaultProxy.to(s.port()).bandwidth(256 * 1024);
             SmtpSession c = new SmtpSession(OPTIONS.withTimeouts(limits), TranscriptListener.NONE)) {
            c.open("127.0.0.1", p.port(), "x.test");
            long started = System.nanoTime();
            SendResult r = c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of(body));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(r.delivered()).isTrue();
            assertThat(took).as("the transfer was throttled past every single limit").isGreaterThan(Duration.ofSeconds(3));
            assertThat(s.messages()).hasSize(1);
            assertThat(s.messages().get(0)).hasSize(body.length());
        }
    }

    @Test
    @DisplayName("NET-06: replies arriving one byte at a time are reassembled")
    void slicedRepliesAreReassembled() throws Exception {
        try (FaultServer s = FaultServer.start(); FaultProxy p = FaultProxy.to(s.port()).slicer();
             SmtpSession c = new SmtpSession(OPTIONS, TranscriptListener.NONE)) {
            Reply ehlo = c.open("127.0.0.1", p.port(), "x.test");
            assertThat(ehlo.lines()).hasSize(6);
            assertThat(c.capabilities().authMechanisms()).containsExactly("PLAIN", "LOGIN", "CRAM-MD5");
        }
    }

    @Test
    @DisplayName("NET-07: a reset during RCPT is a temporary failure")
    void resetDuringRcptIsTemporary() throws Exception {
        try (FaultServer s = FaultServer.start(); FaultProxy p = FaultProxy.to(s.port()).resetAfter(40);
             SmtpSession c = new SmtpSession(OPTIONS.withPipelining(false), TranscriptListener.NONE)) {
            assertThatThrownBy(() -> {
                c.open("127.0.0.1", p.port(), "x.test");
                c.send(Envelope.of("a@x.test", List.of("b@y.test")), MessageContent.of("hi"));
            }).isInstanceOfSatisfying(SmtpException.class, e -> assertThat(e.kind()).isEqualTo(SmtpException.Kind.TEMPORARY));
        }
    }

    @Test
    @DisplayName("NET-08: a cut mid-DATA never delivers and never reports sent")
    void cutMidDataNeverDelivers() throws Exception {
        try (FaultServer s = FaultServer.start(); FaultProxy p = FaultProxy.to(s.port()).cutAfter(200);
             SmtpSession c = new SmtpSession(OPTIONS, TranscriptListener.NONE)) {
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            s.on("DOT", (srv, conv, line) -> {
                ended.set(true);
                return FaultServer.reply("250 ok").act(srv, conv, line);
            });
            c.open("127.0.0.1", p.port(), "x.test");
            assertThatThrownBy(() -> c.send(Envelope.of("a@x.test", List.of("b@y.test")),
                    MessageContent.of("x".repeat(100_000))))
                    .isInstanceOfSatisfying(SmtpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SmtpException.Kind.TEMPORARY);
                        assertThat(e.reply()).isNull();
                    });
            s.commands();
            assertThat(ended).as("the server saw the end of data").isFalse();
        }
    }

    @Test
    @DisplayName("NET-09: a silent black hole after EHLO times out naming the stage")
    void blackHoleTimesOutNamingTheStage() throws Exception {
        try (FaultServer s = FaultServer.start(); SmtpSession c = new SmtpSession(
                OPTIONS.withTimeout(Duration.ofMillis(300)), TranscriptListener.NONE)) {
            s.on("MAIL", FaultServer.stall());
            c.open("127.0.0.1", s.port(), "x.test");
            assertThatThrownBy(() -> c.mail("a@x.test", MailOptions.NONE)).hasMessage(
                    "MAIL FROM:<a@x.test> failed: no reply (timed out after 300ms)");
        }
    }
}
