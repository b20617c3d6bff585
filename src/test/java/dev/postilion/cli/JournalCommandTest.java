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

/** {@code postilion journal show} and {@code settle}: a way out for in-doubt messages that is not "retire the journal". */
@Timeout(30)
class JournalCommandTest {

    @TempDir
    Path dir;

    private BatchTestServer server;
    private final Cli cli = new Cli();
    private Path script;
    private Path journal;

    @BeforeEach
    void start() throws IOException {
        server = new BatchTestServer();
        Files.writeString(dir.resolve("people.csv"), "email,name\nann@example.com,Ann\nbob@example.com,Bob\n"
                + "cy@example.com,Cy\n");
        script = dir.resolve("bulk.groovy");
        Files.writeString(script, """
                connect '127.0.0.1', port: port as int
                ehlo 'client.test'
                batch(csv('people.csv'), retries: 0) { row ->
                    send { from 'sender@example.com'; to row.email; subject "Hi ${row.name}"; text 'hello' }
                }
                quit
                """);
        journal = dir.resolve("j.journal");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private Cli.Outcome run(String... extra) {
        List<String> args = new ArrayList<>(List.of("run", script.toString(), "-q", "--var", "port=" + server.port(),
                "--journal", journal.toString()));
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    /** A first run whose second message is in doubt (the connection drops after its final dot). */
    private void runWithOneInDoubt() {
        server.dataEnd = n -> n == 2 ? BatchTestServer.End.DROP : BatchTestServer.End.OK;
        assertThat(run().code()).isEqualTo(75);
        server.dataEnd = n -> BatchTestServer.End.OK;
    }

    /** The row number and address of the one in-doubt recipient, as {@code journal show} lists it. */
    private String[] inDoubt() {
        String out = cli.run("journal", "show", journal.toString()).out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\n    row (\\d+)  key ([0-9a-f]{16})  (\\S+)  <")
                .matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new String[] {m.group(1), m.group(2), m.group(3)};
    }

    @Test
    void showListsInDoubtMessagesFirst() {
        runWithOneInDoubt();
        Cli.Outcome show = cli.run("journal", "show", journal.toString());
        assertThat(show.code()).isZero();
        assertThat(show.out()).startsWith("journal " + journal.toAbsolutePath() + "\n")
                .contains("rows by key (recipients)")
                .containsPattern("  in doubt: 1 recipient \\(the final dot went out and no reply came: maybe delivered\\)\n"
                        + "    row \\d  key [0-9a-f]{16}  \\S+@example.com  <")
                .contains("postilion journal settle " + journal.toAbsolutePath() + " --all --as sent");
        assertThat(show.out().indexOf("in doubt")).isLessThan(show.out().indexOf("done:"));
    }

    @Test
    void settlingInDoubtMessagesAsSentLeavesResumeNothingAndItExitsZero() {
        runWithOneInDoubt();
        String[] doubtful = inDoubt();
        assertThat(run("--resume").code()).as("in doubt keeps a resume at 75").isEqualTo(75);
        int received = server.received.size();
        Cli.Outcome settle = cli.run("journal", "settle", journal.toString(), "--all", "--as", "sent");
        assertThat(settle.code()).isZero();
        assertThat(settle.out()).contains("settled as sent: row " + doubtful[0] + " key " + doubtful[1] + " "
                + doubtful[2]).contains("1 recipient settled in " + journal.toAbsolutePath());
        Cli.Outcome again = run("--resume");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(server.received).as("nothing sent again").hasSize(received);
        assertThat(cli.run("journal", "show", journal.toString()).out()).contains("in doubt: 0 recipients");
    }

    @Test
    void settlingByRowOrKeyTakesThatMessageOnly() throws IOException {
        runWithOneInDoubt();
        String[] doubtful = inDoubt();
        String other = doubtful[0].equals("1") ? "2" : "1";
        Cli.Outcome none = cli.run("journal", "settle", journal.toString(), "--row", other, "--as", "sent");
        assertThat(none.code()).isEqualTo(65);
        assertThat(none.err()).contains("nothing in doubt in row " + other + " of " + journal.toAbsolutePath());
        Cli.Outcome settle = cli.run("journal", "settle", journal.toString(), "--key", doubtful[1], "--as", "failed");
        assertThat(settle.code()).as(settle.err()).isZero();
        assertThat(Files.readString(journal)).contains("\"state\":\"failed\",\"to\":[\"" + doubtful[2]
                + "\"],\"settled\"");
        assertThat(cli.run("journal", "show", journal.toString()).out()).contains("in doubt: 0 recipients")
                .contains("row " + doubtful[0] + "  key " + doubtful[1] + "  " + doubtful[2] + "  <");
        Cli.Outcome again = run("--resume");
        assertThat(again.code()).as("settled as failed: nothing left to do " + again.err())
                .isZero();
    }

    @Test
    void settleNeedsOneSelectionAndADecision() {
        assertThat(cli.run("journal", "settle", journal.toString(), "--as", "sent").code()).isEqualTo(64);
        assertThat(cli.run("journal", "settle", journal.toString(), "--all", "--row", "2", "--as", "sent").code())
                .isEqualTo(64);
        Cli.Outcome maybe = cli.run("journal", "settle", journal.toString(), "--all", "--as", "maybe");
        assertThat(maybe.code()).isEqualTo(64);
        assertThat(maybe.err()).contains("--as takes sent (they arrived) or failed (give them up), not 'maybe'");
    }

    @Test
    void showOrSettleWithNoJournalExits66NamingTheAbsolutePath() {
        Cli.Outcome o = cli.run("journal", "show", "nowhere.journal");
        assertThat(o.code()).isEqualTo(66);
        assertThat(o.err()).contains("no journal at " + Path.of("nowhere.journal").toAbsolutePath());
        assertThat(cli.run("journal", "settle", dir.resolve("x.journal").toString(), "--all", "--as", "sent").code())
                .isEqualTo(66);
        assertThat(dir.resolve("x.journal")).doesNotExist();
    }
}
