package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.testing.FaultServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13 item 6 at the command line: mistakes found before connecting exit 65, missing files 66, nothing sent. */
@Timeout(60)
class PreflightExitCodeTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    @Test
    void aMisspeltVerbExits65BeforeConnecting() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            Path s = dir.resolve("typo.groovy");
            Files.writeString(s, "connect '127.0.0.1', port: port as int\nehlo 'client.test'\nmial from: 'a@example.com'\n");
            Cli.Outcome o = cli.run("run", "-q", s.toString(), "--var", "port=" + server.port());
            assertThat(o.code()).isEqualTo(65);
            assertThat(o.err()).isEqualTo("typo.groovy:3: script error: unknown verb 'mial' (did you mean 'mail'?)\n");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void aMissingAttachmentExits66BeforeConnecting() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            Path s = dir.resolve("report.groovy");
            Files.writeString(s, """
                    connect '127.0.0.1', port: port as int
                    ehlo 'client.test'
                    mail from: 'a@example.com'
                    rcpt to: 'b@example.com'
                    data {
                        subject 'Weekly report'
                        attach 'weekly.pdf'
                    }
                    quit
                    """);
            Cli.Outcome o = cli.run("run", "-q", s.toString(), "--var", "port=" + server.port());
            assertThat(o.code()).isEqualTo(66);
            assertThat(o.err()).isEqualTo("report.groovy:7: attach: file " + dir.resolve("weekly.pdf")
                    + " does not exist\n");
            assertThat(server.connections()).isZero();
        }
    }
}
