package dev.postilion.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.Batch;
import dev.postilion.batch.BatchOptions;
import dev.postilion.batch.BatchResult;
import dev.postilion.batch.Outcome;
import dev.postilion.batch.ReportLines;
import dev.postilion.batch.RetryPolicy;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk sends through real Postfix with STARTTLS and AUTH: every message arrives exactly once; with
 * a 451 to every second RCPT (from a Postfix policy service), after retries; and when the sending
 * {@code postilion run} is killed with SIGKILL halfway and run again with {@code --resume}.
 */
@Timeout(240)
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
        Iterator<Map<String, Object>> rows = rows(tag, mta.domain());
        Path report = dir.resolve("report.jsonl");
        BatchResult r = new Batch(RowSource.of(rows),
                row -> new MessageSpec().from(mta.user() + "@" + mta.domain()).to(row.text("email"))
                        .subject(tag + " " + row.get("n")).text("message " + row.get("n") + " of a batch\n"),
                sessions, BatchOptions.defaults().withConcurrency(4).withJournal(dir.resolve("j.jsonl"))
                .withReport(report)).run();

        assertThat(r.outcome()).as(r.summary("rows") + "\n" + r.problems()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(ROWS);
        assertThat(Files.readAllLines(report)).filteredOn(l -> l.contains("\"queue\":")).hasSize(ROWS);

        Map<String, Integer> byMessageId = mta.awaitCounts("Message-ID", id -> id.contains(r.batchId()), ROWS,
                Duration.ofSeconds(90), () -> true);
        try {
            assertThat(byMessageId).hasSize(ROWS).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        } finally {
            mta.remove("Message-ID", id -> id.contains(r.batchId()));
        }
    }

    @DisplayName("done-when: with Postfix answering 451 to every second RCPT, 2,000 messages (STARTTLS, AUTH,"
            + " concurrency 4) all end delivered after retries, each exactly once")
    @Test
    void everySecondRcptRefusedWith451ByPostfixEndsWithAllDeliveredAfterRetries() throws Exception {
        RealMta mta = RealMta.require();
        String tag = "greylist-" + UUID.randomUUID().toString().substring(0, 8);
        SessionFactory sessions = SessionFactory.connecting("localhost", mta.policyPort(), "client.postilion.test",
                SessionOptions.DEFAULT.withTls(new TlsSettings(TlsMode.STARTTLS, List.of(mta.caFile()), false))
                        .withTimeout(Duration.ofSeconds(30)),
                "LOGIN", Credentials.password(mta.user(), mta::password));
        Path report = dir.resolve("report.jsonl");
        BatchResult r;
        int deferred;
        try (PolicyService policy = new PolicyService(mta.policyService())) {
            r = new Batch(RowSource.of(rows(tag, mta.domain())),
                    row -> new MessageSpec().from(mta.user() + "@" + mta.domain()).to(row.text("email"))
                            .subject(tag + " " + row.get("n")).text("message " + row.get("n") + " of a batch\n"),
                    sessions, BatchOptions.defaults().withConcurrency(4).withJournal(dir.resolve("j.jsonl"))
                    .withReport(report).withRetry(new RetryPolicy(16, Duration.ofMillis(100), Duration.ofSeconds(2))))
                    .run();
            assertThat(policy.deferred()).as("Postfix put every RCPT to the policy service; every second got 451")
                    .isGreaterThanOrEqualTo(ROWS / 2).isEqualTo(policy.requests() / 2);
            deferred = policy.deferred();
            System.err.println("[BatchInteropIT] the policy service answered " + policy.requests() + " RCPTs, "
                    + deferred + " of them with 451");
        }
        assertThat(r.outcome()).as(r.summary("rows") + "\n" + r.problems()).isEqualTo(Outcome.SENT);
        assertThat(r.totals().sent()).isEqualTo(ROWS);
        List<Map<String, Object>> lines = ReportLines.read(report);
        assertThat(lines.subList(0, ROWS)).as("the report says sent for every recipient")
                .allSatisfy(l -> assertThat(l).containsEntry("state", "sent"));
        assertThat(lines.subList(0, ROWS)).extracting(l -> l.get("to")).doesNotHaveDuplicates();
        long retries = lines.subList(0, ROWS).stream().mapToLong(l -> (Long) l.get("attempts") - 1).sum();
        assertThat(retries).as("each 451 cost its recipient exactly one more try").isEqualTo(deferred);

        try {
            Map<String, Integer> byRecipient = awaitDeliveredTo(mta, tag, ROWS, Duration.ofSeconds(120));
            assertThat(byRecipient).hasSize(ROWS).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
        } finally {
            mta.remove("X-Original-To", to -> to.startsWith(tag));
        }
    }

    @DisplayName("done-when: postilion run killed with SIGKILL halfway through a send to Postfix, then run again with"
            + " --resume: every recipient has exactly one message, except the few the journal lists in doubt")
    @Test
    void killedHalfwayAndResumedEveryRecipientHasExactlyOneMessage() throws Exception {
        RealMta mta = RealMta.require();
        int rows = 600;
        String tag = "killed-" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder csv = new StringBuilder("email,n\n");
        for (int i = 1; i <= rows; i++) {
            csv.append(tag).append('-').append(i).append('@').append(mta.domain()).append(',').append(i).append('\n');
        }
        Files.writeString(dir.resolve("people.csv"), csv);
        Path script = dir.resolve("killed.groovy");
        Files.writeString(script, """
                connect profile: 'mta'
                ehlo 'client.postilion.test'
                auth
                batch(csv('people.csv'), concurrency: 4, rate: '60/s', journal: 'killed.journal') { row ->
                    send {
                        to row.email
                        subject "kill test ${row.n}"
                        text "message ${row.n} of a batch that is killed halfway\\n"
                    }
                }
                quit
                """);
        Path profiles = mta.writeProfiles(dir);
        Path journal = dir.resolve("killed.journal");

        Process first = postilion(mta, dir.resolve("first.log"), "run", script.toString(), "--profiles",
                profiles.toString(), "-q");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sentLines(journal) < rows / 2 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(first.isAlive()).as("still sending at half way: " + Files.readString(dir.resolve("first.log")))
                    .isTrue();
        } finally {
            first.destroyForcibly();
        }
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as("killed with SIGKILL").isEqualTo(137);
        int sentBefore = sentLines(journal);
        assertThat(sentBefore).as("killed about half way").isBetween(rows / 2, rows - 1);

        Path report = dir.resolve("resume.jsonl");
        Process again = postilion(mta, dir.resolve("resume.log"), "run", script.toString(), "--profiles",
                profiles.toString(), "-q", "--resume", "--rate", "1000/s", "--report", report.toString());
        assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<Map<String, Object>> lines = ReportLines.read(report);
        Set<Object> inDoubt = new HashSet<>();
        lines.stream().filter(l -> "in-doubt".equals(l.get("state"))).forEach(l -> inDoubt.add(l.get("to")));
        Map<String, Object> summary = lines.get(lines.size() - 1);
        String log = Files.readString(dir.resolve("resume.log"));
        assertThat(inDoubt).as("in doubt: at most one message per connection").hasSizeLessThanOrEqualTo(4);
        assertThat(summary).as(log).containsEntry("inDoubt", (long) inDoubt.size()).containsEntry("failed", 0L)
                .containsEntry("deferred", 0L).containsEntry("pending", 0L);
        assertThat((Long) summary.get("doneBefore") + (Long) summary.get("sent") + inDoubt.size()).isEqualTo(rows);
        assertThat(again.exitValue()).as(log).isEqualTo(inDoubt.isEmpty() ? 0 : 75);
        System.err.println("[BatchInteropIT] killed after " + sentBefore + " of " + rows + " sent; the resumed run: "
                + summary.get("doneBefore") + " done before, " + summary.get("sent") + " sent, " + inDoubt.size()
                + " in doubt");
        if (!inDoubt.isEmpty()) {
            assertThat(log).contains("in-doubt: an earlier run sent the final dot and got no reply");
        }

        try {
            Map<String, Integer> byRecipient = awaitDeliveredTo(mta, tag, rows - inDoubt.size(),
                    Duration.ofSeconds(120));
            for (int i = 1; i <= rows; i++) {
                String to = tag + "-" + i + "@" + mta.domain();
                int n = byRecipient.getOrDefault(to, 0);
                if (inDoubt.contains(to)) {
                    assertThat(n).as(to + " (listed in doubt)").isBetween(0, 1);
                } else {
                    assertThat(n).as(to).isEqualTo(1);
                }
            }
        } finally {
            mta.remove("X-Original-To", to -> to.startsWith(tag));
        }
    }

    private static Iterator<Map<String, Object>> rows(String tag, String domain) {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < ROWS;
            }

            @Override
            public Map<String, Object> next() {
                i++;
                return Map.of("email", tag + "-" + i + "@" + domain, "n", i);
            }
        };
    }

    /** {@code postilion} in a child JVM (the test's class path), in {@link #dir}, output to {@code log}. */
    private Process postilion(RealMta mta, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "dev.postilion.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("MTA_PASS", mta.password());
        return pb.start();
    }

    /** Lines of the journal that record a delivery. */
    private static int sentLines(Path journal) throws IOException {
        if (!Files.exists(journal)) {
            return 0;
        }
        int n = 0;
        for (String line : Files.readAllLines(journal)) {
            if (line.contains("\"state\":\"sent\"")) {
                n++;
            }
        }
        return n;
    }

    /**
     * Recipient to copies delivered, for recipients whose address starts with {@code tag}, once at
     * least {@code count} have arrived and Postfix's queue holds nothing more for them (or time is up).
     */
    private static Map<String, Integer> awaitDeliveredTo(RealMta mta, String tag, int count, Duration timeout)
            throws InterruptedException {
        return mta.awaitCounts("X-Original-To", to -> to.startsWith(tag), count, timeout, () -> !queued(tag));
    }

    /** True while Postfix's queue holds a message for a recipient starting with {@code tag}. */
    private static boolean queued(String tag) {
        try {
            Process p = new ProcessBuilder("postqueue", "-j").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("postqueue -j failed: " + out);
            }
            return out.contains(tag);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("postqueue -j cannot run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking postqueue", e);
        }
    }
}
