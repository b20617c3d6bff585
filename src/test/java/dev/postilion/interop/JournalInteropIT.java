package dev.postilion.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.ReportLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator does between runs, black-box through {@code postilion run} against real Postfix,
 * counted in the Maildir: the list edited between a kill and {@code --resume}, the journal moved
 * away, a resume from another folder, an output over the journal, a dry run. Every test mails its own
 * local parts ({@code ji-<test>-<uuid>-N}), so other tests' mail does not disturb the counts.
 */
@Timeout(240)
class JournalInteropIT {

    @TempDir
    Path dir;

    private RealMta mta;
    private String tag;
    private Path script;
    private Path profiles;

    @AfterEach
    void clean() {
        if (mta != null && tag != null) {
            mta.remove("X-Original-To", to -> to.startsWith(tag));
        }
    }

    private void setUp(String name, String batchOptions) throws IOException {
        mta = RealMta.require();
        tag = "ji-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        profiles = mta.writeProfiles(dir);
        script = dir.resolve("list.groovy");
        Files.writeString(script, """
                connect profile: 'mta'
                ehlo 'client.postilion.test'
                auth
                batch(csv('people.csv'), concurrency: 4%s) { row ->
                    send {
                        to row.email
                        subject "journal test ${row.n}"
                        text "message ${row.n}\\n"
                    }
                }
                quit
                """.formatted(batchOptions));
    }

    private String address(String list, int i) {
        return tag + list + "-" + i + "@" + mta.domain();
    }

