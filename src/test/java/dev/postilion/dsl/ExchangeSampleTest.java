package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.profile.ProfileLoader;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** samples/exchange-2003.groovy against a server that speaks like the tutorial's Exchange 2003. */
@Timeout(30)
class ExchangeSampleTest {

    @TempDir
    Path dir;

    @Test
    void sendsExactlyTheTutorialsCommandsAndNothingElse() throws Exception {
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  exchguy:
                    host: mail.exchguy.com
                    port: 25
                    username: guyt
                    password: { env: EXCHGUY_PASSWORD }
                """);
        Files.setPosixFilePermissions(profiles, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = Map.of("EXCHGUY_PASSWORD", "cheque-Pa55", "HOME", dir.toString());
        TranscriptRecorder transcript = new TranscriptRecorder();
        try (FaultServer server = FaultServer.exchange2003()) {
            RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                            StandardCharsets.UTF_8))
                    .env(env::get).profiles(profiles, new ProfileLoader(env))
                    .connectTo("127.0.0.1", server.port()).build();
            ScriptRunner.Result r = new ScriptRunner().run(Path.of("samples/exchange-2003.groovy"), o);
            assertThat(r.problems()).isEmpty();

            String wire = server.awaitDisconnect().receivedText();
            String password = Base64.getEncoder().encodeToString("cheque-Pa55".getBytes(StandardCharsets.UTF_8));
            String[] parts = wire.split("\r\nDATA\r\n", 2);
            assertThat(parts[0]).isEqualTo("EHLO client.exchguy.com\r\nAUTH LOGIN\r\nZ3V5dA==\r\n" + password
                    + "\r\nMAIL FROM:<guyt@exchguy.com>\r\nRCPT TO:<administrator@cp.com>");
            assertThat(parts[1]).endsWith("\r\n\r\nPlease send cheque soonest\r\n.\r\nQUIT\r\n");
            String headers = parts[1].substring(0, parts[1].indexOf("\r\n\r\n"));
            assertThat(headers).contains("\r\nSubject: Cheque").contains("From: guyt@exchguy.com")
                    .contains("To: administrator@cp.com");
            assertThat(Pattern.compile("^(QUIT|RSET|NOOP|STARTTLS)", Pattern.MULTILINE).matcher(parts[0]).find())
                    .isFalse();
        }
        assertThat(transcript.text())
                .contains("<-  334 VXNlcm5hbWU6   [Username:]")
                .contains("<-  334 UGFzc3dvcmQ6   [Password:]")
                .contains(" -> Z3V5dA==\n<-  334 UGFzc3dvcmQ6   [Password:]\n -> ********\n")
                .contains("Host did not advertise STARTTLS; continuing in plain text")
                .doesNotContain("cheque-Pa55");
    }
}
