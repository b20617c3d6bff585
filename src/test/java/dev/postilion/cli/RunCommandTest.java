package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.testing.FaultServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class RunCommandTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    @ParameterizedTest
    @ValueSource(strings = {"exchange-2003", "cron-report", "server-test", "bulk-welcome"})
    void everySampleRunsLocally(String sample) throws Exception {
        Path outbox = dir.resolve("outbox");
        Cli.Outcome o = cli.run("run", "--local", "--outbox", outbox.toString(), "samples/" + sample + ".groovy");
        assertThat(o.code()).as(o.all()).isZero();
        try (var files = Files.list(outbox)) {
            assertThat(files.filter(f -> f.toString().endsWith(".eml")).count()).isPositive();
        }
    }

    @Test
    void exchangeSampleLocallyShowsDecodedPromptsAndMaskedPassword() {
        Cli.Outcome o = cli.run("run", "--local", "--outbox", dir.resolve("outbox").toString(),
                "samples/exchange-2003.groovy");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains("<~  334 VXNlcm5hbWU6   [Username:]", " ~> Z3V5dA==",
                "<~  334 UGFzc3dvcmQ6   [Password:]", " ~> ********", "<~  235")
                .doesNotContain("local-test-password");
    }

    @Test
    void rcpt550ExitsUnavailableNamingTheLine() throws Exception {
        Path script = dir.resolve("weekly.groovy");
        Files.writeString(script, """
                connect 'mail.example.com'
                helo 'client.test'
                mail from: 'a@x.test'
                // the next line is refused
                rcpt to: 'b@y.test'
                quit
                """);
        try (FaultServer server = FaultServer.exchange2003()
                .on("RCPT", "550 5.1.1 <b@y.test>: Recipient address rejected")) {
            Cli.Outcome o = cli.run("run", "-q", "--connect-to", "127.0.0.1:" + server.port(), script.toString());
            assertThat(o.code()).isEqualTo(69);
            assertThat(o.err()).contains("weekly.groovy:5: RCPT TO:<b@y.test> refused\n    127.0.0.1:" + server.port()
                    + " replied: 550 5.1.1 <b@y.test>: Recipient address rejected\n");
            assertThat(server.awaitDisconnect().receivedText()).endsWith("RCPT TO:<b@y.test>\r\nQUIT\r\n");
        }
    }

    @Test
    void temporaryFailureExits75() throws Exception {
        Path script = dir.resolve("t.groovy");
        Files.writeString(script, "connect 'x'\nhelo 'c'\nmail from: 'a@x.test'\n");
        try (FaultServer server = FaultServer.exchange2003().on("MAIL", "451 4.3.0 try later")) {
            Cli.Outcome o = cli.run("run", "-q", "--connect-to", "127.0.0.1:" + server.port(), script.toString());
            assertThat(o.code()).isEqualTo(75);
            assertThat(o.err()).contains("t.groovy:3: MAIL FROM:<a@x.test> refused");
        }
    }

    @Test
    void syntaxErrorExits65WithLineAndColumn() throws Exception {
        Path script = dir.resolve("broken.groovy");
        Files.writeString(script, "connect 'x'\nmail from: 'a@b'\nrcpt to: 'unclosed\n");
        Cli.Outcome o = cli.run("run", script.toString());
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).containsPattern("broken\\.groovy:3:\\d+: syntax error");
    }

    @Test
    void dryRunListsThreeMistakesWithTheirLines() throws Exception {
        Path script = dir.resolve("three.groovy");
        Files.writeString(script, """
                connect 'mail.example.com', prot: 25
                ehlo 'x.test'
                mial from: 'a@x.test'
                mail from: 'a@x.test'
                data { subject 'no recipient yet' }
                quit
                """);
        Cli.Outcome o = cli.run("run", "--dry-run", "-q", script.toString());
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).contains(
                "three.groovy:1: script error: connect: unknown option 'prot' (did you mean 'port'?)",
                "three.groovy:3: script error: unknown verb 'mial' (did you mean 'mail'?)",
                "three.groovy:5: script error: data needs an accepted recipient first",
                "--dry-run: 3 problems found");
    }

    @Test
    void missingScriptExits66() {
        Cli.Outcome o = cli.run("run", dir.resolve("nope.groovy").toString());
        assertThat(o.code()).isEqualTo(66);
        assertThat(o.err()).contains("nope.groovy does not exist");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(textBlock = """
            --var,no-equals                | --var no-equals: write --var name=value
            --timeout,soon                 | --timeout: 'soon' is not a duration; write 30s, 2m, 1h, 5d, 500ms
            --connect-to,[::1              | --connect-to: '[::1': missing ']' after an IPv6 address
            --connect-to,host:99999        | --connect-to: 'host:99999': port 99999 is outside 1-65535
            --local,--dry-run              | --local cannot be combined with --dry-run or --connect-to
            """, delimiter = '|')
    void badOptionsExit64AndSayWhatToWrite(String args, String message) {
        List<String> all = new java.util.ArrayList<>(List.of("run"));
        all.addAll(List.of(args.split(",")));
        all.add("samples/exchange-2003.groovy");
        Cli.Outcome o = cli.run(all.toArray(String[]::new));
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).contains(message);
    }

    @Test
    void transcriptFileIsMaskedToo() throws Exception {
        Path t = dir.resolve("t.log");
        Cli.Outcome o = cli.run("run", "--local", "-q", "--outbox", dir.resolve("o").toString(), "--transcript",
                t.toString(), "samples/exchange-2003.groovy");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(Files.readString(t)).contains(" ~> ********").doesNotContain("local-test-password")
                .doesNotContain("bG9jYWwtdGVzdC1wYXNzd29yZA==");
    }

    @Test
    void theReadmeToursExchguyLineRunsAsWritten() throws Exception {
        // README: scripts/postilion run samples/exchange-2003.groovy --profiles samples/profiles.yaml --profile exchguy
        // with mail.exchguy.com played by the seed session's server.
        cli.env.put("EXCHGUY_PASSWORD", "tour-Pa55");
        try (FaultServer server = FaultServer.exchange2003()) {
            Cli.Outcome o = cli.run("run", "samples/exchange-2003.groovy", "--profiles", "samples/profiles.yaml",
                    "--profile", "exchguy", "--connect-to", "127.0.0.1:" + server.port());
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains(" -> AUTH LOGIN", "<-  235", " -> MAIL FROM:<guyt@exchguy.com>");
            assertThat(o.all()).doesNotContain("tour-Pa55");
            assertThat(server.awaitDisconnect().receivedText()).contains(java.util.Base64.getEncoder()
                    .encodeToString("tour-Pa55".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        java.util.List<String> readme = Files.readAllLines(Path.of("README.md"));
        assertThat(readme).contains("scripts/postilion run samples/exchange-2003.groovy --profiles samples/profiles.yaml"
                + " --profile exchguy");
    }

    @Test
    void theReadmeLinksNothingOutsideTheRepository() throws Exception {
        // A clone has nothing above its own folder: no path in the README may climb out of it.
        assertThat(Files.readString(Path.of("README.md"))).doesNotContain("../");
    }
}
