package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.testing.FaultServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13.11 beyond {@code check}: {@code send} and {@code profiles test} count only 235 as a
 * login, and name the mechanism {@code auto} chose.
 */
@Timeout(60)
class AuthOutcomeTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private Path profiles(int port) throws Exception {
        Path f = dir.resolve("profiles.yaml");
        Files.writeString(f, """
                profiles:
                  sink:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: auto
                    username: guyt
                    password: { env: SINK_PW }
                    from: guyt@x.test
                    helo: client.test
                """.formatted(port));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        cli.env.put("SINK_PW", "S1nk-Pa55");
        return f;
    }

    @Test
    void sendTreatsA250ToAuthAsAProtocolViolationAndSendsNoMail() throws Exception {
        try (FaultServer s = FaultServer.start().always("AUTH", FaultServer.reply("250 2.0.0 Ok"))) {
            Cli.Outcome o = cli.run("send", "--profiles", profiles(s.port()).toString(), "--profile", "sink",
                    "--to", "ops@y.test", "--subject", "s", "--body", "b");
            assertThat(o.code()).as(o.all()).isEqualTo(76);
            assertThat(o.err()).contains("AUTH CRAM-MD5 failed: reply out of step")
                    .contains("a 250 reply cannot answer AUTH");
            assertThat(s.commands()).noneMatch(c -> c.startsWith("MAIL"));
            assertThat(s.messages()).isEmpty();
        }
    }

    @Test
    void profilesTestNamesTheMechanismUsedAndCountsOnly235() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            Cli.Outcome o = cli.run("profiles", "--profiles", profiles(s.port()).toString(), "test", "sink");
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains("profile 'sink' works: 127.0.0.1:" + s.port() + ", tls none, auth CRAM-MD5"
                    + " as guyt");
        }
        try (FaultServer s = FaultServer.start().always("AUTH", FaultServer.reply("250 2.0.0 Ok"))) {
            Cli.Outcome o = cli.run("profiles", "--profiles", profiles(s.port()).toString(), "test", "sink");
            assertThat(o.code()).as(o.all()).isEqualTo(76);
            assertThat(o.out()).doesNotContain("works");
        }
    }
}
