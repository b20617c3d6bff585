package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postilion.server.CaptureServer;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class SendCommandTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private String server() {
        return "127.0.0.1:" + greenMail.getSmtp().getPort();
    }

    @Test
    void plainSendArrivesWithTheGivenHeaders() throws Exception {
        Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test,c@y.test", "--subject", "Grüße", "--body", "hello", "--header", "X-Test: 1");
        assertThat(o.code()).as(o.all()).isZero();
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertThat(got).hasSize(2);
        assertThat(got[0].getSubject()).isEqualTo("Grüße");
        assertThat(got[0].getHeader("X-Test")[0]).isEqualTo("1");
        assertThat(o.out()).contains(" -> MAIL FROM:<a@x.test>").contains("<-  250");
    }

    @Test
    void rawDataKeepsDotsAndTurnsBareLfIntoCrlf() throws Exception {
        Path eml = dir.resolve("m.eml");
        Files.writeString(eml, "Subject: raw\n\n.leading dot\nbare lf\n..two dots\n");
        Cli.Outcome o = cli.run("send", "-q", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test", "--data", eml.toString());
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).isEmpty();
        MimeMessage m = greenMail.getReceivedMessages()[0];
        assertThat(((String) m.getContent())).isEqualTo(".leading dot\r\nbare lf\r\n..two dots");
    }

    @Test
    void quitAfterRcptSendsNoData() {
        Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test", "--quit-after", "rcpt");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains(" -> RCPT TO:<b@y.test>").doesNotContain(" -> DATA");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void authLoginWithWrongPasswordExits77AndNeverShowsIt() {
        greenMail.setUser("guyt@x.test", "guyt", "right");
        cli.env.put("PW", "wrong-Secret-99");
        Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--auth", "login", "--user", "guyt",
                "--password-env", "PW", "--from", "a@x.test", "--to", "b@y.test");
        assertThat(o.code()).as(o.all()).isEqualTo(77);
        assertThat(o.err()).contains("postilion send: AUTH LOGIN refused\n    " + server() + " replied: 535");
        String b64 = Base64.getEncoder().encodeToString("wrong-Secret-99".getBytes());
        assertThat(o.all()).doesNotContain("wrong-Secret-99").doesNotContain(b64);
    }

    @Test
    void passwordNeverInTranscript() {
        greenMail.setUser("guyt@x.test", "guyt", "s3cret-Pa55");
        cli.env.put("PW", "s3cret-Pa55");
        for (String mech : List.of("login", "plain")) {
            Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--auth", mech, "--user", "guyt",
                    "--password-env", "PW", "--from", "a@x.test", "--to", "b@y.test");
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.all()).doesNotContain("s3cret-Pa55")
                    .doesNotContain(Base64.getEncoder().encodeToString("s3cret-Pa55".getBytes()))
                    .doesNotContain(Base64.getEncoder().encodeToString("\0guyt\0s3cret-Pa55".getBytes()))
                    .contains("********");
        }
    }

    @Test
    void noOptionTakesAPasswordValue() {
        CommandLine cmd = Main.commandLine(Io.system());
        for (CommandLine sub : cmd.getSubcommands().values()) {
            sub.getCommandSpec().options().forEach(opt -> {
                for (String name : opt.names()) {
                    if (name.contains("pass") || name.contains("token")) {
                        assertThat(name).as("option %s of %s", name, sub.getCommandName())
                                .matches("--(password|token)-(env|file)");
                    }
                }
            });
        }
    }

    @Test
    void connectionRefusedExits75() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli.Outcome o = cli.run("send", "--server", "127.0.0.1:" + port, "--from", "a@x.test", "--to", "b@y.test");
        assertThat(o.code()).isEqualTo(75);
        assertThat(o.err()).contains("postilion send: CONNECT 127.0.0.1:" + port
                + " failed: no reply (connection refused)");
    }

    @Test
    void starttlsAndAuthAgainstTheCaptureServer() throws Exception {
        List<CaptureServer.Captured> got = new CopyOnWriteArrayList<>();
        try (CaptureServer s = CaptureServer.start(CaptureServer.Settings.local(dir.resolve("outbox"))
                .withUser("guyt", "pw-123"), got::add)) {
            cli.env.put("PW", "pw-123");
            Cli.Outcome o = cli.run("send", "--server", "127.0.0.1:" + s.port(), "--tls", "starttls", "--tls-ca",
                    s.certificate().toString(), "--auth", "login", "--user", "guyt", "--password-env", "PW",
                    "--from", "a@x.test", "--to", "b@y.test", "--subject", "tls", "--body", "hi");
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains("=== TLS started with protocol").contains(" ~> AUTH LOGIN")
                    .contains("<~  334 VXNlcm5hbWU6   [Username:]").contains(" ~> ********");
        }
        assertThat(got).hasSize(1);
        assertThat(Files.readString(got.get(0).file())).contains("Subject: tls");
    }

    @Test
    void untrustedCertificateExits78AndSaysHowToTrustIt() throws Exception {
        try (CaptureServer s = CaptureServer.start(CaptureServer.Settings.local(dir.resolve("outbox")), null)) {
            Cli.Outcome o = cli.run("send", "--server", "127.0.0.1:" + s.port(), "--tls", "starttls",
                    "--from", "a@x.test", "--to", "b@y.test");
            assertThat(o.code()).as(o.all()).isEqualTo(78);
            assertThat(o.err()).contains("not trusted").contains("--tls-ca FILE");
            assertThat(s.messages()).isZero();
        }
    }

    @Test
    void headerInjectionIsRefusedWith65() {
        Cli.Outcome o = cli.run("send", "--server", server(), "--from", "a@x.test", "--to", "b@y.test",
                "--subject", "hi\r\nBcc: victim@z.test");
        assertThat(o.code()).isEqualTo(65);
        assertThat(o.err()).contains("header injection refused");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void missingPasswordWithoutTerminalIsAConfigError() {
        Cli.Outcome o = cli.run("send", "--server", server(), "--auth", "login", "--user", "guyt",
                "--from", "a@x.test", "--to", "b@y.test");
        assertThat(o.code()).isEqualTo(78);
        assertThat(o.err()).contains("--password-env VAR or --password-file FILE");
    }

    @Test
    void badOptionExits64() {
        assertThat(cli.run("send", "--no-such-option").code()).isEqualTo(64);
        assertThat(cli.run("send", "--server", server(), "--tls", "sometimes", "--to", "b@y.test").code())
                .isEqualTo(64);
    }

    @Test
    void closingReplyToASecondRecipientIsATemporaryFailure() throws Exception {
        try (dev.postilion.testing.FaultServer s = dev.postilion.testing.FaultServer.start()) {
            s.on("RCPT", dev.postilion.testing.FaultServer.reply("250 2.1.5 ok"),
                    dev.postilion.testing.FaultServer.replyAndClose("421 4.3.2 shutting down"));
            Cli.Outcome o = cli.run("send", "--server", "127.0.0.1:" + s.port(), "--tls", "none", "--pipelining", "off",
                    "--from", "a@x.test", "--to", "b@y.test,c@y.test");
            assertThat(o.code()).as(o.all()).isEqualTo(75);
            assertThat(o.err()).contains("RCPT TO:<c@y.test> refused: server is closing the connection");
        }
    }

    @Test
    void showSecretsShowsThePasswordOnlyWhenAsked() {
        greenMail.setUser("guyt@x.test", "guyt", "visible-Pa55");
        cli.env.put("PW", "visible-Pa55");
        String b64 = Base64.getEncoder().encodeToString("visible-Pa55".getBytes());
        Cli.Outcome shown = cli.run("send", "--server", server(), "--tls", "none", "--auth", "login", "--user", "guyt",
                "--password-env", "PW", "--from", "a@x.test", "--to", "b@y.test", "--show-secrets");
        assertThat(shown.code()).as(shown.all()).isZero();
        assertThat(shown.out()).contains(" -> " + b64);
        Cli.Outcome masked = cli.run("send", "--server", server(), "--tls", "none", "--auth", "login", "--user", "guyt",
                "--password-env", "PW", "--from", "a@x.test", "--to", "b@y.test");
        assertThat(masked.out()).doesNotContain(b64).contains(" -> ********");
    }

    @Test
    void basicAuthRetiredExits77AndPointsToXoauth2() throws Exception {
        try (dev.postilion.testing.FaultServer s = dev.postilion.testing.FaultServer.start()) {
            s.on("AUTH", "550 5.7.30 Basic authentication is not supported for Client Submission");
            cli.env.put("PW", "retired-Pa55");
            Cli.Outcome o = cli.run("send", "--server", "127.0.0.1:" + s.port(), "--tls", "none", "--auth", "login",
                    "--user", "guyt", "--password-env", "PW", "--from", "a@x.test", "--to", "b@y.test");
            assertThat(o.code()).as(o.all()).isEqualTo(77);
            assertThat(o.err()).contains("AUTH LOGIN refused\n    127.0.0.1:" + s.port() + " replied: 550 5.7.30 Basic"
                    + " authentication is not supported for Client Submission\n    the server has retired Basic"
                    + " authentication").contains("auth: xoauth2 and token: { command: ... }");
            assertThat(o.all()).doesNotContain("retired-Pa55").doesNotContain("Exception");
            assertThat(s.commands()).noneMatch(c -> c.startsWith("MAIL"));
        }
    }

    @Test
    void aProfilesPasswordIsNotSentToAnotherServer() throws Exception {
        try (dev.postilion.testing.FaultServer s = dev.postilion.testing.FaultServer.start()) {
            Path profiles = dir.resolve("profiles.yaml");
            Files.writeString(profiles, ("profiles:\n  work:\n    host: localhost\n    port: %d\n    tls: none\n"
                    + "    auth: plain\n    username: guyt\n    password: { env: PW }\n").formatted(s.port()));
            Files.setPosixFilePermissions(profiles, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            cli.env.put("PW", "bound-Pa55");
            Cli.Outcome o = cli.run("send", "--profiles", profiles.toString(), "--profile", "work", "--server",
                    "127.0.0.1:" + s.port(), "--from", "a@x.test", "--to", "b@y.test");
            assertThat(o.code()).as(o.all()).isEqualTo(78);
            assertThat(o.err()).contains("--server 127.0.0.1: profile 'work' (" + profiles + ":2) holds credentials"
                    + " for localhost, and they are sent only to that host");
            assertThat(s.connections()).isZero();

            Cli.Outcome own = cli.run("send", "--profiles", profiles.toString(), "--profile", "work", "--server",
                    "LocalHost:" + s.port(), "--from", "a@x.test", "--to", "b@y.test");
            assertThat(own.code()).as(own.all()).isZero();
            assertThat(s.commands()).anyMatch(c -> c.startsWith("AUTH PLAIN"));
            assertThat(own.all()).doesNotContain("bound-Pa55");
        }
    }
}
