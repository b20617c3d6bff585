package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.testing.FaultServer;
import dev.postilion.testing.ScriptedAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 7 "Nothing leaked" (SEC-01, SEC-02, SEC-05): with every AUTH mechanism, the password and
 * the token, and every secret-bearing line the client sent while authenticating, appear nowhere a
 * person or a log could read them: the transcript (stdout), errors with {@code --debug} (stderr),
 * the {@code --transcript} file, the batch journal and report, and the command line of a real
 * {@code postilion} process.
 */
@Timeout(60)
class SecretLeakTest {

    private static final String USER = "guyt";
    private static final String PASSWORD = "Pw-8d1Q2-lEaK-cHeCk-77";
    private static final String TOKEN = "ya29.tOkEn-LeAk-cHeCk-0123456789abcdef";

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private static boolean bearer(String mechanism) {
        return mechanism.contains("OAUTH");
    }

    private Path profiles(int port, String secretLine) throws IOException {
        Path p = dir.resolve("profiles.yaml");
        Files.writeString(p, """
                profiles:
                  leak:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    username: guyt
                    %s
                    from: guyt@x.test
                    helo: client.test
                """.formatted(port, secretLine));
        return p;
    }

    /** Every text a secret must never be found in, in any of its forms. */
    private static void assertNoSecretIn(String what, String text, List<String> wireForms) {
        List<String> forbidden = new ArrayList<>(List.of(PASSWORD, TOKEN, b64(PASSWORD), b64(TOKEN),
                PASSWORD.substring(3, 15), TOKEN.substring(5, 25), b64("\0" + USER + "\0" + PASSWORD)));
        forbidden.addAll(wireForms);
        for (String f : forbidden) {
            assertThat(text).as("%s must not contain %s", what, f).doesNotContain(f);
        }
    }

