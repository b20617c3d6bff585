package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.BatchTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * BAT-06: systemd or a cron timeout sends SIGTERM in the middle of a batch. The run stops as at
 * its time limit: the journal is forced to disk, no further message starts, the process exits 75
 * (not the JVM's 143) with a message naming the script line, and {@code --resume} then sends
 * every row exactly once. Tested in a real child process with a real signal.
 */
@Timeout(60)
class SignalStopTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    @Test
    @DisplayName("BAT-06: SIGTERM mid-batch exits 75 naming the line; the journal is on disk; --resume sends each row once")
    void sigtermMidBatchExits75KeepsTheJournalAndResumesExactlyOnce() throws Exception {
        try (BatchTestServer server = new BatchTestServer()) {
            // The third message never gets its reply, so the batch is surely still running.
            server.dataEnd = n -> n == 3 ? BatchTestServer.End.STALL : BatchTestServer.End.OK;
            server.stalled = new java.util.concurrent.CountDownLatch(1);
            StringBuilder csv = new StringBuilder("email\n");
            for (int i = 1; i <= 8; i++) {
                csv.append("r").append(i).append("@example.com\n");
            }
            Files.writeString(dir.resolve("people.csv"), csv);
            Path script = dir.resolve("bulk.groovy");
            Files.writeString(script, """
                    connect '127.0.0.1', port: port as int
                    ehlo 'client.test'
                    batch(csv('people.csv'), retries: 0) { row ->
                        send { from 'sender@example.com'; to row.email; subject 'Hi'; text 'hello' }
                    }
                    quit
                    """);
            Path journal = dir.resolve("j.jsonl");
            ChildRun child = ChildRun.start(dir, Map.of(), "run", "-q", script.toString(), "--var",
                    "port=" + server.port(), "--journal", journal.toString());
            assertThat(server.stalled.await(40, TimeUnit.SECONDS)).as("the batch reached the stalled message").isTrue();

            child.process.destroy();  // SIGTERM
            assertThat(child.process.waitFor(40, TimeUnit.SECONDS)).as("the process ended").isTrue();
            assertThat(child.process.exitValue()).as(child.err()).isEqualTo(75);
            assertThat(child.err()).contains("bulk.groovy:3: stopped: " + StopOnSignal.WHY + "\n",
                    "batch people.csv: the journal " + journal + " is on disk; run again with --resume")
                    .doesNotContain("Exception").doesNotContain("\tat ");
            server.release();

            String stalledTo = server.received.get(2).recipients().get(0);
            assertThat(Files.readAllLines(journal)).as("whole lines only, the stalled message journaled as sending")
                    .allMatch(l -> l.startsWith("{") && l.endsWith("}"))
                    .anyMatch(l -> l.startsWith("{\"row\":" + stalledTo.replaceAll("\\D", "") + ",\"key\":")
                            && l.contains("\"state\":\"sending\""));

            Cli.Outcome resumed = cli.run("run", "-q", script.toString(), "--var", "port=" + server.port(),
                    "--journal", journal.toString(), "--resume");
            assertThat(resumed.code()).as("the stalled one stays in doubt: " + resumed.all()).isEqualTo(75);
            Map<String, Integer> times = new HashMap<>();
            for (BatchTestServer.Received r : server.received) {
                for (String to : r.recipients()) {
                    times.merge(to, 1, Integer::sum);
                }
            }
            for (int i = 1; i <= 8; i++) {
                assertThat(times.get("r" + i + "@example.com")).as("r%d@example.com", i).isEqualTo(1);
            }
        }
    }

    @Test
    @DisplayName("ISSUE-13.20: SIGTERM mid-batch: the summary's counts add up to its rows (none lost in the queue)")
    void sigtermMidBatchSummaryCountsAddUpToItsRows() throws Exception {
        try (BatchTestServer server = new BatchTestServer()) {
            server.reachAt = 20;
            server.recordCommands = false;
            StringBuilder csv = new StringBuilder("email\n");
            for (int i = 1; i <= 5000; i++) {
                csv.append("r").append(i).append("@example.com\n");
            }
            Files.writeString(dir.resolve("people.csv"), csv);
            Path script = dir.resolve("bulk.groovy");
            Files.writeString(script, """
                    connect '127.0.0.1', port: port as int
                    ehlo 'client.test'
                    batch(csv('people.csv'), retries: 0) { row ->
                        send { from 'sender@example.com'; to row.email; subject 'Hi'; text 'hello' }
                    }
                    quit
                    """);
            ChildRun child = ChildRun.start(dir, Map.of(), "run", script.toString(), "--var",
                    "port=" + server.port());
            assertThat(server.reached.await(40, TimeUnit.SECONDS)).as("the batch is under way").isTrue();

            child.process.destroy();  // SIGTERM
            assertThat(child.process.waitFor(40, TimeUnit.SECONDS)).as("the process ended").isTrue();
            String err = child.out() + child.err();
            assertThat(child.process.exitValue()).as(err).isEqualTo(75);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("batch people\\.csv: (\\d+) rows: (.*?) in ")
                    .matcher(err);
            assertThat(m.find()).as(err).isTrue();
            long sum = 0;
            for (String part : m.group(2).split(", ")) {
                sum += Long.parseLong(part.substring(0, part.indexOf(' ')));
            }
            assertThat(sum).as(m.group()).isEqualTo(Long.parseLong(m.group(1)));
            assertThat(m.group(2)).as("rows were left by the stop").contains("not sent (stopped)");
        }
    }
}