    private List<String> people(String list, int from, int to) {
        List<String> rows = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            rows.add(address(list, i) + "," + i);
        }
        return rows;
    }

    private void writeCsv(List<String> rows) throws IOException {
        Files.writeString(dir.resolve("people.csv"), "email,n\n" + String.join("\n", rows) + "\n");
    }

    /** {@code postilion run} in a child JVM in {@code cwd}, output to {@code log}. */
    private Process postilion(Path cwd, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "dev.postilion.cli.Main", "run",
                script.toString(), "--profiles", profiles.toString(), "-q"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("MTA_PASS", mta.password());
        return pb.start();
    }

    private int run(String logName, String... args) throws Exception {
        return runIn(dir, logName, args);
    }

    private int runIn(Path cwd, String logName, String... args) throws Exception {
        Process p = postilion(cwd, dir.resolve(logName), args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("ended").isTrue();
        return p.exitValue();
    }

    private String log(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    /** Starts a run and kills it with SIGKILL once about half the rows are journaled as sent. */
    private void killHalfway(int rows, String... args) throws Exception {
        killAt(rows / 2, "first.log", args);
    }

    /** Starts a run and kills it with SIGKILL once {@code sent} rows are journaled as sent. */
    private void killAt(int sent, String logName, String... args) throws Exception {
        Process first = postilion(dir, dir.resolve(logName), args);
        Path journal = dir.resolve("j.journal");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sentLines(journal) < sent && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(first.isAlive()).as("still sending at " + sent + ": " + log(logName)).isTrue();
        } finally {
            first.destroyForcibly();
        }
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

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

    private Map<String, Integer> delivered(int atLeast) throws InterruptedException {
        return mta.awaitCounts("X-Original-To", to -> to.startsWith(tag), atLeast, Duration.ofSeconds(90),
                () -> !queued(tag));
    }

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

    /** The in-doubt recipients the report lists, after checking it has exactly one line per recipient. */
    private List<String> reportInDoubt(Path report, int recipients) throws IOException {
        List<Map<String, Object>> lines = ReportLines.read(report);
        Map<String, String> states = new HashMap<>();
        for (Map<String, Object> l : lines.subList(0, lines.size() - 1)) {
            assertThat(states.put((String) l.get("to"), (String) l.get("state"))).as("one line for " + l.get("to"))
                    .isNull();
        }
        assertThat(lines.get(lines.size() - 1)).containsEntry("summary", true);
        assertThat(states).hasSize(recipients);
        assertThat(states.values()).allMatch(s -> s.equals("sent") || s.equals("in-doubt"));
        return states.entrySet().stream().filter(e -> e.getValue().equals("in-doubt")).map(Map.Entry::getKey).toList();
    }

    @Test
    void aRowInsertedAndTheListReSortedBetweenKillAndResumeSendsEveryRecipientExactlyOnceAndTheNewRow()
            throws Exception {
        setUp("resort", ", rate: '60/s', journal: 'j.journal'");
        int rows = 300;
        writeCsv(people("", 1, rows));
        killHalfway(rows);

        List<String> edited = people("", 1, rows);
        Collections.shuffle(edited, new Random(11));
        edited.add(0, address("new", 1) + ",0");
        writeCsv(edited);
        Path report = dir.resolve("report.jsonl");
        int code = run("resume.log", "--resume", "--rate", "1000/s", "--report", report.toString());
        List<String> inDoubt = reportInDoubt(report, rows + 1);
        assertThat(code).as(log("resume.log")).isEqualTo(inDoubt.isEmpty() ? 0 : 75);
        assertThat(inDoubt).as("at most one per connection").hasSizeLessThanOrEqualTo(4);

        Map<String, Integer> counts = delivered(rows + 1 - inDoubt.size());
        assertThat(counts.getOrDefault(address("new", 1), 0)).as("the inserted row").isEqualTo(1);
        for (int i = 1; i <= rows; i++) {
            String to = address("", i);
            assertThat(counts.getOrDefault(to, 0)).as(to).isBetween(inDoubt.contains(to) ? 0 : 1, 1);
        }
    }

    @Test
    void killedTwiceAndResumedTheFinalReportHasOneLinePerRecipientWithTheStateTheMaildirShows() throws Exception {
        setUp("rekill", ", rate: '60/s', journal: 'j.journal', report: 'r.jsonl'");
        int rows = 300;
        writeCsv(people("", 1, rows));
        killAt(90 + new Random().nextInt(30), "first.log");
        killAt(180 + new Random().nextInt(30), "second.log", "--resume");
        Path report = dir.resolve("r.jsonl");
        assertThat(dir.resolve("r.jsonl.partial")).as("a killed run leaves its partial report").exists();
        int code = run("last.log", "--resume", "--rate", "1000/s");
        List<String> inDoubt = reportInDoubt(report, rows);
        assertThat(code).as(log("last.log")).isEqualTo(inDoubt.isEmpty() ? 0 : 75);
        assertThat(ReportLines.read(report)).as("carried forward from the killed runs")
                .anyMatch(l -> Boolean.TRUE.equals(l.get("earlierRun")));
        Map<String, Integer> counts = delivered(rows - inDoubt.size());
        for (int i = 1; i <= rows; i++) {
            String to = address("", i);
            assertThat(counts.getOrDefault(to, 0)).as(to + (inDoubt.contains(to) ? " (in doubt)" : " (sent)"))
                    .isBetween(inDoubt.contains(to) ? 0 : 1, 1);
        }
    }

    @Test
    void aDifferentListUnderTheSameNameBetweenKillAndResumeIsRefusedWith65AndNothingIsSent() throws Exception {
        setUp("replaced", ", rate: '60/s', journal: 'j.journal'");
        int rows = 200;
        writeCsv(people("", 1, rows));
        killHalfway(rows);
        writeCsv(people("other", 1, rows));
        int code = run("resume.log", "--resume");
        assertThat(code).as(log("resume.log")).isEqualTo(65);
        assertThat(log("resume.log")).contains("journal " + dir.resolve("j.journal") + " names ")
                .contains("but " + dir.resolve("people.csv") + " holds only 0 of them")
                .contains("--resume --source-changed=accept");
        Thread.sleep(2000);
        assertThat(delivered(1)).as("nothing of the other list").noneSatisfy((to, n) ->
                assertThat(to).startsWith(tag + "other"));
    }

    @Test
    void retiringTheJournalThenResumingSendsNothingTwice() throws Exception {
        setUp("retired", ", journal: 'j.journal'");
        writeCsv(people("", 1, 5));
        assertThat(run("first.log")).as(log("first.log")).isZero();
        assertThat(delivered(5)).hasSize(5);
        Files.move(dir.resolve("j.journal"), dir.resolve("j.journal.retired"));
        assertThat(run("resume.log", "--resume")).isEqualTo(64);
        assertThat(log("resume.log")).contains("no journal at " + dir.resolve("j.journal"));
        Thread.sleep(1500);
        assertThat(delivered(5)).hasSize(5).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
    }

    @Test
    void aResumeFromAnotherWorkingFolderIsRefusedAndSendsNothing() throws Exception {
        setUp("cwd", "");
        writeCsv(people("", 1, 5));
        assertThat(run("first.log", "--journal", "j.journal")).as(log("first.log")).isZero();
        Path home = Files.createDirectory(dir.resolve("home"));
        assertThat(runIn(home, "resume.log", "--journal", "j.journal", "--resume")).isEqualTo(64);
        assertThat(log("resume.log")).contains("no journal at " + home.resolve("j.journal") + "; nothing was sent");
        assertThat(home.resolve("j.journal")).doesNotExist();
        Thread.sleep(1500);
        assertThat(delivered(5)).hasSize(5).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
    }

    @Test
    void aTranscriptOrReportNamingTheJournalIsRefusedAndTheJournalKept() throws Exception {
        setUp("output", ", journal: 'j.journal'");
        writeCsv(people("", 1, 3));
        assertThat(run("first.log")).as(log("first.log")).isZero();
        Path journal = dir.resolve("j.journal");
        byte[] before = Files.readAllBytes(journal);
        assertThat(run("t.log", "--resume", "--transcript", "j.journal")).isEqualTo(64);
        assertThat(log("t.log")).contains("--transcript " + journal + " is a batch journal");
        assertThat(run("r.log", "--resume", "--report", "j.journal")).isEqualTo(64);
        assertThat(run("rr.log", "--resume", "--journal", "j.journal", "--report", "./j.journal")).isEqualTo(64);
        assertThat(log("rr.log")).contains("--report " + journal + " is the same file as --journal");
        assertThat(Files.readAllBytes(journal)).isEqualTo(before);
        assertThat(delivered(3)).hasSize(3).allSatisfy((to, n) -> assertThat(n).as(to).isEqualTo(1));
    }

    @Test
    void aDryRunLeavesTheReportByteIdentical() throws Exception {
        setUp("dry", ", journal: 'j.journal', report: 'r.jsonl'");
        writeCsv(people("", 1, 3));
        assertThat(run("first.log")).as(log("first.log")).isZero();
        byte[] report = Files.readAllBytes(dir.resolve("r.jsonl"));
        byte[] journal = Files.readAllBytes(dir.resolve("j.journal"));
        writeCsv(people("", 1, 6));
        assertThat(run("dry.log", "--resume", "--dry-run")).as(log("dry.log")).isZero();
        assertThat(Files.readAllBytes(dir.resolve("r.jsonl"))).isEqualTo(report);
        assertThat(Files.readAllBytes(dir.resolve("j.journal"))).isEqualTo(journal);
        assertThat(delivered(3)).hasSize(3);
    }
}