    /**
     * The client's AUTH lines that carry a secret (or a response derived from it): all of them but
     * the bare AUTH command, a cancel, an empty line and LOGIN's user name.
     */
    private static List<String> secretWireForms(List<String> clientLines) {
        List<String> forms = new ArrayList<>();
        for (String line : clientLines) {
            String[] p = line.split(" ");
            String value = p[0].equalsIgnoreCase("AUTH") ? (p.length > 2 ? p[2] : "") : line;
            if (value.isEmpty() || value.equals("*") || value.equals(b64(USER))) {
                continue;
            }
            forms.add(value);
        }
        return forms;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LOGIN", "PLAIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "XOAUTH2", "OAUTHBEARER"})
    @DisplayName("SEC-01/SEC-05: secretNeverInTranscriptFileJournalReportOrErrors, for every mechanism")
    void secretNeverInTranscriptFileJournalReportOrErrors(String mechanism) throws Exception {
        boolean bearer = bearer(mechanism);
        try (FaultServer server = FaultServer.start()) {
            // Exchanges 1 (the script) and 2 (the batch's connection) succeed; 3 is refused after the secret.
            ScriptedAuth auth = ScriptedAuth.on(server, USER, PASSWORD, 3);
            Path profiles = profiles(server.port(), bearer ? "token: { env: LEAK_TOKEN }" : "password: { env: LEAK_PW }");
            cli.env.put("LEAK_PW", PASSWORD);
            cli.env.put("LEAK_TOKEN", TOKEN);
            String login = "auth '" + mechanism + "', user: 'guyt', " + (bearer ? "token" : "password") + ": secret('leak')";
            Path script = dir.resolve("leak.groovy");
            Files.writeString(script, """
                    connect profile: 'leak'
                    ehlo 'client.test'
                    %1$s
                    send { from 'guyt@x.test'; to 'ops@y.test'; subject 'nightly'; text 'fine' }
                    batch([[email: 'a@y.test'], [email: 'b@y.test']], journal: 'j.jsonl', report: 'r.jsonl') { row ->
                        send { from 'guyt@x.test'; to row.email; subject 'hi'; text 'batch' }
                    }
                    quit
                    connect profile: 'leak'
                    ehlo 'client.test'
                    %1$s
                    """.formatted(login));
            Path transcript = dir.resolve("t.log");
            Cli.Outcome o = cli.run("run", "--profiles", profiles.toString(), "--transcript", transcript.toString(),
                    "--debug", script.toString());

            assertThat(o.code()).as(o.all()).isEqualTo(77);
            assertThat(o.err()).contains("leak.groovy:11: AUTH " + mechanism).contains("535 5.7.8");
            assertThat(auth.exchanges()).as("script, batch, refused").isEqualTo(3);
            assertThat(server.messages()).as("the send and the batch's two").hasSize(3);
            List<String> wire = secretWireForms(auth.clientLines());
            assertThat(wire).as("the secret did cross the wire in some form").isNotEmpty();
            if (List.of("LOGIN", "PLAIN", "XOAUTH2", "OAUTHBEARER").contains(mechanism)) {
                String decoded = wire.stream().map(w -> new String(Base64.getDecoder().decode(w), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("\n"));
                assertThat(decoded).contains(bearer ? TOKEN : PASSWORD);
            }

            assertNoSecretIn("stdout (the transcript)", o.out(), wire);
            assertNoSecretIn("stderr (errors, --debug)", o.err(), wire);
            assertNoSecretIn("the --transcript file", Files.readString(transcript), wire);
            assertNoSecretIn("the journal", Files.readString(dir.resolve("j.jsonl")), wire);
            assertNoSecretIn("the report", Files.readString(dir.resolve("r.jsonl")), wire);
            assertThat(o.out()).contains("********");
            assertThat(Files.readString(transcript)).contains("********");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LOGIN", "PLAIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "XOAUTH2", "OAUTHBEARER"})
    @DisplayName("SEC-05: secretNeverInErrorsWhenTheConnectionDropsMidAuth, stack traces (--debug) included")
    void secretNeverInErrorsWhenTheConnectionDropsMidAuth(String mechanism) throws Exception {
        boolean bearer = bearer(mechanism);
        try (FaultServer server = FaultServer.start()) {
            ScriptedAuth auth = ScriptedAuth.on(server, USER, PASSWORD, 1).dropInsteadOfRefusing();
            Path profiles = profiles(server.port(), bearer ? "token: { env: LEAK_TOKEN }" : "password: { env: LEAK_PW }");
            cli.env.put("LEAK_PW", PASSWORD);
            cli.env.put("LEAK_TOKEN", TOKEN);
            Path script = dir.resolve("drop.groovy");
            Files.writeString(script, "connect profile: 'leak'\nehlo 'client.test'\nauth '" + mechanism
                    + "', user: 'guyt', " + (bearer ? "token" : "password") + ": secret('leak')\n");
            Cli.Outcome o = cli.run("run", "-q", "--debug", "--profiles", profiles.toString(), script.toString());
            assertThat(o.code()).as(o.all()).isEqualTo(75);
            assertThat(o.err()).contains("drop.groovy:3: AUTH " + mechanism)
                    .contains("no reply (connection closed by the server)");
            List<String> wire = secretWireForms(auth.clientLines());
            assertThat(wire).isNotEmpty();
            assertNoSecretIn("stderr (the error, its stack trace and the -q transcript)", o.err(), wire);
            assertNoSecretIn("stdout", o.out(), wire);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LOGIN", "PLAIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "XOAUTH2", "OAUTHBEARER"})
    @DisplayName("issue 13.17: secretQuotedBackByTheServerIsMaskedInEveryOutput (run, -v, -q, --transcript, check, send)")
    void secretQuotedBackByTheServerIsMaskedInEveryOutput(String mechanism) throws Exception {
        boolean bearer = bearer(mechanism);
        try (FaultServer server = FaultServer.start()) {
            // Every exchange is refused with a 535 that quotes the client's last line and its decoding.
            ScriptedAuth auth = ScriptedAuth.on(server, USER, PASSWORD, 1).quotingTheSecretBack();
            Path profiles = profiles(server.port(), bearer ? "token: { env: LEAK_TOKEN }" : "password: { env: LEAK_PW }");
            cli.env.put("LEAK_PW", PASSWORD);
            cli.env.put("LEAK_TOKEN", TOKEN);
            Path script = dir.resolve("quote.groovy");
            Files.writeString(script, "connect profile: 'leak'\nehlo 'client.test'\nauth '" + mechanism
                    + "', user: 'guyt', " + (bearer ? "token" : "password") + ": secret('leak')\n");
            Path transcript = dir.resolve("quote.log");
            List<Cli.Outcome> outcomes = List.of(
                    cli.run("run", "--profiles", profiles.toString(), "--transcript", transcript.toString(), "--debug",
                            script.toString()),
                    cli.run("run", "-v", "--profiles", profiles.toString(), script.toString()),
                    cli.run("run", "-q", "--profiles", profiles.toString(), script.toString()),
                    cli.run("check", "--profiles", profiles.toString(), "--auth", mechanism, "leak"),
                    cli.run("send", "--profiles", profiles.toString(), "--profile", "leak", "--auth", mechanism,
                            "--to", "ops@y.test", "--subject", "nightly", "--body", "fine"));
            List<String> wire = secretWireForms(auth.clientLines());
            assertThat(wire).as("the secret did cross the wire in some form").isNotEmpty();
            for (Cli.Outcome o : outcomes) {
                assertThat(o.code()).as(o.all()).isEqualTo(77);
                assertThat(o.all()).as("the server's quote is shown, masked").contains("authentication failed for [")
                        .contains("********");
                assertNoSecretIn("stdout", o.out(), wire);
                assertNoSecretIn("stderr", o.err(), wire);
            }
            assertThat(outcomes.get(1).err()).as("-v: the dialogue on stderr").contains("<** 535-5.7.8");
            assertThat(Files.readString(transcript)).contains("<** 535-5.7.8 authentication failed for [");
            assertNoSecretIn("the --transcript file", Files.readString(transcript), wire);
            assertThat(server.messages()).as("no mail after a refused AUTH").isEmpty();
        }
    }

    @Test
    @DisplayName("issue 13.17: --show-secrets shows a quoted-back secret in the dialogue, never in the error")
    void showSecretsShowsTheQuoteInTheDialogueOnly() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            ScriptedAuth.on(server, USER, PASSWORD, 1).quotingTheSecretBack();
            Path profiles = profiles(server.port(), "password: { env: LEAK_PW }");
            cli.env.put("LEAK_PW", PASSWORD);
            Cli.Outcome o = cli.run("check", "--profiles", profiles.toString(), "--auth", "login", "--show-secrets",
                    "leak");
            assertThat(o.code()).as(o.all()).isEqualTo(77);
            assertThat(o.out()).contains("<** 535-5.7.8 authentication failed for [" + b64(PASSWORD) + "]");
            assertThat(o.err()).contains("535-5.7.8 authentication failed for [********]")
                    .doesNotContain(b64(PASSWORD)).doesNotContain(PASSWORD);
        }
    }

    /** A child run that ended well, and its command lines as read while it was running. */
    private record HeldRun(ChildRun child, String cmdline) {
    }

    /**
     * Starts a child run and reads its command lines while the server holds the reply to its final
     * dot (the process is then certainly running, with its secret read and used); then lets it
     * finish, and checks that it exited 0.
     */
    private static HeldRun runHeldAtTheDot(FaultServer server, Callable<ChildRun> start) throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.on(FaultServer.DOT, (s, x, line) -> {
            reached.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.reply("250 2.0.0 Ok: queued");
            return true;
        });
        ChildRun child = start.call();
        String cmdline;
        try {
            assertThat(reached.await(40, TimeUnit.SECONDS)).as("the child reached the final dot").isTrue();
            cmdline = cmdlines(child.process);
        } finally {
            release.countDown();
        }
        assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).as(child.err()).isZero();
        return new HeldRun(child, cmdline);
    }

    /** The NUL-separated command line of the process and of every process it started. */
    private static String cmdlines(Process p) throws IOException {
        StringBuilder sb = new StringBuilder(cmdline(p.pid()));
        for (ProcessHandle h : p.descendants().toList()) {
            sb.append('\n').append(cmdline(h.pid()));
        }
        return sb.toString();
    }

    private static String cmdline(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    @Test
    @DisplayName("SEC-02: passwordNeverInCmdlineOfTheRun (postilion run, password from the environment)")
    void passwordNeverInCmdlineOfTheRun() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            ScriptedAuth auth = ScriptedAuth.on(server, USER, PASSWORD, 0);
            Path profiles = profiles(server.port(), "password: { env: LEAK_PW }");
            Path script = dir.resolve("cron.groovy");
            Files.writeString(script, """
                    connect profile: 'leak'
                    ehlo 'client.test'
                    auth login: 'guyt', password: secret('leak')
                    send { from 'guyt@x.test'; to 'ops@y.test'; subject 'nightly'; text 'fine' }
                    quit
                    """);
            HeldRun run = runHeldAtTheDot(server, () -> ChildRun.start(dir, Map.of("LEAK_PW", PASSWORD), "run",
                    "--profiles", profiles.toString(), script.toString()));
            ChildRun child = run.child();
            String cmdline = run.cmdline();
            assertThat(cmdline).contains(Main.class.getName(), "run", "cron.groovy");
            List<String> wire = secretWireForms(auth.clientLines());
            assertThat(wire).contains(b64(PASSWORD));
            assertNoSecretIn("/proc/<pid>/cmdline", cmdline, wire);
            assertNoSecretIn("the child's output", child.out() + child.err(), wire);
        }
    }

    @Test
    @DisplayName("SEC-02: tokenNeverInCmdlineOfTheSend (postilion send, XOAUTH2 token from a file)")
    void tokenNeverInCmdlineOfTheSend() throws Exception {
        try (FaultServer server = FaultServer.start()) {
            ScriptedAuth auth = ScriptedAuth.on(server, USER, PASSWORD, 0);
            Path token = dir.resolve("token.txt");
            Files.writeString(token, TOKEN + "\n");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            Path profiles = profiles(server.port(), "auth: xoauth2\n    token: { file: " + token + " }");
            HeldRun run = runHeldAtTheDot(server, () -> ChildRun.start(dir, Map.of(), "send", "--profiles",
                    profiles.toString(), "--profile", "leak", "--to", "ops@y.test", "--subject", "nightly", "--body",
                    "fine"));
            ChildRun child = run.child();
            String cmdline = run.cmdline();
            assertThat(cmdline).contains(Main.class.getName(), "send", "--profile leak");
            List<String> wire = secretWireForms(auth.clientLines());
            assertThat(auth.clientLines()).anyMatch(l -> l.startsWith("AUTH XOAUTH2 "));
            assertNoSecretIn("/proc/<pid>/cmdline", cmdline, wire);
            assertNoSecretIn("the child's output", child.out() + child.err(), wire);
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
