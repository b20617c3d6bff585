package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.Timeouts;
import dev.postilion.testing.FaultServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The end of a batch's message: a slow 250 to the dot is a delivery, an early 550 a permanent failure. */
@Timeout(30)
class BatchDataEndTest {

    @TempDir
    Path dir;

    /** Short next to the slow dot below, long enough that a loaded machine never trips it. */
    private static final Duration SHORT = Duration.ofSeconds(2);

    private static BatchResult run(FaultServer s, Timeouts timeouts, BatchOptions o) {
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", s.port(), "client.test",
                SessionOptions.DEFAULT.withTimeouts(timeouts), null, null);
        return new Batch(RowSource.of(List.of(Map.of("email", "ann@example.com"), Map.of("email", "bob@example.com"))),
                row -> new MessageSpec().from("sender@example.com").to(row.text("email")).subject("hi").text("hello"),
                sessions, o.withConcurrency(1)).run();
    }

    @Test
    @DisplayName("DLV-09: a 250 to the dot long after every other limit, within its own, leaves the item sent")
    void aSlowReplyToTheDotLeavesTheItemSent() throws Exception {
        Path journal = dir.resolve("j.jsonl");
        try (FaultServer s = FaultServer.start()) {
            s.on(FaultServer.DOT, (srv, x, line) -> {
                try {
                    Thread.sleep(SHORT.multipliedBy(2).toMillis()); // slow to take responsibility (smtp-sink -W)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                x.reply("250 2.0.0 queued at last");
                return true;
            });
            Timeouts slowEnd = new Timeouts(SHORT, SHORT, SHORT, SHORT, SHORT, SHORT, SHORT, Duration.ofSeconds(30), SHORT);
            BatchResult r = run(s, slowEnd, BatchOptions.defaults().withJournal(journal));

            assertThat(r.outcome()).isEqualTo(Outcome.SENT);
            assertThat(r.totals().sent()).isEqualTo(2);
            assertThat(r.totals().inDoubt()).isZero();
            assertThat(s.messages()).hasSize(2);
            assertThat(Files.readString(journal)).contains("\"state\":\"sent\"").doesNotContain("in-doubt");
        }
    }

    @Test
    @DisplayName("DLV-11: a 550 right after 354, while the message streams: the item failed (permanent), no dot, never retried")
    void anEarlyRefusalFailsTheItemWithoutTheDot() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            s.on("DATA", FaultServer.raw("354 go ahead\r\n550 5.7.1 transaction aborted\r\n")
                    .then(FaultServer.stall()));
            BatchResult r = run(s, Timeouts.all(Duration.ofSeconds(5)), BatchOptions.defaults());

            assertThat(r.totals().failed()).isEqualTo(1);
            assertThat(r.totals().sent()).isEqualTo(1);
            assertThat(r.problems()).singleElement().asString().contains("550 5.7.1 transaction aborted");
            assertThat(s.messages()).hasSize(1);
            assertThat(s.commands()).filteredOn(c -> c.equals("DATA")).hasSize(2);
        }
    }
}
