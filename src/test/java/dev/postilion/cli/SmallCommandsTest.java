package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmallCommandsTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    @ParameterizedTest
    @CsvSource(textBlock = """
            decode | VXNlcm5hbWU6 | Username:
            decode | UGFzc3dvcmQ6 | Password:
            encode | guyt         | Z3V5dA==
            decode | AGd1eXQAcHc= | \\0guyt\\0pw
            """, delimiter = '|')
    void base64EncodesAndDecodes(String direction, String text, String expected) {
        Cli.Outcome o = cli.run("base64", direction, text);
        assertThat(o.code()).isZero();
        assertThat(o.out().trim()).isEqualTo(expected);
    }

    @Test
    void base64ReadsStdin() {
        cli.stdin = "guyt";
        assertThat(cli.run("base64", "encode", "-").out().trim()).isEqualTo("Z3V5dA==");
    }

    @Test
    void unknownDirectionIsAUsageErrorAndDecodesNothing() {
        Cli.Outcome o = cli.run("base64", "exyz", "Z3V5dA==");
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.out()).isEmpty();
        assertThat(o.err()).contains("postilion base64: unknown command 'exyz'; commands: encode, decode");
    }

    @Test
    void badBase64Exits65() {
        Cli.Outcome o = cli.run("base64", "decode", "not*base64");
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).contains("is not base64");
    }

    @Test
    void checkListsCapabilitiesAndSendsNoMail() {
        Cli.Outcome o = cli.run("check", "127.0.0.1:" + greenMail.getSmtp().getPort(), "--tls", "none");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains("offers:").contains(" -> QUIT").contains(": OK").doesNotContain("MAIL FROM");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void profilesListShowAndTest() throws Exception {
        Path f = dir.resolve("profiles.yaml");
        Files.writeString(f, """
                default: local
                profiles:
                  local:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: none
                  work:
                    host: smtp.example.com
                    username: guyt
                    password: { env: WORK_PASS }
                """.formatted(greenMail.getSmtp().getPort()));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        cli.env.put("WORK_PASS", "never-shown-77");
        Cli.Outcome list = cli.run("profiles", "--profiles", f.toString(), "list");
        assertThat(list.code()).as(list.all()).isZero();
        assertThat(list.out()).contains("local").contains("work").contains("*");
        Cli.Outcome show = cli.run("profiles", "--profiles", f.toString(), "show", "work");
        assertThat(show.code()).as(show.all()).isZero();
        assertThat(show.out()).contains("<env WORK_PASS>").doesNotContain("never-shown-77");
        Cli.Outcome test = cli.run("profiles", "--profiles", f.toString(), "test", "local");
        assertThat(test.code()).as(test.all()).isZero();
        assertThat(test.out()).contains("profile 'local' works");
        Cli.Outcome unknown = cli.run("profiles", "--profiles", f.toString(), "show", "nope");
        assertThat(unknown.code()).isEqualTo(78);
        Cli.Outcome missing = cli.run("profiles", "--profiles", dir.resolve("none.yaml").toString(), "list");
        assertThat(missing.code()).isEqualTo(66);
    }

    @Test
    void helpListsExitCodes() {
        Cli.Outcome o = cli.run("--help");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("Exit codes:").contains(" 75").contains("TEMPFAIL").contains(" 77");
    }

    @Test
    void base64WithNoTextReadsStandardInputWithoutItsLastNewline() {
        cli.stdin = "s3cret-Pa55\n";
        Cli.Outcome o = cli.run("base64", "encode");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).isEqualTo("czNjcmV0LVBhNTU=\n");
        cli.stdin = "czNjcmV0LVBhNTU=\r\n";
        assertThat(cli.run("base64", "decode").out()).isEqualTo("s3cret-Pa55\n");
        cli.stdin = "guyt\n";
        assertThat(cli.run("base64", "encode", "-").out()).isEqualTo("Z3V5dA==\n");
    }

    @Test
    void base64WithNoTextOnATerminalAsksWithoutEcho() {
        cli.typed = "typed-Pa55".toCharArray();
        cli.stdin = "not this";
        Cli.Outcome o = cli.run("base64", "encode");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).isEqualTo("dHlwZWQtUGE1NQ==\n").doesNotContain("typed-Pa55");
    }

    @Test
    void base64HelpSaysHowToKeepAPasswordOutOfShellHistory() {
        Cli.Outcome o = cli.run("base64", "--help");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("With no TEXT (or TEXT -), the text is read from standard input")
                .contains("shell history");
    }

    @Test
    void profilesListShowsEveryProfileAndMarksTheOneWithAModeProblem() throws Exception {
        Path f = dir.resolve("profiles.yaml");
        Files.writeString(f, """
                default: work
                profiles:
                  work:
                    host: smtp.example.com
                    username: guyt
                    password: { env: WORK_PASS }
                  legacy:
                    host: mail.example.com
                    username: guyt
                    password: "literal-Secret-42"
                  child:
                    extends: legacy
                    host: child.example.com
                  local:
                    host: 127.0.0.1
                """);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Outcome list = cli.run("profiles", "--profiles", f.toString(), "list");
        assertThat(list.code()).as(list.all()).isZero();
        assertThat(list.all()).doesNotContain("literal-Secret-42");
        assertThat(list.out().lines()).hasSize(5);
        assertThat(list.out()).containsPattern("\\* work +smtp.example.com:587")
                .containsPattern("  local +127.0.0.1:25");
        assertThat(list.out().lines().filter(l -> l.contains("legacy")).findFirst().orElseThrow())
                .contains("error: ").contains("only its owner may read").contains("chmod 600");
        assertThat(list.out().lines().filter(l -> l.contains("child")).findFirst().orElseThrow())
                .contains("error: ").contains("chmod 600");
        Cli.Outcome show = cli.run("profiles", "--profiles", f.toString(), "show", "work");
        assertThat(show.code()).as(show.all()).isZero();
        // Using any profile of that file is still refused: the secret is readable by others.
        Cli.Outcome test = cli.run("profiles", "--profiles", f.toString(), "test", "local");
        assertThat(test.code()).isEqualTo(78);
        assertThat(test.err()).contains("chmod 600");
    }

    @Test
    void checkArgumentMistakesFailBeforeConnecting() throws Exception {
        try (dev.postilion.testing.FaultServer s = dev.postilion.testing.FaultServer.start()) {
            String target = "127.0.0.1:" + s.port();
            for (String[] args : List.of(new String[] {"check", target, "--auth", "scram", "--user", "u"},
                    new String[] {"check", target, "--user", "u", "--password-env", "PW"},
                    new String[] {"check", target, "--auth", "login"},
                    new String[] {"check", target, "--pipelining", "sometimes"},
                    new String[] {"check", "127.0.0.1", "--port", "0"})) {
                Cli.Outcome o = cli.run(args);
                assertThat(o.code()).as(String.join(" ", args) + "\n" + o.all()).isEqualTo(64);
                assertThat(o.err()).startsWith("postilion check: ");
            }
            assertThat(s.connections()).isZero();
        }
    }
}
