package dev.postilion.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.Batch;
import dev.postilion.batch.BatchOptions;
import dev.postilion.batch.BatchResult;
import dev.postilion.batch.Outcome;
import dev.postilion.batch.RowSource;
import dev.postilion.batch.SessionFactory;
import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.TlsMode;
import dev.postilion.smtp.TlsSettings;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A bulk send through real Postfix with STARTTLS and AUTH: every message arrives exactly once. */
@Timeout(120)
class BatchInteropIT {

    private static final int ROWS = 2000;

    @TempDir
    Path dir;

    @Test
    void twoThousandMessagesWithStarttlsAndAuthAtConcurrencyFourArriveExactlyOnce() throws Exception {
        RealMta mta = RealMta.require();
        String tag = "batch-" + UUID.randomUUID().toString().substring(0, 8);
        SessionFactory sessions = SessionFactory.connecting("localhost", mta.submissionPort(), "client.postilion.test",
                SessionOptions.DEFAULT.withTls(new TlsSettings(TlsMode.STARTTLS, List.of(mta.caFile()), false))
                        .withTimeout(Duration.ofSeconds(30)),
                "LOGIN", Credentials.password(mta.user(), mta::password));
        Iterator<Map<String, Object>> rows = new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < ROWS;
            }

            @Override
            public Map<String, Object> next() {
                i++;
                return Map.of("email", tag + "-" + i + "@" + mta.domain(), "n", i);
            }
        };
        Path report = dir.resolve("report.jsonl");
        BatchResult r = new Batch(RowSource.of(rows),
                row -> new MessageSpec().from(mta.user() + "@" + mta.domain()).to(row.text("email"))
                        .subject(tag + " " + row.get("n")).text("message " + row.get("n") + " of a batch\n"),
                sessions, BatchOptions.defaults().withConcurrency(4).withJournal(dir.resolve("j.jsonl"))
                .withReport(report)).run();

        assertThat(r.outcome()).as(r.summary("rows") + "\n" + r.problems()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(ROWS);
        assertThat(Files.readAllLines(report)).filteredOn(l -> l.contains("\"queue\":")).hasSize(ROWS);

        Map<String, Integer> byMessageId = awaitDelivered(mta, r.batchId(), ROWS, Duration.ofSeconds(90));
        try {
            assertThat(byMessageId).hasSize(ROWS).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        } finally {
            remove(mta, r.batchId());
        }
    }

    /** Message-ID to copies delivered, for this batch's messages, once {@code count} have arrived (or time is up). */
    private static Map<String, Integer> awaitDelivered(RealMta mta, String batchId, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> seen = new HashMap<>();
        Set<Path> counted = new HashSet<>();
        while (true) {
            for (Path p : mta.deliveredMessages()) {
                if (counted.contains(p)) {
                    continue;
                }
                String id = RealMta.header(p, "Message-ID");
                if (id != null && id.contains(batchId)) {
                    seen.merge(id, 1, Integer::sum);
                    counted.add(p);
                }
            }
            if (counted.size() >= count || System.nanoTime() > deadline) {
                return seen;
            }
            Thread.sleep(200);
        }
    }

    private static void remove(RealMta mta, String batchId) throws IOException {
        for (Path p : mta.deliveredMessages()) {
            String id = RealMta.header(p, "Message-ID");
            if (id != null && id.contains(batchId)) {
                Files.deleteIfExists(p);
            }
        }
    }
}
