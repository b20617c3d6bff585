package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.BatchTestServer;
import dev.postilion.testing.FaultServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GRV-03: a run that does not end (a script in an endless loop under cron) is stopped at its
 * wall-clock limit with exit 75 and a message naming the limit, its batch journal on disk for
 * {@code --resume}. The tight loop and the journal are tested in a real child process, because
 * the guarantee is that the process exits even when the script's thread never returns.
 */
@Timeout(60)
class MaxTimeTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private Path script(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private ChildRun child;

    private Process postilion(String... args) throws IOException {
        child = ChildRun.start(dir, Map.of(), args);
        return child.process;
    }

    private String childErr() throws IOException {
        return child.err();
    }

    @Test
    @DisplayName("GRV-03: while (true) {} under --max-time: the process exits 75 naming the limit and the line")
    void tightLoopIsStoppedByExitingTheProcess() throws Exception {
        Path s = script("spin.groovy", "def n = 0\nwhile (true) { n++ }\n");
        long started = System.nanoTime();
        // The limit counts compiling too, which a cold JVM on a busy machine needs seconds for.
        Process p = postilion("run", "-q", "--max-time", "8s", s.toString());
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).as("the process ended").isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(p.exitValue()).as(childErr()).isEqualTo(75);
        assertThat(childErr()).startsWith("spin.groovy:2: stopped: the run took longer than --max-time 8s\n"
                + "    nothing more is sent; exit 75 is a temporary failure, so cron may simply run it again\n")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(took).as("the limit, the 2 s grace and a JVM start").isLessThan(Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("Issue 13.16: compiling counts against --max-time: a script slow to compile exits 75 at the limit")
    void compilingIsBoundedByMaxTime() throws Exception {
        // A thousand closures nested 99 deep (under the nesting limit) take Groovy tens of seconds to compile.
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append("def x").append(i).append(" = ").append("{ ".repeat(99)).append('1').append(" }".repeat(99))
                    .append('\n');
        }
        Path s = script("slow.groovy", text.toString());
        long started = System.nanoTime();
        Process p = postilion("run", "-q", "--max-time", "2s", s.toString());
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).as("the process ended").isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(p.exitValue()).as(childErr()).isEqualTo(75);
        assertThat(childErr()).isEqualTo("slow.groovy: stopped: the run took longer than --max-time 2s, while the"
                + " script was still compiling\n    nothing was sent; a script that takes this long to compile is"
                + " usually nested too deeply; exit 75 is a temporary failure\n");
        assertThat(took).as("the limit and a JVM start").isLessThan(Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("Issue 13.16: closures nested 5,000 deep are refused at once (65), before the compiler sees them")
    void pathologicalNestingIsRefusedBeforeCompiling() throws Exception {
        Path s = script("deep.groovy", "log 'start'\ndef x = " + "{ ".repeat(5000) + "1" + " }".repeat(5000) + "\n");
        long started = System.nanoTime();
        Cli.Outcome o = cli.run("run", "-q", "--max-time", "15s", s.toString());
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).isEqualTo("deep.groovy:2: script error: nested more than 100 levels deep (brackets,"
                + " braces and parentheses); Groovy's compiler slows down steeply with depth: split the script into"
                + " methods or variables\n");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("GRV-03: a batch stopped at --max-time keeps its journal; --resume then sends every row exactly once")
    void batchStoppedAtTheLimitResumesExactlyOnce() throws Exception {
        try (BatchTestServer server = new BatchTestServer()) {
            // The third message never gets its reply: the batch would wait 10 minutes for it.
            server.dataEnd = n -> n == 3 ? BatchTestServer.End.STALL : BatchTestServer.End.OK;
            StringBuilder csv = new StringBuilder("email\n");
            for (int i = 1; i <= 8; i++) {
                csv.append("r").append(i).append("@example.com\n");
            }
            Files.writeString(dir.resolve("people.csv"), csv);
            Path s = script("bulk.groovy", """
                    connect '127.0.0.1', port: port as int
                    ehlo 'client.test'
                    batch(csv('people.csv'), retries: 0) { row ->
                        send { from 'sender@example.com'; to row.email; subject 'Hi'; text 'hello' }
                    }
                    quit
                    """);
            Path journal = dir.resolve("j.jsonl");
            Process p = postilion("run", "-q", s.toString(), "--var", "port=" + server.port(), "--journal",
                    journal.toString(), "--max-time", "10s");
            assertThat(p.waitFor(40, TimeUnit.SECONDS)).as("the process ended").isTrue();
            assertThat(p.exitValue()).as(childErr()).isEqualTo(75);
            assertThat(childErr()).contains("bulk.groovy:3: stopped: the run took longer than --max-time 10s\n",
                    "    batch people.csv: the journal " + journal + " is on disk; run again with --resume to send"
                            + " what is left");
            server.release();

            // Rows are built on several threads, so the third message to arrive is not always row 3.
            String stalledTo = server.received.get(2).recipients().get(0);
            String stalledRow = stalledTo.replaceAll("\\D", "");
            List<String> lines = Files.readAllLines(journal);
            assertThat(lines.get(0)).contains("\"journal\":\"postilion-batch-journal\"");
            assertThat(lines).as("whole lines only").allMatch(l -> l.startsWith("{") && l.endsWith("}"));
            assertThat(lines).as("the stalled message is journaled as sending: in doubt, never resent")
                    .anyMatch(l -> l.startsWith("{\"row\":" + stalledRow + ",\"key\":") && l.contains("\"state\":\"sending\""));

            Path report = dir.resolve("report.jsonl");
            Cli.Outcome resumed = cli.run("run", "-q", s.toString(), "--var", "port=" + server.port(), "--journal",
                    journal.toString(), "--resume", "--report", report.toString());
            assertThat(resumed.code()).as("in doubt keeps it at 75: " + resumed.all()).isEqualTo(75);
            assertThat(Files.readString(report)).contains("\"row\":" + stalledRow + ",\"to\":\"" + stalledTo
                    + "\",\"state\":\"in-doubt\"");
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
    @DisplayName("GRV-03: in process, a loop of verbs stops at the limit: exit 75, and the connection is closed")
    void loopOfVerbsStopsAtTheLimit() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            Path s = script("poll.groovy", "connect '127.0.0.1', port: port as int\nehlo 'client.test'\n"
                    + "while (true) {\n    noop()\n}\n");
            Cli.Outcome o = cli.run("run", "-q", "--max-time", "3s", s.toString(), "--var", "port=" + server.port());
            assertThat(o.code()).isEqualTo(75);
            assertThat(o.err()).containsPattern("poll\\.groovy:[34]: stopped: the run took longer than --max-time 3s\n"
                    + "    nothing more is sent; exit 75 is a temporary failure, so cron may simply run it again\n");
            server.awaitDisconnect();
            assertThat(server.commands()).contains("EHLO client.test", "NOOP");
        }
    }

    @Test
    @DisplayName("GRV-03: maxTime in the script limits the run too, and the message names where it was set")
    void maxTimeInTheScriptLimitsTheRun() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            Path s = script("poll.groovy", "maxTime '3s'\nconnect '127.0.0.1', port: port as int\n"
                    + "ehlo 'client.test'\nwhile (true) { noop() }\n");
            Cli.Outcome o = cli.run("run", "-q", "--max-time", "1h", s.toString(), "--var", "port=" + server.port());
            assertThat(o.code()).isEqualTo(75);
            assertThat(o.err()).contains("poll.groovy:4: stopped: the run took longer than maxTime 3s (poll.groovy:1)");
        }
    }

    @Test
    @DisplayName("GRV-03: a run that ends in time is not affected by its limit")
    void runWithinTheLimitEndsNormally() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            Path s = script("quick.groovy", "connect '127.0.0.1', port: port as int\nehlo 'client.test'\nquit\n");
            Cli.Outcome o = cli.run("run", "-q", "--max-time", "30s", s.toString(), "--var", "port=" + server.port());
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.all()).isEmpty();
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            soon | --max-time: 'soon' is not a duration; write 30s, 2m, 1h, 5d, 500ms or a number of seconds
            0    | --max-time: the duration must be longer than 0 (write 30s, 10m, 1h)
            """, delimiter = '|')
    void badMaxTimeExits64AndSaysWhatToWrite(String value, String message) {
        Cli.Outcome o = cli.run("run", "--max-time", value, "samples/exchange-2003.groovy");
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).isEqualTo("postilion run: " + message + "\n");
    }

    @Test
    void badMaxTimeInTheScriptIsAScriptErrorAtItsLine() throws Exception {
        Path s = script("bad.groovy", "log 'starting'\nmaxTime 'soon'\n");
        Cli.Outcome o = cli.run("run", "-q", s.toString());
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).contains("bad.groovy:2: script error: maxTime: 'soon' is not a duration");
    }
}
