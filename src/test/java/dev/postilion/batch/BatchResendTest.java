package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.testing.FaultServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIM-09: a message sent again (retried after a 4xx, or resent after a lost reply on --resume
 * --resend-in-doubt) is byte-for-byte the first attempt: the same Message-ID, Date and MIME
 * boundaries, so the receiver can suppress the duplicate (RFC 1047).
 */
@Timeout(30)
class BatchResendTest {

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();

    /** A multipart message (text, html, an attachment): its boundaries would differ if they were random. */
    private Function<Row, MessageSpec> builder() throws Exception {
        Path report = Files.writeString(dir.resolve("report.csv"), "a,b\n1,2\n");
        return row -> new MessageSpec().from("Sender <sender@example.com>").to(row.text("email"))
                .subject("Report for " + row.text("email")).text("Attached.").html("<p>Attached.</p>").attach(report);
    }

    /** The row's key: a digest of its one recipient. */
    private static final String ANN_KEY = RowKey.hex(RowKey.ofRecipients(List.of("ann@example.com")));

    private BatchResult run(FaultServer s, Function<Row, MessageSpec> builder, BatchOptions o) {
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", s.port(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)), null, null);
        return new Batch(RowSource.of(List.of(Map.of("email", "ann@example.com"))), builder, sessions,
                o.withClock(clock, () -> 0.0).withRetry(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(5))))
                .run();
    }

    @Test
    @DisplayName("MIM-09: retried after a 451 to the dot: the same bytes, Message-ID and Date")
    void aMessageRetriedAfterATemporaryRefusalIsByteIdentical() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            s.on(FaultServer.DOT, "451 4.3.0 queue full, try again");
            BatchResult r = run(s, builder(), BatchOptions.defaults());

            assertThat(r.outcome()).isEqualTo(Outcome.SENT);
            assertThat(s.messages()).hasSize(2);
            assertThat(s.messages().get(1)).isEqualTo(s.messages().get(0));
            assertThat(new String(s.messages().get(0), StandardCharsets.US_ASCII))
                    .contains("\r\nMessage-ID: <" + r.batchId() + "." + ANN_KEY + ".postilion@example.com>\r\n")
                    .startsWith("Date: ").contains("multipart/mixed");
        }
    }

    @Test
    @DisplayName("MIM-09: resent on --resume --resend-in-doubt in a new run: the same bytes, boundaries included")
    void aMessageResentInALaterRunIsByteIdentical() throws Exception {
        Path journal = dir.resolve("journal.jsonl");
        try (FaultServer s = FaultServer.start()) {
            s.on(FaultServer.DOT, FaultServer.drop());
            BatchResult first = run(s, builder(), BatchOptions.defaults().withJournal(journal));
            assertThat(first.totals().inDoubt()).isEqualTo(1);
            assertThat(s.messages()).hasSize(1);

            BatchResult again = run(s, builder(), BatchOptions.defaults().withJournal(journal).withResume(true)
                    .withResendInDoubt(true));
            assertThat(again.outcome()).isEqualTo(Outcome.SENT);
            assertThat(s.messages()).hasSize(2);
            String resent = new String(s.messages().get(1), StandardCharsets.US_ASCII);
            assertThat(resent).as("resent").isEqualTo(new String(s.messages().get(0), StandardCharsets.US_ASCII));
            assertThat(resent).contains("Message-ID: <" + first.batchId() + "." + ANN_KEY + ".postilion@example.com>");
        }
    }
}
