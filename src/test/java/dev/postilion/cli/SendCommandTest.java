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
            assertThat(o.err()).contains("not trusted").contains("--tls-ca FILE")
                    .doesNotContain("tlsCa").doesNotContain("tls_ca");
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
                    + " for localhost, and this connection goes to 127.0.0.1\n    a profile's credentials are sent only"
                    + " to its own host; for 127.0.0.1 define a profile of its own (extends: work, host: 127.0.0.1)\n"
                    + "    or give 127.0.0.1 credentials of its own: --user with --password-env or --password-file");
            assertThat(s.connections()).isZero();

            Cli.Outcome own = cli.run("send", "--profiles", profiles.toString(), "--profile", "work", "--server",
                    "LocalHost:" + s.port(), "--from", "a@x.test", "--to", "b@y.test");
            assertThat(own.code()).as(own.all()).isZero();
            assertThat(s.commands()).anyMatch(c -> c.startsWith("AUTH PLAIN"));
            assertThat(own.all()).doesNotContain("bound-Pa55");
        }
    }

    private static long rcptLines(Cli.Outcome o) {
        return o.out().lines().filter(l -> l.contains("RCPT TO:")).filter(l -> l.contains("->")).count();
    }

    private String onlyBody() throws Exception {
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertThat(got).hasSize(1);
        return ((String) got[0].getContent()).replace("\r\n", "\n").stripTrailing();
    }

    @Test
    void bodyFileIsNeverParsedAsOptions() throws Exception {
        Path note = dir.resolve("note.txt");
        Files.writeString(note, "Hi --bcc x@evil.test\n");
        for (String[] form : List.of(new String[] {"--body", "@" + note}, new String[] {"--body=@" + note})) {
            greenMail.reset();
            List<String> args = new java.util.ArrayList<>(List.of("send", "--server", server(), "--tls", "none",
                    "--from", "a@x.test", "--to", "b@y.test"));
            args.addAll(List.of(form));
            Cli.Outcome o = cli.run(args.toArray(String[]::new));
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(rcptLines(o)).as(o.out()).isEqualTo(1);
            assertThat(o.out()).doesNotContain("evil.test>");
            assertThat(onlyBody()).isEqualTo("Hi --bcc x@evil.test");
        }
    }

    @Test
    void htmlAndDataFilesAreNeverParsedAsOptions() throws Exception {
        Path page = dir.resolve("page.html");
        Files.writeString(page, "<p>Hi</p> --bcc x@evil.test\n");
        Cli.Outcome html = cli.run("send", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test", "--html=@" + page);
        assertThat(html.code()).as(html.all()).isZero();
        assertThat(rcptLines(html)).isEqualTo(1);
        Path eml = dir.resolve("m.eml");
        Files.writeString(eml, "Subject: raw --bcc x@evil.test\n\nbody --cc y@evil.test\n");
        for (String form : List.of(eml.toString(), "@" + eml)) {
            greenMail.reset();
            Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--from", "a@x.test",
                    "--to", "b@y.test", "--data", form);
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(rcptLines(o)).isEqualTo(1);
            assertThat(onlyBody()).isEqualTo("body --cc y@evil.test");
        }
    }

    @Test
    void bodyFromStandardInputWithDash() throws Exception {
        cli.stdin = "from stdin --bcc x@evil.test\n";
        Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test", "--body", "-");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(rcptLines(o)).isEqualTo(1);
        assertThat(onlyBody()).isEqualTo("from stdin --bcc x@evil.test");
    }

    @Test
    void htmlFromStandardInputWithDash() throws Exception {
        cli.stdin = "<p>from stdin</p>";
        Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test", "--html", "-");
        assertThat(o.code()).as(o.all()).isZero();
        MimeMessage m = greenMail.getReceivedMessages()[0];
        assertThat(m.getContentType()).startsWith("text/html");
        assertThat(((String) m.getContent())).contains("<p>from stdin</p>");
    }

    @Test
    void rawMessageFromStandardInputWithDash() throws Exception {
        cli.stdin = "Subject: piped\n\npiped body\n";
        Cli.Outcome o = cli.run("send", "-q", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test", "--data", "-");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(greenMail.getReceivedMessages()[0].getSubject()).isEqualTo("piped");
        assertThat(onlyBody()).isEqualTo("piped body");
    }

    @Test
    void doubleAtSendsATextThatStartsWithAt() throws Exception {
        Cli.Outcome o = cli.run("send", "--server", server(), "--tls", "none", "--from", "a@x.test",
                "--to", "b@y.test", "--body", "@@home is where the mail is");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(onlyBody()).isEqualTo("@home is where the mail is");
    }

    @Test
    void bodyFileThatIsMissingExits66BeforeConnecting() throws Exception {
        try (dev.postilion.testing.FaultServer s = dev.postilion.testing.FaultServer.start()) {
            Cli.Outcome o = cli.run("send", "--server", "127.0.0.1:" + s.port(), "--tls", "none", "--from", "a@x.test",
                    "--to", "b@y.test", "--body", "@" + dir.resolve("none.txt"));
            assertThat(o.code()).as(o.all()).isEqualTo(66);
            assertThat(o.err()).contains("--body @" + dir.resolve("none.txt") + ": " + dir.resolve("none.txt") + " does not exist");
            assertThat(s.connections()).isZero();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            --data - with no recipient             | 64 | --from a@x.test --data -                                 | no recipient: give --to ADDR
            --data FILE with no sender             | 64 | --to b@y.test --data @EML                                 | no sender: give --from ADDR
            no sender                              | 64 | --to b@y.test --body hi                                   | no sender: give --from ADDR
            no recipient                           | 64 | --from a@x.test --body hi                                 | no recipient: give --to ADDR
            a missing attachment                   | 66 | --from a@x.test --to b@y.test --attach DIR/none.pdf       | attach 'DIR/none.pdf': no such file
            a missing inline image                 | 66 | --from a@x.test --to b@y.test --html <img> --inline c=DIR/none.png | inline 'DIR/none.png': no such file
            a missing raw message                  | 66 | --from a@x.test --to b@y.test --data DIR/none.eml         | raw 'DIR/none.eml': no such file
            --inline without CID=                  | 64 | --from a@x.test --to b@y.test --html <img> --inline DIR/x.png | write CID=FILE
            --header without a colon               | 64 | --from a@x.test --to b@y.test --header X-Test               | write 'Name: value'
            two options read stdin                 | 64 | --from a@x.test --to b@y.test --body - --html -           | --body and --html both read standard input
            --data with --inline                   | 64 | --from a@x.test --to b@y.test --data @EML --inline c=DIR/x.png | cannot be combined
            an unknown AUTH mechanism              | 64 | --from a@x.test --to b@y.test --auth scram --user u --password-env PW | --auth scram: use one of auto, none, login
            --auth without --user (no prompt)      | 64 | --from a@x.test --to b@y.test --auth login                | --auth login needs --user
            --user without --auth                  | 64 | --from a@x.test --to b@y.test --user u --password-env PW  | add --auth MECH
            a port out of range                    | 64 | --from a@x.test --to b@y.test --port 99999                | --port: '99999' is not a port; write 1 to 65535
            a bad --chunking                       | 64 | --from a@x.test --to b@y.test --chunking yes              | --chunking: 'yes' is not a choice; write auto, on or off
            a bad --pipelining                     | 64 | --from a@x.test --to b@y.test --pipelining maybe          | --pipelining: 'maybe' is not a choice; write auto, on or off
            a bad --quit-after                     | 64 | --from a@x.test --to b@y.test --quit-after data           | --quit-after: 'data' is not a stage; use connect, greeting, ehlo, tls, auth, mail or rcpt
            a bad address                          | 65 | --from a@x.test --to not-an-address                       | not-an-address
            """)
    void argumentMistakesFailBeforeConnecting(String what, int code, String args, String message) throws Exception {
        Path eml = dir.resolve("m.eml");
        Files.writeString(eml, "Subject: x\n\nbody\n");
        Files.write(dir.resolve("x.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        cli.env.put("PW", "never-used-Pa55");
        cli.stdin = "Subject: piped\n\nbody\n";
        try (dev.postilion.testing.FaultServer s = dev.postilion.testing.FaultServer.start()) {
            List<String> all = new java.util.ArrayList<>(List.of("send", "--server", "127.0.0.1:" + s.port(),
                    "--tls", "none"));
            for (String a : args.trim().split(" +")) {
                all.add(a.replace("@EML", "@" + eml).replace("DIR", dir.toString()));
            }
            Cli.Outcome o = cli.run(all.toArray(String[]::new));
            assertThat(o.code()).as(what + "\n" + o.all()).isEqualTo(code);
            assertThat(o.err()).as(what).contains(message.replace("DIR", dir.toString()));
            assertThat(o.all()).doesNotContain("never-used-Pa55").doesNotContain("Exception");
            assertThat(s.connections()).as(what).isZero();
        }
    }
}
