package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.BatchTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal cannot be lost by accident: {@code --resume} never starts over silently, a new batch
 * never starts on an old journal, and no output file can be written over the journal (or another
 * output); {@code --dry-run} writes neither the report nor the journal.
 */
@Timeout(30)
class JournalSafetyTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private final Cli cli = new Cli();
    private String err = "";

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        Files.writeString(dir.resolve("people.csv"), "email,name\nann@example.com,Ann\nbob@example.com,Bob\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private Path script(String batchOptions) throws IOException {
        Path script = dir.resolve("bulk.groovy");
        Files.writeString(script, """
                connect '127.0.0.1', port: port as int
                ehlo 'client.test'
                batch(csv('people.csv'), retries: 0%s) { row ->
                    send { from 'sender@example.com'; to row.email; subject "Hi ${row.name}"; text 'hello' }
                }
                quit
                """.formatted(batchOptions));
        return script;
    }

    private int run(Path script, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", script.toString(), "-q", "--var", "port=" + server.port()));
        args.addAll(List.of(extra));
        Cli.Outcome o = cli.run(args.toArray(String[]::new));
        err = o.err();
        return o.code();
    }

    @Test
    void resumeWithNoJournalExits64NamingTheAbsolutePathAndSendsNothing() throws IOException {
        Path journal = dir.resolve("gone.journal");
        assertThat(run(script(""), "--journal", journal.toString(), "--resume")).isEqualTo(64);
        assertThat(err).contains("no journal at " + journal.toAbsolutePath() + "; nothing was sent")
                .contains("run without --resume to start a batch, or pass --new-journal");
        assertThat(journal).doesNotExist();
        assertThat(server.connections.get()).as("refused before the script connected").isZero();
    }

    @Test
    void resumeWithNoJournalNamedByTheScriptExits64AndSendsNothing() throws IOException {
        assertThat(run(script(", journal: 'w.journal'"), "--resume")).isEqualTo(64);
        assertThat(err).contains("no journal at " + dir.resolve("w.journal").toAbsolutePath() + "; nothing was sent");
        assertThat(server.mails.get()).isZero();
        assertThat(dir.resolve("w.journal")).doesNotExist();
    }

    @Test
    void retiringTheJournalThenResumingSendsNothingTwice() throws IOException {
        Path script = script(", journal: 'w.journal'");
        assertThat(run(script)).isZero();
        assertThat(server.received).hasSize(2);
        Files.move(dir.resolve("w.journal"), dir.resolve("w.journal.retired"));
        assertThat(run(script, "--resume")).isEqualTo(64);
        assertThat(server.received).as("nothing sent a second time").hasSize(2);
    }

    @Test
    void newJournalOrCreateTrueStartsAJournalWhenNoneExistsAndThenResumes() throws IOException {
        Path journal = dir.resolve("cron.journal");
        assertThat(run(script(""), "--journal", journal.toString(), "--resume", "--new-journal")).isZero();
        assertThat(run(script(""), "--journal", journal.toString(), "--resume", "--new-journal")).isZero();
        assertThat(server.received).hasSize(2);
        assertThat(run(script(", journal: 'c.journal', resume: true, create: true"))).isZero();
        assertThat(dir.resolve("c.journal")).exists();
        assertThat(server.received).hasSize(4);
    }

    @Test
    void anExistingJournalWithoutResumeExits64AndSaysToAddResume() throws IOException {
        Path script = script(", journal: 'w.journal'");
        assertThat(run(script)).isZero();
        assertThat(run(script)).isEqualTo(64);
        assertThat(err).contains("journal " + dir.resolve("w.journal").toAbsolutePath() + " already exists; nothing"
                + " was sent").contains("add --resume (resume: true) to continue that batch, or choose another journal");
        assertThat(server.received).hasSize(2);
    }

    @Test
    void transcriptEqualToTheJournalIsRefusedBeforeAnythingIsOpened() throws IOException {
        Path journal = dir.resolve("j.journal");
        assertThat(run(script(""), "--journal", journal.toString())).isZero();
        byte[] before = Files.readAllBytes(journal);
        assertThat(run(script(""), "--journal", journal.toString(), "--resume", "--transcript", journal.toString()))
                .isEqualTo(64);
        assertThat(err).contains("--transcript " + journal.toAbsolutePath() + " is the same file as --journal");
        assertThat(Files.readAllBytes(journal)).isEqualTo(before);
        assertThat(server.received).hasSize(2);
    }

    @Test
    void reportEqualToTheJournalIsRefusedAlsoThroughASymlink() throws IOException {
        Path journal = dir.resolve("j.journal");
        assertThat(run(script(""), "--journal", journal.toString())).isZero();
        byte[] before = Files.readAllBytes(journal);
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), journal);
        assertThat(run(script(""), "--journal", journal.toString(), "--resume", "--report", link.toString()))
                .isEqualTo(64);
        assertThat(err).contains("--report " + link.toAbsolutePath() + " is the same file as --journal");
        assertThat(run(script(""), "--journal", journal.toString(), "--resume", "--report", journal.toString()))
                .isEqualTo(64);
        assertThat(Files.readAllBytes(journal)).isEqualTo(before);
    }

    @Test
    void transcriptOverTheJournalTheScriptNamesIsRefused() throws IOException {
        Path script = script(", journal: 'w.journal'");
        assertThat(run(script)).isZero();
        byte[] before = Files.readAllBytes(dir.resolve("w.journal"));
        assertThat(run(script, "--resume", "--transcript", dir.resolve("w.journal").toString())).isEqualTo(64);
        assertThat(err).contains("is a batch journal; writing it would lose the record of what was sent");
        assertThat(Files.readAllBytes(dir.resolve("w.journal"))).isEqualTo(before);
    }

    @Test
    void theScriptsReportEqualToItsJournalIsRefused() throws IOException {
        assertThat(run(script(", journal: 'w.journal', report: 'w.journal'"))).isEqualTo(64);
        assertThat(err).contains("the report " + dir.resolve("w.journal").toAbsolutePath()
                + " is the same file as the journal");
        assertThat(server.mails.get()).isZero();
    }

    @Test
    void reportEqualToTranscriptIsRefused() throws IOException {
        Path out = dir.resolve("out.txt");
        assertThat(run(script(""), "--report", out.toString(), "--transcript", out.toString())).isEqualTo(64);
        assertThat(out).doesNotExist();
    }

    @Test
    void dryRunLeavesTheReportAndTheJournalByteIdentical() throws IOException {
        Path journal = dir.resolve("j.journal");
        Path report = dir.resolve("r.jsonl");
        assertThat(run(script(""), "--journal", journal.toString(), "--report", report.toString())).isZero();
        byte[] reportBefore = Files.readAllBytes(report);
        byte[] journalBefore = Files.readAllBytes(journal);
        assertThat(run(script(""), "--journal", journal.toString(), "--report", report.toString(), "--resume",
                "--dry-run")).isZero();
        assertThat(Files.readAllBytes(report)).isEqualTo(reportBefore);
        assertThat(Files.readAllBytes(journal)).isEqualTo(journalBefore);
        assertThat(dir.resolve("r.jsonl.partial")).doesNotExist();
    }
}
