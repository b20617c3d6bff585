package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.interop.RealMta;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Big and unusual messages through real Postfix: a 200 MB attachment sent by a JVM limited to
 * 64 MB of heap (it streams from disk to the socket), BDAT chunking, and SMTPUTF8.
 */
@Timeout(300)
class LargeMessageIT {

    @TempDir
    Path dir;

    @Test
    void twoHundredMegabyteAttachmentGoesThroughA64MegabyteHeap() throws Exception {
        RealMta mta = RealMta.require();
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(200L * 1024 * 1024);
        }
        String to = "big-" + UUID.randomUUID() + "@postilion.test";
        Path jar = Path.of("target/postilion.jar");
        assertThat(jar).exists();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", jar.toString(), "send", "-q", "--server", "localhost:" + mta.submissionPort(),
                "--tls", "starttls", "--tls-ca", mta.caFile().toString(), "--auth", "plain", "--user", mta.user(),
                "--password-env", "MTA_PASS", "--from", "guyt@postilion.test", "--to", to, "--subject", "200 MB",
                "--attach", big.toString());
        pb.environment().put("MTA_PASS", mta.password());
        pb.redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        List<Path> got = mta.awaitDeliveredTo(to, 1, Duration.ofSeconds(60));
        assertThat(got).hasSize(1);
        assertThat(Files.size(got.get(0))).isGreaterThan(270L * 1024 * 1024);
        System.out.printf("200 MB attachment with -Xmx64m: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Files.delete(got.get(0));
    }

    @Test
    void chunkingAndSmtpUtf8AreUsedWhenOffered() throws Exception {
        RealMta mta = RealMta.require();
        Cli cli = new Cli();
        cli.env.put("MTA_PASS", mta.password());
        String to = "jörg-" + UUID.randomUUID() + "@postilion.test";
        Cli.Outcome o = cli.run("send", "--server", "localhost:" + mta.submissionPort(), "--tls", "starttls",
                "--tls-ca", mta.caFile().toString(), "--auth", "login", "--user", mta.user(), "--password-env",
                "MTA_PASS", "--from", "guyt@postilion.test", "--to", to, "--subject", "Grüße", "--body", "é",
                "--chunking", "auto");
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.out()).contains("SMTPUTF8").contains(" ~> BDAT ").doesNotContain(" ~> DATA");
        assertThat(mta.awaitDeliveredTo(to, 1, Duration.ofSeconds(15))).hasSize(1);
    }
}
