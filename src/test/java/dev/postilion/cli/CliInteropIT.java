package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.interop.RealMta;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code postilion send}, {@code check} and profiles against real Postfix + Dovecot SASL on loopback. */
@Timeout(90)
class CliInteropIT {

    @TempDir
    Path dir;

    private RealMta mta;
    private final Cli cli = new Cli();

    @BeforeEach
    void mta() {
        mta = RealMta.require();
        cli.env.put("MTA_PASS", mta.password());
        cli.env.put("HOME", dir.toString());
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID() + "@postilion.test";
    }

    private String[] submission(String... more) {
        List<String> args = new ArrayList<>(List.of("send", "--server", "localhost:" + mta.submissionPort(),
                "--tls", "starttls", "--tls-ca", mta.caFile().toString(), "--auth", "login", "--user", mta.user(),
                "--password-env", "MTA_PASS", "--from", "guyt@postilion.test"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void starttlsAuthLoginDeliversAndMasksThePassword() {
        String to = unique("send");
        Cli.Outcome o = cli.run(submission("--to", to, "--subject", "interop", "--body", "hello"));
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(mta.awaitDeliveredTo(to, 1, Duration.ofSeconds(15))).hasSize(1);
        assertThat(o.out()).contains("=== TLS started with protocol", " ~> AUTH LOGIN",
                "<~  334 VXNlcm5hbWU6   [Username:]", " ~> ********", "<~  235");
        assertThat(o.all()).doesNotContain(mta.password())
                .doesNotContain(Base64.getEncoder().encodeToString(mta.password().getBytes()));
    }

    @Test
    void everyMechanismAndTlsModeAuthenticates() {
        for (String mech : List.of("plain", "login", "cram-md5", "auto")) {
            Cli.Outcome o = cli.run("send", "--server", "localhost:" + mta.smtpsPort(), "--tls", "implicit",
                    "--tls-ca", mta.caFile().toString(), "--auth", mech, "--user", mta.user(), "--password-env",
                    "MTA_PASS", "--from", "guyt@postilion.test", "--to", unique(mech), "-q");
            assertThat(o.code()).as(mech + ": " + o.all()).isZero();
        }
    }

    @Test
    void failureClassesExitWithTheirCodes() {
        cli.env.put("BAD", "not-the-password");
        Cli.Outcome auth = cli.run("send", "--server", "localhost:" + mta.submissionPort(), "--tls", "starttls",
                "--tls-ca", mta.caFile().toString(), "--auth", "login", "--user", mta.user(), "--password-env", "BAD",
                "--from", "guyt@postilion.test", "--to", unique("x"), "-q");
        assertThat(auth.code()).as(auth.all()).isEqualTo(77);

        Cli.Outcome relay = cli.run(submission("--to", "victim@elsewhere.example", "-q"));
        assertThat(relay.code()).as(relay.all()).isEqualTo(69);
        assertThat(relay.err()).contains("RCPT TO:<victim@elsewhere.example> refused");

        Cli.Outcome untrusted = cli.run("send", "--server", "localhost:" + mta.submissionPort(), "--tls", "starttls",
                "--from", "guyt@postilion.test", "--to", unique("x"), "-q");
        assertThat(untrusted.code()).isEqualTo(78);
        assertThat(untrusted.err()).contains("--tls-ca");

        Cli.Outcome wrongHost = cli.run("send", "--server", "localhost:" + mta.wrongHostPort(), "--tls", "starttls",
                "--tls-ca", mta.caFile().toString(), "--from", "guyt@postilion.test", "--to", unique("x"), "-q");
        assertThat(wrongHost.code()).isEqualTo(78);

        Cli.Outcome expired = cli.run("send", "--server", "localhost:" + mta.expiredCertPort(), "--tls", "starttls",
                "--tls-ca", mta.caFile().toString(), "--from", "guyt@postilion.test", "--to", unique("x"), "-q");
        assertThat(expired.code()).isEqualTo(78);

        Cli.Outcome noTls = cli.run("send", "--server", "localhost:" + mta.plainPort(), "--tls", "starttls",
                "--from", "guyt@postilion.test", "--to", unique("x"), "-q");
        assertThat(noTls.code()).isEqualTo(78);
        assertThat(noTls.err()).contains("STARTTLS required");
    }

    @Test
    void profileDrivesSendAndCheckWithoutShowingThePassword() throws Exception {
        Path profiles = mta.writeProfiles(dir);
        String to = unique("profile");
        Cli.Outcome send = cli.run("send", "--profiles", profiles.toString(), "--profile", "mta", "--to", to,
                "--subject", "via profile");
        assertThat(send.code()).as(send.all()).isZero();
        assertThat(mta.awaitDeliveredTo(to, 1, Duration.ofSeconds(15))).hasSize(1);
        Cli.Outcome check = cli.run("check", "--profiles", profiles.toString(), "mta");
        assertThat(check.code()).as(check.all()).isZero();
        assertThat(check.out()).contains("AUTH LOGIN as guyt: accepted").contains("PIPELINING");
        Cli.Outcome show = cli.run("profiles", "--profiles", profiles.toString(), "show", "mta");
        Cli.Outcome test = cli.run("profiles", "--profiles", profiles.toString(), "test", "mta");
        assertThat(test.code()).as(test.all()).isZero();
        for (Cli.Outcome o : List.of(send, check, show, test)) {
            assertThat(o.all()).doesNotContain(mta.password());
        }
    }

    @Test
    void richMimeMessageArrivesAndParsesBack() throws Exception {
        Path pdf = dir.resolve("report.pdf");
        Files.writeString(pdf, "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
        Path png = dir.resolve("logo.png");
        Files.write(png, Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
        String to = unique("mime");
        Cli.Outcome o = cli.run(submission("--to", to, "--subject", "Grüße — Ünïcödé ✓", "--body", "plain text",
                "--html", "<p>html <img src=\"cid:logo\"></p>", "--attach", pdf.toString(),
                "--inline", "logo=" + png, "-q"));
        assertThat(o.code()).as(o.all()).isZero();
        Path file = mta.awaitDeliveredTo(to, 1, Duration.ofSeconds(15)).get(0);
        MimeMessage m;
        try (InputStream in = Files.newInputStream(file)) {
            m = new MimeMessage(Session.getInstance(new Properties()), in);
        }
        assertThat(m.getSubject()).isEqualTo("Grüße — Ünïcödé ✓");
        assertThat(m.getContentType()).startsWith("multipart/mixed");
        Multipart mixed = (Multipart) m.getContent();
        assertThat(mixed.getBodyPart(0).getContentType()).startsWith("multipart/related");
        Multipart related = (Multipart) mixed.getBodyPart(0).getContent();
        assertThat(related.getBodyPart(0).getContentType()).startsWith("multipart/alternative");
        assertThat(related.getBodyPart(1).getHeader("Content-ID")[0]).isEqualTo("<logo>");
        Part attachment = mixed.getBodyPart(1);
        assertThat(attachment.getFileName()).isEqualTo("report.pdf");
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(Files.readAllBytes(pdf));
    }
}
