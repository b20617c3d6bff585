package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** One rule for every command: one that names no server and no profile uses the profiles file's default:. */
@Timeout(60)
class DefaultProfileTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @TempDir
    Path dir;

    private final Cli cli = new Cli();
    private Path profiles;

    @BeforeEach
    void profilesWithADefault() throws Exception {
        profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                default: local
                profiles:
                  local:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    from: tester@x.test
                  elsewhere:
                    host: 127.0.0.2
                    port: 1
                    tls: none
                """.formatted(greenMail.getSmtp().getPort()));
        Files.setPosixFilePermissions(profiles, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void sendWithNoServerUsesTheDefaultProfile() throws Exception {
        Cli.Outcome o = cli.run("send", "--profiles", profiles.toString(), "--to", "b@y.test", "--body", "hi");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains(" -> MAIL FROM:<tester@x.test>");
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void sendFindsTheDefaultThroughPostilionProfilesToo() {
        cli.env.put("POSTILION_PROFILES", profiles.toString());
        Cli.Outcome o = cli.run("send", "--to", "b@y.test", "--body", "hi");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void sendAsTheProfilesPageWritesItWithABodyFile() throws Exception {
        // profiles.md: postilion send --profile work --to someone@example.com --subject Hi --body @note.txt
        Files.writeString(profiles, Files.readString(profiles).replace("  elsewhere:", "  work:\n    extends: local\n"
                + "  elsewhere:"));
        Path note = dir.resolve("note.txt");
        Files.writeString(note, "A note --bcc x@evil.test\n");
        Cli.Outcome o = cli.run("send", "--profiles", profiles.toString(), "--profile", "work", "--to",
                "someone@example.com", "--subject", "Hi", "--body", "@" + note);
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        assertThat(o.out().lines().filter(l -> l.startsWith(" -> RCPT TO:"))).containsExactly(
                " -> RCPT TO:<someone@example.com>");
    }

    @Test
    void checkWithNoTargetUsesTheDefaultProfile() {
        Cli.Outcome o = cli.run("check", "--profiles", profiles.toString());
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains("127.0.0.1:" + greenMail.getSmtp().getPort()).contains(": OK");
    }

    @Test
    void profilesTestWithNoNameUsesTheDefaultProfile() {
        Cli.Outcome o = cli.run("profiles", "--profiles", profiles.toString(), "test");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains("profile 'local' works");
    }

    @Test
    void runsConnectWithNoHostUsesTheDefaultProfile() throws Exception {
        Path script = dir.resolve("default.groovy");
        Files.writeString(script, """
                connect timeout: '20s'
                ehlo 'client.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                data {
                    subject 'default'
                    text 'hi'
                }
                quit
                """);
        Cli.Outcome o = cli.run("run", "--profiles", profiles.toString(), script.toString());
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains("profile 'local'");
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void anExplicitServerOrProfileWinsOverTheDefault() {
        Cli.Outcome named = cli.run("check", "--profiles", profiles.toString(), "--profile", "elsewhere");
        assertThat(named.code()).isEqualTo(75);
        assertThat(named.all()).contains("127.0.0.2:1").doesNotContain(":" + greenMail.getSmtp().getPort());
        Cli.Outcome word = cli.run("check", "--profiles", profiles.toString(), "elsewhere");
        assertThat(word.code()).isEqualTo(75);
        assertThat(word.all()).contains("127.0.0.2:1");
        Cli.Outcome server = cli.run("send", "--profiles", profiles.toString(), "--server", "127.0.0.1:1", "--from",
                "a@x.test", "--to", "b@y.test");
        assertThat(server.code()).isEqualTo(75);
        assertThat(server.err()).contains("127.0.0.1:1");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void noServerNoProfileAndNoDefaultIsAUsageError() throws Exception {
        Files.writeString(profiles, Files.readString(profiles).replace("default: local\n", ""));
        Cli.Outcome send = cli.run("send", "--profiles", profiles.toString(), "--from", "a@x.test", "--to", "b@y.test");
        Cli.Outcome check = cli.run("check", "--profiles", profiles.toString());
        for (Cli.Outcome o : new Cli.Outcome[] {send, check}) {
            assertThat(o.code()).as(o.all()).isEqualTo(64);
            assertThat(o.err()).contains("no server: give --server HOST[:PORT] or --profile NAME")
                    .contains(profiles + " has no default: profile");
        }
        // The first thing missing is said first: where to send, before who from.
        Cli.Outcome none = new Cli().run("send", "--to", "b@y.test");
        assertThat(none.code()).isEqualTo(64);
        assertThat(none.err()).isEqualTo("postilion send: no server: give --server HOST[:PORT] or --profile NAME"
                + " (or set default: NAME in the profiles file)\n");
    }
}
