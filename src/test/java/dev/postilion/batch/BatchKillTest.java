package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch in another JVM, killed with SIGKILL, then resumed here: every recipient has exactly one
 * message, except those the resumed run lists as in doubt.
 */
@Timeout(60)
class BatchKillTest {

    private static final int ROWS = 1000;

    @TempDir
    Path dir;

    private BatchTestServer server;

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        server.recordCommands = false;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    static SessionFactory sessions(int port) {
        return SessionFactory.connecting("127.0.0.1", port, "client.test",
                SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(20)), "PLAIN",
                Credentials.password("user", () -> "secret"));
    }

    private Process child(Path journal) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                BatchChild.class.getName(), String.valueOf(server.port()), journal.toString(), String.valueOf(ROWS), "4")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);
    }

    private BatchResult resume(Path journal, Path report, boolean resendInDoubt) {
        return new Batch(RowSource.of(BatchTest.people(ROWS)), BatchTest::hello, sessions(server.port()),
                BatchOptions.defaults().withConcurrency(4).withJournal(journal).withResume(true)
                        .withResendInDoubt(resendInDoubt).withReport(report)).run();
    }

    private static Set<String> inDoubt(Path report) throws IOException {
        Set<String> out = new HashSet<>();
        for (String line : Files.readAllLines(report)) {
            Map<String, Object> m = Json.parseObject(line);
            if ("in-doubt".equals(m.get("state"))) {
                out.add((String) m.get("to"));
            }
        }
        return out;
    }

    @Test
    void killedWhileMessagesWaitForTheirReplyResumesWithThoseInDoubtOnly() throws Exception {
        Path journal = dir.resolve("j.jsonl");
        server.stalled = new CountDownLatch(4);
        server.dataEnd = n -> n > 300 ? BatchTestServer.End.STALL : BatchTestServer.End.OK;
        Process p = child(journal);
        assertThat(server.stalled.await(30, TimeUnit.SECONDS)).as("four connections wait after their dot").isTrue();
        kill(p);
        server.release();
        server.dataEnd = n -> BatchTestServer.End.OK;
        List<String> stalledRecipients = server.received.subList(300, 304).stream()
                .map(m -> m.recipients().get(0)).toList();

        Path report = dir.resolve("resume.jsonl");
        BatchResult r = resume(journal, report, false);
        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.totals().inDoubt()).isEqualTo(4);
        assertThat(r.totals().doneBefore() + r.totals().sent() + r.totals().inDoubt()).isEqualTo(ROWS);
        assertThat(inDoubt(report)).containsExactlyInAnyOrderElementsOf(stalledRecipients);
        assertThat(server.countsByRecipient()).hasSize(ROWS).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));

        BatchResult resent = resume(journal, dir.resolve("resend.jsonl"), true);
        assertThat(resent.outcome()).isEqualTo(Outcome.SENT);
        assertThat(resent.totals().sent()).isEqualTo(4);
        Map<String, Integer> counts = server.countsByRecipient();
        counts.forEach((to, n) -> assertThat(n).as(to).isEqualTo(stalledRecipients.contains(to) ? 2 : 1));
        assertThat(server.countsByMessageId()).as("a resent message keeps its Message-ID").hasSize(ROWS);
    }

    @Test
    void killedAtAnArbitraryMomentLosesNothingAndDuplicatesNothing() throws Exception {
        Path journal = dir.resolve("j.jsonl");
        server.reachAt = 400;
        Process p = child(journal);
        assertThat(server.reached.await(30, TimeUnit.SECONDS)).isTrue();
        kill(p);

        Path report = dir.resolve("resume.jsonl");
        BatchResult r = resume(journal, report, false);
        Set<String> doubtful = inDoubt(report);
        assertThat(r.totals().inDoubt()).isEqualTo(doubtful.size()).isLessThanOrEqualTo(4);
        Map<String, Integer> counts = server.countsByRecipient();
        for (int i = 1; i <= ROWS; i++) {
            String to = "r" + i + "@example.com";
            int n = counts.getOrDefault(to, 0);
            if (doubtful.contains(to)) {
                assertThat(n).as(to + " (in doubt)").isBetween(0, 1);
            } else {
                assertThat(n).as(to).isEqualTo(1);
            }
        }
    }
}
