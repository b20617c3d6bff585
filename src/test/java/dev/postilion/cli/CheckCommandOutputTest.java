package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.LocalName;
import dev.postilion.testing.FaultServer;
import dev.postilion.testing.TestTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@code postilion check} reports: AUTH results, the offer, TLS mode mistakes, the EHLO name (issue 13). */
@Timeout(90)
class CheckCommandOutputTest {

    private static final String PASSWORD = "Ch3ck-Pa55-w0rd";

    private final Cli cli = new Cli();

    private Cli.Outcome check(FaultServer s, String... more) {
        String[] args = new String[more.length + 2];
        args[0] = "check";
        args[1] = "127.0.0.1:" + s.port();
        System.arraycopy(more, 0, args, 2, more.length);
        return cli.run(args);
    }

    @Test
    void checkReportsA250ToAuthAsAProtocolViolationNotAsAccepted() throws Exception {
        cli.env.put("PW", PASSWORD);
        try (FaultServer s = FaultServer.start().on("AUTH", "250 2.0.0 Ok")) {
            Cli.Outcome o = check(s, "--tls", "none", "--auth", "plain", "--user", "guyt", "--password-env", "PW");
            assertThat(o.code()).as(o.all()).isEqualTo(76);
            assertThat(o.out()).doesNotContain("accepted").doesNotContain(": OK").contains("<** 250 2.0.0 Ok");
            assertThat(o.err()).contains("postilion check: AUTH PLAIN ******** failed: reply out of step")
                    .contains("a 250 reply cannot answer AUTH: only 235 means the credentials were accepted");
        }
    }

    @Test
    void checkNamesTheMechanismAutoChoseNotAuto() throws Exception {
        cli.env.put("PW", PASSWORD);
        try (FaultServer s = FaultServer.start()) {
            Cli.Outcome o = check(s, "--tls", "none", "--auth", "auto", "--user", "guyt", "--password-env", "PW");
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains("=== AUTH CRAM-MD5 as guyt: accepted").doesNotContain("AUTO");
        }
        try (FaultServer s = FaultServer.start().on(FaultServer.AUTHLINE, "535 5.7.8 Authentication credentials invalid")) {
            Cli.Outcome o = check(s, "--tls", "none", "--auth", "auto", "--user", "guyt", "--password-env", "PW");
            assertThat(o.code()).as(o.all()).isEqualTo(77);
            assertThat(o.err()).contains("postilion check: AUTH CRAM-MD5 refused").doesNotContain("AUTO");
        }
    }

    @Test
    void checkListsExchangesAuthOfferOnceAndWarnsItCameBeforeTls() throws Exception {
        try (FaultServer s = FaultServer.exchange2003()) {
            Cli.Outcome o = check(s, "--tls", "none");
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains("    AUTH GSSAPI NTLM LOGIN ").doesNotContain("LOGIN LOGIN")
                    .contains("*** AUTH is offered before TLS (GSSAPI NTLM LOGIN): a client that logs in there sends"
                            + " its password readable to anyone on the path; offer AUTH only after STARTTLS");
        }
    }

    @Test
    void checkWarnsOfAuthBeforeStarttlsButNotOfAuthOfferedOnlyAfterIt() throws Exception {
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS", "AUTH PLAIN").capabilitiesAfterTls("AUTH PLAIN")) {
            Cli.Outcome o = check(s, "--tls", "starttls", "--tls-ca", TestTls.caPem().toString());
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains("(TLS) offers:").contains("*** AUTH is offered before TLS (PLAIN)");
        }
        try (FaultServer s = FaultServer.start().capabilities("STARTTLS").capabilitiesAfterTls("AUTH PLAIN")) {
            Cli.Outcome o = check(s, "--tls", "starttls", "--tls-ca", TestTls.caPem().toString());
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains("(TLS) offers:").contains("    AUTH PLAIN").doesNotContain("AUTH is offered before TLS");
        }
    }

    @Test
    void checkOnAPortThatSpeaksTlsFirstGivesUpAfterThirtySecondsAndSaysUseImplicit() throws Exception {
        try (FaultServer s = FaultServer.implicitTls(TestTls.LOCALHOST)) {
            long start = System.nanoTime();
            Cli.Outcome o = check(s);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(o.code()).as(o.all()).isEqualTo(75);
            assertThat(o.err()).isEqualTo("postilion check: GREETING 127.0.0.1:" + s.port() + " failed: no reply"
                    + " (timed out after 30s)\n    this port may speak TLS from the first byte (as port 465 does): use"
                    + " --tls implicit\n    check waits 30s for the greeting; --timeout 5m waits longer\n");
            assertThat(took).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(80));

            Cli.Outcome right = check(s, "--tls", "implicit", "--tls-ca", TestTls.caPem().toString());
            assertThat(right.code()).as(right.all()).isZero();
            assertThat(right.out()).contains("(TLS) offers:");
        }
    }

    @Test
    void checkWithATimeoutOfItsOwnUsesItAndDoesNotClaimThirtySeconds() throws Exception {
        try (FaultServer s = FaultServer.implicitTls(TestTls.LOCALHOST)) {
            Cli.Outcome o = check(s, "--timeout", "1s");
            assertThat(o.code()).as(o.all()).isEqualTo(75);
            assertThat(o.err()).contains("(timed out after 1s)").contains("(as port 465 does): use --tls implicit\n")
                    .doesNotContain("tls:")
                    .doesNotContain("check waits");
        }
    }

    @Test
    void checkHelpSaysHowLongItWaitsForTheGreeting() {
        Cli.Outcome o = cli.run("check", "--help");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("The greeting is awaited for 30s (as swaks does; --timeout changes it)");
    }

    @Test
    void checkOnAPortSendingATlsRecordFailsAtOnceWithExitConfig() throws Exception {
        byte[] record = {0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00};
        try (FaultServer s = FaultServer.start().greeting((srv, x, line) -> {
            x.write(record);
            x.stall();
            return false;
        })) {
            long start = System.nanoTime();
            Cli.Outcome o = check(s);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(o.code()).as(o.all()).isEqualTo(78);
            assertThat(o.err()).isEqualTo("postilion check: GREETING 127.0.0.1:" + s.port() + " failed: the server"
                    + " speaks TLS, not plain SMTP\n    this port speaks TLS from the first byte: use --tls implicit\n");
        }
    }

    @Test
    void checkWithImplicitTlsOnAPlainPortSaysUseStarttls() throws Exception {
        try (FaultServer s = FaultServer.start()) {
            Cli.Outcome o = check(s, "--tls", "implicit", "--tls-ca", TestTls.caPem().toString());
            assertThat(o.code()).as(o.all()).isEqualTo(78);
            assertThat(o.err()).contains("the server answered in plain text, not TLS\n    this port speaks plain SMTP"
                    + " first: use --tls starttls or none").doesNotContain("tls:");
        }
    }

    @Test
    void checkGreetsWithTheHostNameAsHostnamePrintsIt() throws Exception {
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        String hostname = Files.isReadable(kernel) ? Files.readString(kernel, StandardCharsets.US_ASCII).trim()
                : LocalName.forEhlo();
        try (FaultServer s = FaultServer.start()) {
            Cli.Outcome o = check(s, "--tls", "none");
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(s.commands()).first().isEqualTo("EHLO " + hostname);
        }
    }
}
