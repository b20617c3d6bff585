package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.Envelope;
import dev.postilion.smtp.MessageContent;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.testing.FaultServer;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SEC-05: failures forced at every phase (the connection cut inside AUTH, on the script's own
 * connection and on a batch's; a message that cannot be built; a journal that cannot be written;
 * the final dot stopped by a failing journal write) never put a secret into an error, a stack
 * trace (--debug), the transcript, the journal or the report.
 */
@Timeout(60)
class FailureSecrecyTest {

    private static final String PASSWORD = "Sec5-Pa55-w0rd!";
    private static final String USER = "guyt";

    @TempDir
    Path dir;

    private FaultServer server;
    private final Cli cli = new Cli();
    private Path profiles;

    @BeforeEach
    void start() throws Exception {
        server = FaultServer.start();
        profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                default: work
                profiles:
                  work:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: plain
                    username: %s
                    password: { env: SEC5_PASSWORD }
                    from: guyt@example.com
                """.formatted(server.port(), USER));
        Files.setPosixFilePermissions(profiles, PosixFilePermissions.fromString("rw-------"));
        cli.env.put("SEC5_PASSWORD", PASSWORD);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** Every form the secret could leak in: as is, in AUTH PLAIN's and LOGIN's base64, in XOAUTH2's. */
    private static List<String> forms() {
        Base64.Encoder b64 = Base64.getEncoder();
        return List.of(PASSWORD, b64.encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(("user=" + USER + "\u0001auth=Bearer " + PASSWORD + "\u0001\u0001")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertNoSecret(String what, String text) {
        assertThat(text).as(what).doesNotContain(forms());
    }

    /** The outputs of a run and the files it may write: stdout, stderr, transcript, journal, report. */
    private List<String> everything(Cli.Outcome o, Path... files) throws IOException {
        List<String> all = new ArrayList<>(List.of(o.out(), o.err()));
        for (Path f : files) {
            if (Files.exists(f)) {
                all.add(Files.readString(f));
            }
        }
        return all;
    }

    private Cli.Outcome run(String script, String... more) throws IOException {
        Path file = Files.writeString(dir.resolve("sec5.groovy"), script);
        List<String> args = new ArrayList<>(List.of("run", file.toString(), "--profiles", profiles.toString(),
                "--timeout", "5s", "--debug", "--transcript", dir.resolve("t.txt").toString()));
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }

    @Test
    @DisplayName("SEC-05: the connection cut in the middle of the script's AUTH: no secret in the error, stack trace or transcript file")
    void noSecretWhenTheConnectionIsCutDuringAuth() throws Exception {
        server.on("AUTH", FaultServer.reset());
        Cli.Outcome o = run("connect profile: 'work'\nehlo 'client.test'\nauth\nquit\n");

        assertThat(o.code()).as(o.all()).isEqualTo(75);
        assertThat(o.err()).contains("sec5.groovy:3: AUTH PLAIN ******** failed: no reply")
                .contains("at dev.postilion");      // --debug printed the stack trace, and it too is clean
        for (String text : everything(o, dir.resolve("t.txt"))) {
            assertNoSecret("output", text);
        }

        // --show-secrets unmasks the dialogue the user asked to see, never an error or a stack trace.
        server.on("AUTH", FaultServer.reset());
        Cli.Outcome shown = run("connect profile: 'work'\nehlo 'client.test'\nauth\nquit\n", "--show-secrets");
        assertThat(shown.code()).as(shown.all()).isEqualTo(75);
        assertThat(shown.out()).contains(forms().get(2));
        assertNoSecret("stderr", shown.err());
    }

    @Test
    @DisplayName("SEC-05: without --show-secrets nothing anywhere carries the secret when AUTH is cut")
    void noSecretAnywhereWhenAuthIsCutWithoutShowSecrets() throws Exception {
        server.on("AUTH", FaultServer.reply("334 "));
        server.on(FaultServer.AUTHLINE, FaultServer.reset());
        Path file = Files.writeString(dir.resolve("plain.groovy"), "connect profile: 'work'\nehlo 'client.test'\n"
                + "auth plain: 'guyt', password: secret('work')\nquit\n");
        Cli.Outcome o = cli.run("run", file.toString(), "--profiles", profiles.toString(), "--timeout", "5s", "--debug",
                "-v", "--transcript", dir.resolve("t2.txt").toString());
        assertThat(o.code()).as(o.all()).isEqualTo(75);
        for (String text : everything(o, dir.resolve("t2.txt"))) {
            assertNoSecret("output", text);
        }
    }

    @Test
    @DisplayName("SEC-05: a batch whose connections fail inside AUTH, and a batch whose message cannot be built: journal and report are clean")
    void noSecretInJournalOrReportWhenBatchesFail() throws Exception {
        Path journal = dir.resolve("j.jsonl");
        Path report = dir.resolve("r.jsonl");
        // The script's own AUTH works; every connection of the batch is cut inside AUTH.
        server.on("AUTH", FaultServer.reply("235 2.7.0 ok"));
        server.always("AUTH", FaultServer.reset());
        String batch = """
                connect profile: 'work'
                ehlo 'client.test'
                auth
                batch([[email: 'a@example.com'], [email: 'b@example.com']], retries: 0) { row ->
                    send { to row.email; subject 'hi'; text 'hello' }
                }
                quit
                """;
        Cli.Outcome o = run(batch, "--journal", journal.toString(), "--report", report.toString());
        assertThat(o.code()).as(o.all()).isEqualTo(75);
        assertThat(Files.readString(report)).contains("\"summary\":true");
        for (String text : everything(o, journal, report, dir.resolve("t.txt"))) {
            assertNoSecret("output", text);
        }
        assertNoSecret("journal", Files.readString(journal));
        assertNoSecret("report", Files.readString(report));

        // A message that cannot be built (its attachment is gone) stops the batch.
        server.always("AUTH", FaultServer.reply("235 2.7.0 ok"));
        Path j2 = dir.resolve("j2.jsonl");
        Path r2 = dir.resolve("r2.jsonl");
        Cli.Outcome missing = run(batch.replace("text 'hello'", "text 'hello'; attach 'gone.pdf'"),
                "--journal", j2.toString(), "--report", r2.toString());
        assertThat(missing.code()).as(missing.all()).isEqualTo(66);
        assertNoSecret("stderr", missing.err());
        assertNoSecret("journal", Files.exists(j2) ? Files.readString(j2) : "");
        assertNoSecret("report", Files.exists(r2) ? Files.readString(r2) : "");
    }

    @Test
    @DisplayName("SEC-05: a journal that cannot be written stops the run with an I/O error that carries no secret")
    void noSecretWhenTheJournalCannotBeWritten() throws Exception {
        Path journal = Files.createDirectories(dir.resolve("journal-is-a-directory"));
        Cli.Outcome o = run("""
                connect profile: 'work'
                ehlo 'client.test'
                auth
                batch([[email: 'a@example.com']]) { row -> send { to row.email; subject 'hi'; text 'hello' } }
                quit
                """, "--journal", journal.toString());
        assertThat(o.code()).as(o.all()).isEqualTo(74);
        assertThat(o.err()).contains(journal.toString());
        assertNoSecret("stderr", o.err());
        assertNoSecret("transcript", Files.readString(dir.resolve("t.txt")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN", "XOAUTH2"})
    @DisplayName("SEC-05: the final dot stopped by a failing journal write, after AUTH: no secret in the error, its causes or the transcript")
    void noSecretWhenTheJournalWriteBeforeTheDotFails(String mechanism) throws Exception {
        TranscriptRecorder transcript = new TranscriptRecorder();
        try (SmtpSession c = new SmtpSession(SessionOptions.DEFAULT.withTimeout(Duration.ofSeconds(5)), transcript)) {
            server.capabilities("PIPELINING", "AUTH PLAIN LOGIN XOAUTH2");
            c.open(server.host(), server.port(), "client.test");
            Credentials creds = mechanism.equals("XOAUTH2") ? Credentials.token(USER, () -> PASSWORD)
                    : Credentials.password(USER, () -> PASSWORD);
            assertThat(c.auth(mechanism, creds).code()).isEqualTo(235);
            SmtpException e = org.junit.jupiter.api.Assertions.assertThrows(SmtpException.class, () -> c.send(
                    Envelope.of("a@example.com", List.of("b@example.com")), MessageContent.of("hello\r\n"),
                    accepted -> {
                        throw new IOException("journal j.jsonl cannot be written: No space left on device");
                    }));
            assertThat(e.kind()).isEqualTo(SmtpException.Kind.LOCAL_IO);
            assertThat(e.getMessage()).contains("stopped before the final dot: journal j.jsonl cannot be written");
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            assertNoSecret("exception and causes", trace.toString());
        }
        assertNoSecret("transcript", transcript.text());
        assertThat(server.messages()).isEmpty();
    }
}
