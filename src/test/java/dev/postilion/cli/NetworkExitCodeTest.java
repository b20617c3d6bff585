package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.batch.BatchTestServer;
import dev.postilion.smtp.Resolver;
import dev.postilion.testing.FaultServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes and messages of network failures a cron job must tell apart: a host that does
 * not exist (68, do not retry), a lookup or connection that fails for now (75, retry), and a
 * server that never answers QUIT after taking the mail (0). Host names are resolved by the test's
 * own resolver: no DNS query leaves the machine.
 */
@Timeout(30)
class NetworkExitCodeTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();
    private final AtomicInteger lookups = new AtomicInteger();

    /** Resolves mail.example.test to loopback for its first {@code good} lookups, then says it does not exist. */
    private Resolver vanishingAfter(int good) {
        return host -> {
            if (lookups.incrementAndGet() <= good && host.equals("mail.example.test")) {
                return List.of(InetAddress.getLoopbackAddress());
            }
            throw new UnknownHostException(host + ": Name or service not known");
        };
    }

    private Path script(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    @DisplayName("NET-01: run: a host that does not exist exits 68 (NOHOST), says so at the script line, asks DNS once")
    void hostNotFoundExits68NamingTheLine() throws Exception {
        cli.resolver = vanishingAfter(0);
        Path s = script("weekly.groovy", "connect 'mail.nowhere.test'\nehlo 'client.test'\n");
        Cli.Outcome o = cli.run("run", "-q", s.toString());
        assertThat(o.code()).as(o.all()).isEqualTo(68);
        assertThat(o.err()).contains("weekly.groovy:1: CONNECT mail.nowhere.test:25 failed: host not found:"
                + " 'mail.nowhere.test' does not exist (DNS has no address for it)\n"
                + "    check the host name in connect or in the profile\n")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(lookups).hasValue(1);
    }

    @Test
    @DisplayName("NET-01: run: SERVFAIL or a lookup timeout exits 75 (TEMPFAIL)")
    void lookupFailingForNowExits75() throws Exception {
        cli.resolver = host -> {
            throw new IOException("temporary failure in name resolution for " + host);
        };
        Path s = script("weekly.groovy", "connect 'mail.example.test'\nehlo 'client.test'\n");
        Cli.Outcome o = cli.run("run", "-q", s.toString());
        assertThat(o.code()).as(o.all()).isEqualTo(75);
        assertThat(o.err()).contains("weekly.groovy:1: CONNECT mail.example.test:25 failed: no reply (the host name"
                + " could not be looked up: temporary failure in name resolution for mail.example.test; try again later)");
    }

    @Test
    @DisplayName("NET-01: send: a host that does not exist exits 68; a lookup failing for now 75")
    void sendExits68ForNoHostAnd75ForATemporaryLookupFailure() {
        cli.resolver = vanishingAfter(0);
        Cli.Outcome o = cli.run("send", "--server", "mail.nowhere.test", "--helo", "client.test", "--from", "a@x.test",
                "--to", "b@y.test", "--body", "hi");
        assertThat(o.code()).as(o.all()).isEqualTo(68);
        assertThat(o.err()).contains("postilion send: CONNECT mail.nowhere.test:25 failed: host not found:"
                + " 'mail.nowhere.test' does not exist");

        cli.resolver = host -> {
            throw new IOException("lookup of " + host + " timed out");
        };
        o = cli.run("send", "--server", "mail.example.test", "--helo", "client.test", "--from", "a@x.test",
                "--to", "b@y.test", "--body", "hi");
        assertThat(o.code()).as(o.all()).isEqualTo(75);
        assertThat(o.err()).contains("the host name could not be looked up: lookup of mail.example.test timed out");
    }

    @Test
    @DisplayName("NET-01: a name that vanishes under a running batch stops it at once with 68: no row retried, none sent")
    void batchStopsOnceWhenTheHostVanishes() throws Exception {
        try (BatchTestServer server = new BatchTestServer()) {
            cli.resolver = vanishingAfter(1);
            StringBuilder csv = new StringBuilder("email\n");
            for (int i = 1; i <= 20; i++) {
                csv.append("r").append(i).append("@example.com\n");  // twenty recipients: twenty messages
            }
            Files.writeString(dir.resolve("people.csv"), csv);
            Path s = script("bulk.groovy", """
                    connect 'mail.example.test', port: port as int
                    ehlo 'client.test'
                    batch(csv('people.csv'), concurrency: 3, retries: 5) { row ->
                        send { from 'sender@example.com'; to row.email; subject 'Hi'; text 'hello' }
                    }
                    """);
            Cli.Outcome o = cli.run("run", "-q", s.toString(), "--var", "port=" + server.port(),
                    "--journal", dir.resolve("j.jsonl").toString());
            assertThat(o.code()).as(o.all()).isEqualTo(68);
            assertThat(o.err()).containsPattern("bulk\\.groovy:3: batch people\\.csv: \\d+ rows?: 0 sent, \\d+ not sent")
                    .contains("stopped: CONNECT mail.example.test:" + server.port() + " failed: host not found")
                    .contains("the batch stopped at once")
                    .as("a batch's stop is worded by the surface that runs it, as the script's own connect is")
                    .contains("check the host name in connect or in the profile").doesNotContain("--server");
            assertThat(lookups.get()).as("the script's connect, then at most one per pooled connection").isBetween(2, 4);
            assertThat(server.received).isEmpty();
        }
    }

    @Test
    @DisplayName("NET-03: run: the transcript shows each address tried, and the run succeeds on the second")
    void eachAddressTriedShowsInTheTranscript() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            cli.resolver = host -> List.of(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1"));
            Path s = script("two.groovy", "connect 'mail.example.test', port: port as int\nehlo 'client.test'\nquit\n");
            Cli.Outcome o = cli.run("run", s.toString(), "--var", "port=" + server.port());
            assertThat(o.code()).as(o.all()).isZero();
            assertThat(o.out()).contains("=== Trying mail.example.test:" + server.port() + " (::1)...\n"
                    + "=== ::1: connection refused; trying the next address\n"
                    + "=== Trying mail.example.test:" + server.port() + " (127.0.0.1)...\n"
                    + "=== Connected to mail.example.test.\n");
        }
    }

    @Test
    @DisplayName("NET-10: the mail was accepted and the server never answers QUIT: the run ends within the quit timeout, exit 0")
    void quitWithoutReplyAfterDeliveryStillExits0() throws Exception {
        try (FaultServer server = FaultServer.start().on("QUIT", FaultServer.stall())) {
            Path s = script("report.groovy", """
                    connect '127.0.0.1', port: port as int
                    ehlo 'client.test'
                    mail from: 'cron@x.test'
                    rcpt to: 'ops@y.test'
                    data { subject 'nightly'; text 'all good' }
                    quit
                    """);
            long started = System.nanoTime();
            Cli.Outcome o = cli.run("run", "--timeout", "1s", s.toString(), "--var", "port=" + server.port());
            assertThat(o.code()).as(o.all()).isZero();
            // The transcript proves the 1 s limit; the bound only catches a hang elsewhere (well under the
            // class's 30 s, and loose enough for a loaded machine).
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
            assertThat(o.out()).contains(" -> QUIT\n=== No reply to QUIT within 1s; the connection is closed anyway\n");
            assertThat(server.messages()).hasSize(1);
            server.awaitDisconnect();
        }
    }
}
