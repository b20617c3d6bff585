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
 * The one connection plan seen from each command that uses it: {@code run} (a script's connect),
 * {@code send}, {@code check} and {@code profiles test} bind a profile's credentials alike, word the
 * refusal alike, greet by one HELO rule, and read no secret before the server asks for it.
 */
@Timeout(60)
class ConnectionPlanSurfacesTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private Path profiles(String host, int port, String password, String extra) throws Exception {
        Path f = dir.resolve("profiles.yaml");
        Files.writeString(f, """
                profiles:
                  work:
                    host: %s
                    port: %d
                    tls: none
                    auth: login
                    username: guyt
                    password: %s
                    from: guyt@x.test
                %s""".formatted(host, port, password, extra));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        cli.env.put("WORK_PW", "B0und-Pa55");
        return f;
    }

    private Path script(String text) throws Exception {
        Path s = dir.resolve("creds.groovy");
        Files.writeString(s, text);
        return s;
    }

    @Test
    void credentialsGoOnlyToTheirOwnHostAndPortFromEverySurface() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            Path p = profiles("localhost", s.port(), "{ env: WORK_PW }", "");
            String fact = "profile 'work' (" + p + ":2) holds credentials for localhost, and this connection goes to"
                    + " 127.0.0.1\n    a profile's credentials are sent only to its own host; for 127.0.0.1 define a"
                    + " profile of its own (extends: work, host: 127.0.0.1)";

            Cli.Outcome send = cli.run("send", "--profiles", p.toString(), "--profile", "work", "--server",
                    "127.0.0.1:" + s.port(), "--to", "b@y.test", "--subject", "s", "--body", "b");
            Cli.Outcome check = cli.run("check", "--profiles", p.toString(), "--profile", "work", "--server",
                    "127.0.0.1:" + s.port());
            Cli.Outcome run = cli.run("run", "--profiles", p.toString(), script("connect '127.0.0.1', profile: 'work'"
                    + "\nehlo 'client.test'\nauth\nquit\n").toString());
            for (Cli.Outcome o : new Cli.Outcome[] {send, check, run}) {
                assertThat(o.code()).as(o.all()).isEqualTo(78);
                assertThat(o.err()).as(o.all()).contains(fact);
            }
            assertThat(s.connections()).isZero();

            Cli.Outcome otherPort;
            try (FaultServer other = FaultServer.start()) {
                Path own = profiles("127.0.0.1", s.port(), "{ env: WORK_PW }", "");
                otherPort = cli.run("run", "--profiles", own.toString(), "--profile", "work", script("connect"
                        + " '127.0.0.1', port: " + other.port() + "\nehlo 'client.test'\nauth\nquit\n").toString());
                assertThat(otherPort.code()).as(otherPort.all()).isEqualTo(78);
                assertThat(otherPort.err()).contains("holds credentials for 127.0.0.1:" + s.port() + ", and this"
                        + " connection goes to 127.0.0.1:" + other.port() + "\n    a profile's credentials are sent"
                        + " only to its own host and port, or on a connection made from the profile");
                other.awaitDisconnect();
                assertThat(other.commands()).noneMatch(c -> c.startsWith("AUTH"));

                Cli.Outcome test = cli.run("profiles", "--profiles", own.toString(), "test", "work");
                assertThat(test.code()).as(test.all()).isZero();
                assertThat(s.commands()).contains("AUTH LOGIN");
            }
            assertThat(send.all() + check.all() + run.all() + otherPort.all()).doesNotContain("B0und-Pa55");
        }
    }

    @Test
    void profilesTestAndCheckGreetByTheOneHeloRuleAndSendHonoursPipeliningOff() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            Path p = profiles("127.0.0.1", s.port(), "{ env: WORK_PW }", "    pipelining: off\n");
            cli.env.put("POSTILION_HELO", "helo-from-env.test");
            Cli.Outcome test = cli.run("profiles", "--profiles", p.toString(), "test", "work");
            assertThat(test.code()).as(test.all()).isZero();
            assertThat(s.commands()).first().isEqualTo("EHLO helo-from-env.test");

            Cli.Outcome check = cli.run("check", "--profiles", p.toString(), "--profile", "work");
            assertThat(check.code()).as(check.all()).isZero();
            assertThat(s.commands()).filteredOn(c -> c.startsWith("EHLO")).containsOnly("EHLO helo-from-env.test");
        }
        try (FaultServer s = FaultServer.start()) {
            Path p = profiles("127.0.0.1", s.port(), "{ env: WORK_PW }", "    pipelining: off\n");
            Cli.Outcome send = cli.run("send", "--profiles", p.toString(), "--profile", "work", "--to", "b@y.test",
                    "--subject", "s", "--body", "b");
            assertThat(send.code()).as(send.all()).isZero();
            assertThat(s.commandLog()).as("pipelining: off, one command per reply")
                    .allMatch(c -> c.bufferedBehind() == 0);
        }
    }

    @Test
    void aProfilePasswordIsNotReadUntilTheServerAsksForIt() throws Exception {
        Path reads = dir.resolve("reads");
        Path command = dir.resolve("password.sh");
        Files.writeString(command, "#!/bin/sh\necho read >> " + reads + "\necho B0und-Pa55\n");
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwx------"));
        try (FaultServer s = FaultServer.start().capabilities("PIPELINING")) {
            Path p = profiles("127.0.0.1", s.port(), "{ command: " + command + " }", "");
            Cli.Outcome check = cli.run("check", "--profiles", p.toString(), "--profile", "work");
            Cli.Outcome test = cli.run("profiles", "--profiles", p.toString(), "test", "work");
            Cli.Outcome send = cli.run("send", "--profiles", p.toString(), "--profile", "work", "--to", "b@y.test",
                    "--subject", "s", "--body", "b");
            for (Cli.Outcome o : new Cli.Outcome[] {check, test, send}) {
                assertThat(o.code()).as(o.all()).isEqualTo(77);
                assertThat(o.err()).contains("AUTH LOGIN impossible");
            }
            assertThat(reads).as("a server that offers no AUTH never asks for the password").doesNotExist();
        }
    }

    @Test
    void aSecretThatCannotBeReadWhenAuthAsksIsTheProfilesErrorOnEverySurface() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            Path p = profiles("127.0.0.1", s.port(), "{ env: UNSET_PW }", "");
            Cli.Outcome check = cli.run("check", "--profiles", p.toString(), "--profile", "work");
            Cli.Outcome test = cli.run("profiles", "--profiles", p.toString(), "test", "work");
            Cli.Outcome send = cli.run("send", "--profiles", p.toString(), "--profile", "work", "--to", "b@y.test",
                    "--subject", "s", "--body", "b");
            for (Cli.Outcome o : new Cli.Outcome[] {check, test, send}) {
                assertThat(o.code()).as(o.all()).isEqualTo(78);
                assertThat(o.err()).contains(p + ":8: profile 'work': password: environment variable UNSET_PW is"
                        + " not set");
            }
            assertThat(s.commands()).as("each exchange is cancelled, never answered with another line")
                    .filteredOn(c -> c.equals("*")).hasSize(3);
            assertThat(s.commands()).noneMatch(c -> c.startsWith("MAIL"));
        }
    }
}
