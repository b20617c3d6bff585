package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two thousand personalised messages through GreenMail at concurrency 4: each arrives once, intact. */
class BatchGreenMailTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void twoThousandMessagesAtConcurrencyFourArriveExactlyOnce() throws Exception {
        greenMail.setUser("sender@example.com", "sender", "s3cret");
        Path csv = dir.resolve("people.csv");
        StringBuilder sb = new StringBuilder("email;name\n");
        for (int i = 1; i <= 2000; i++) {
            sb.append("reader").append(i).append("@example.com;Reader ").append(i).append('\n');
        }
        Files.writeString(csv, sb);
        SessionFactory sessions = SessionFactory.connecting("127.0.0.1", greenMail.getSmtp().getPort(), "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(20)), "LOGIN",
                Credentials.password("sender", () -> "s3cret"));
        BatchResult r = new Batch(RowSource.csv(csv, ';'),
                row -> new MessageSpec().from("sender@example.com").to(row.text("email"))
                        .subject("Hello " + row.text("name")).text("Dear " + row.text("name") + ",\n.\nbye\n"),
                sessions, BatchOptions.defaults().withConcurrency(4).withJournal(dir.resolve("j.jsonl"))
                .withReport(dir.resolve("r.jsonl"))).run();

        assertThat(r.outcome()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(2000);
        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(2000);
        Map<String, Integer> byId = new HashMap<>();
        for (MimeMessage m : received) {
            byId.merge(m.getMessageID(), 1, Integer::sum);
            String to = m.getHeader("To", null);
            String n = to.substring("reader".length(), to.indexOf('@'));
            assertThat(m.getSubject()).isEqualTo("Hello Reader " + n);
            assertThat(m.getMessageID()).isEqualTo("<" + r.batchId() + "."
                    + RowKey.hex(RowKey.ofRecipients(List.of("reader" + n + "@example.com"))) + ".postilion@example.com>");
            assertThat(((String) m.getContent()).replace("\r\n", "\n").strip()).isEqualTo("Dear Reader " + n + ",\n.\nbye");
        }
        assertThat(byId).hasSize(2000).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
    }
}
