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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a profile's credentials may go (AUTH-02: only to the profile's own host), and a batch's
 * token read afresh from its command when it expires (AUTH-07).
 */
@Timeout(30)
class MailScriptCredentialsTest {

    @TempDir
    Path dir;

    private FaultServer server;
    private final TranscriptRecorder transcript = new TranscriptRecorder();
    private final Map<String, String> env = Map.of("WORK_PASS", "s3cret-Pa55", "HOME", "/nonexistent");
    private final List<String> offeredTokens = new CopyOnWriteArrayList<>();
    private volatile String validToken = "token-1";

    @BeforeEach
    void start() throws Exception {
        server = FaultServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Path profiles(String yaml) throws Exception {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** A default profile 'work' for {@code host} at the fault server's port, with a user and password. */
    private Path work(String host) throws Exception {
        return profiles("""
                default: work
                profiles:
                  work:
                    host: %s
                    port: %d
                    tls: none
                    auth: login
                    username: guyt
                    password: { env: WORK_PASS }
                    from: guyt@example.com
                """.formatted(host, server.port()));
    }

    private ScriptRunner.Result run(Path profiles, String script, RunOptions extra) {
        RunOptions o = (extra != null ? extra : options()).toBuilder().env(env::get)
                .profiles(profiles, new ProfileLoader(env)).vars(Map.of("port", String.valueOf(server.port()))).build();
        return new ScriptRunner().run(script, "creds.groovy", dir, o);
    }

    private RunOptions options() {
        return RunOptions.defaults(transcript, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static String only(ScriptRunner.Result r) {
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.CONFIG);
        return r.problems().get(0).message();
    }

    // ------------------------------------------------------------------ AUTH-02

    @Test
    @DisplayName("AUTH-02: connect to another host with a profile that holds credentials is refused before connecting")
    void connectingElsewhereWithAProfilesCredentialsIsRefused() throws Exception {
        Path p = work("localhost");
        ScriptRunner.Result r = run(p, "connect '127.0.0.1', profile: 'work'\nehlo 'client.test'\nauth\nquit\n", null);

        assertThat(only(r)).isEqualTo("creds.groovy:1: connect: profile 'work' (" + p + ":3) holds credentials for"
                + " localhost, and this connection goes to 127.0.0.1\n    a profile's credentials are sent only to"
                + " its own host; for 127.0.0.1 define a profile of its own (extends: work, host: 127.0.0.1)");
        assertThat(server.connections()).isZero();
    }

    @Test
    @DisplayName("AUTH-02: a bare auth takes the default profile's credentials only to that profile's host")
    void bareAuthDoesNotTakeTheDefaultProfilesCredentialsElsewhere() throws Exception {
        Path p = work("localhost");
        ScriptRunner.Result r = run(p, "connect '127.0.0.1', port: port as int\nehlo 'client.test'\nauth\nquit\n",
                null);

        assertThat(only(r)).startsWith("creds.groovy:3: auth: profile 'work' (" + p + ":3) holds credentials for"
                + " localhost, and this connection goes to 127.0.0.1\n");
        server.awaitDisconnect();
        assertThat(server.commands()).containsExactly("EHLO client.test", "QUIT");
        assertThat(transcript.text()).doesNotContain("s3cret-Pa55");
    }

    @Test
    @DisplayName("AUTH-02: secret('work') is not sent to a host other than work's either")
    void aProfilesSecretIsNotSentToAnotherHost() throws Exception {
        Path p = work("localhost");
        ScriptRunner.Result r = run(p, "connect '127.0.0.1', port: port as int\nehlo 'client.test'\n"
                + "auth login: 'guyt', password: secret('work')\nquit\n", null);

        assertThat(only(r)).startsWith("creds.groovy:3: auth: profile 'work' (" + p + ":3) holds credentials for"
                + " localhost, and this connection goes to 127.0.0.1\n");
        server.awaitDisconnect();
        assertThat(server.commands()).noneMatch(c -> c.startsWith("AUTH"));
    }

    @Test
    @DisplayName("AUTH-02: the profile's own host (any case, a final dot) takes its credentials")
    void theProfilesOwnHostTakesItsCredentials() throws Exception {
        Path p = work("127.0.0.1");
        ScriptRunner.Result r = run(p, """
                connect '127.0.0.1', profile: 'work'
                ehlo 'client.test'
                auth
                quit
                connect '127.0.0.1', port: port as int
                ehlo 'client.test'
                auth login: 'guyt', password: secret('work')
                quit
                """, null);
        assertThat(r.problems()).isEmpty();
        assertThat(server.commands()).filteredOn(c -> c.startsWith("AUTH LOGIN")).hasSize(2);
        assertThat(work("LOCALHOST.")).exists();
        r = run(dir.resolve("profiles.yaml"), "connect 'localhost', profile: 'work'\nehlo 'client.test'\nauth\nquit\n",
                null);
        assertThat(r.problems()).isEmpty();
    }

    @Test
    @DisplayName("AUTH-02: --connect-to (and --local) redirect the connection, not where the credentials belong")
    void aRedirectedConnectionKeepsTheNamedHost() throws Exception {
        Path p = work("smtp.work.example");
        ScriptRunner.Result r = run(p, "connect profile: 'work'\nehlo 'client.test'\nauth\nquit\n",
                options().toBuilder().connectTo("127.0.0.1", server.port()).build());
        assertThat(r.problems()).isEmpty();
        assertThat(server.commands()).contains("AUTH LOGIN");

        r = run(p, "connect 'other.example', profile: 'work'\nehlo 'client.test'\nauth\nquit\n",
                options().toBuilder().connectTo("127.0.0.1", server.port()).build());
        assertThat(only(r)).startsWith("creds.groovy:1: connect: profile 'work' (" + p + ":3) holds credentials for"
                + " smtp.work.example, and this connection goes to other.example\n");
    }

    @Test
    @DisplayName("AUTH-02: a profile without credentials may be used for any host")
    void aProfileWithoutCredentialsMayBeUsedForAnyHost() throws Exception {
        Path p = profiles("""
                profiles:
                  plain:
                    host: localhost
                    port: %d
                    tls: none
                """.formatted(server.port()));
        ScriptRunner.Result r = run(p, "connect '127.0.0.1', profile: 'plain'\nehlo 'client.test'\nquit\n", null);
        assertThat(r.problems()).isEmpty();
    }

    @Test
    @DisplayName("a profile for one port does not log in on another port of its host (bare auth or secret())")
    void aProfileForOnePortDoesNotLogInOnAnotherPortOfItsHost() throws Exception {
        Path p = work("127.0.0.1");
        try (FaultServer other = FaultServer.start()) {
            for (String auth : List.of("auth", "auth login: 'guyt', password: secret('work')")) {
                ScriptRunner.Result r = run(p, "connect '127.0.0.1', port: " + other.port() + "\nehlo 'client.test'\n"
                        + auth + "\nquit\n", null);

                assertThat(only(r)).isEqualTo("creds.groovy:3: auth: profile 'work' (" + p + ":3) holds credentials"
                        + " for 127.0.0.1:" + server.port() + ", and this connection goes to 127.0.0.1:" + other.port()
                        + "\n    a profile's credentials are sent only to its own host and port, or on a connection"
                        + " made from the profile (connect profile: 'work', port: " + other.port() + ")");
            }
            other.awaitDisconnect();
            assertThat(other.commands()).noneMatch(c -> c.startsWith("AUTH"));
            assertThat(server.connections()).isZero();
            assertThat(transcript.text()).doesNotContain("s3cret-Pa55");
        }
    }

    @Test
    @DisplayName("--profile credentials: on the profile's own host and port yes, on another port no")
    void profileOptionCredentialsGoOnlyToTheProfilesOwnPort() throws Exception {
        Path p = profiles("""
                profiles:
                  work:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: login
                    username: guyt
                    password: { env: WORK_PASS }
                """.formatted(server.port()));
        try (FaultServer other = FaultServer.start()) {
            ScriptRunner.Result refused = run(p, "connect '127.0.0.1', port: " + other.port()
                    + "\nehlo 'client.test'\nauth\nquit\n", options().toBuilder().profile("work").build());
            assertThat(only(refused)).startsWith("creds.groovy:3: auth: profile 'work' (" + p + ":2) holds credentials"
                    + " for 127.0.0.1:" + server.port() + ", and this connection goes to 127.0.0.1:" + other.port());
            other.awaitDisconnect();
            assertThat(other.commands()).noneMatch(c -> c.startsWith("AUTH"));
        }
        ScriptRunner.Result own = run(p, "connect '127.0.0.1', port: port as int\nehlo 'client.test'\nauth\nquit\n",
                options().toBuilder().profile("work").build());
        assertThat(own.problems()).isEmpty();
        assertThat(server.commands()).contains("AUTH LOGIN");
    }

    @Test
    @DisplayName("a connection made from the profile may override its port: connect profile: 'work', port: N")
    void aConnectionMadeFromTheProfileMayOverrideItsPort() throws Exception {
        try (FaultServer other = FaultServer.start()) {
            Path p = work("127.0.0.1");
            ScriptRunner.Result r = run(p, "connect profile: 'work', port: " + other.port()
                    + "\nehlo 'client.test'\nauth\nmail\nquit\n", null);
            assertThat(r.problems()).isEmpty();
            other.awaitDisconnect();
            assertThat(other.commands()).contains("AUTH LOGIN", "MAIL FROM:<guyt@example.com>");
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    @DisplayName("auth plain user: 'x', password: p (a bare auth in Groovy's reading) is refused before connecting")
    void authMechanismWithoutItsColonIsRefusedBeforeConnecting() throws Exception {
        Path p = work("127.0.0.1");
        ScriptRunner.Result r = run(p, "connect '127.0.0.1', port: port as int\nehlo 'client.test'\n"
                + "def p = secret('work')\nauth plain user: 'guyt', password: p\nquit\n", null);
        assertThat(r.problems()).singleElement().satisfies(x -> {
            assertThat(x.category()).isEqualTo(Problem.Category.SCRIPT);
            assertThat(x.message()).isEqualTo("creds.groovy:4: script error: auth plain ... reads as a bare auth (the"
                    + " profile's credentials) followed by .plain(...) on its reply: `auth plain: 'guyt', password: p`"
                    + " is the spelling");
        });
        assertThat(server.connections()).isZero();

        ScriptRunner.Result dry = run(p, "connect '127.0.0.1'\nauth login user: 'guyt', password: 'x'\n",
                options().toBuilder().dryRun(true).build());
        assertThat(dry.problems()).singleElement().extracting(Problem::message).isEqualTo(
                "creds.groovy:2: script error: auth login ... reads as a bare auth (the profile's credentials)"
                        + " followed by .login(...) on its reply: `auth login: 'guyt', password: '********'` is the"
                        + " spelling");
    }

    @Test
    @DisplayName("a bare auth with no profile says what it wanted and how to name the credentials")
    void bareAuthWithoutAProfileSaysHowToNameCredentials() throws Exception {
        ScriptRunner.Result r = run(dir.resolve("missing.yaml"), "connect '127.0.0.1', port: port as int\n"
                + "ehlo 'client.test'\nauth\nquit\n", null);
        assertThat(r.problems()).singleElement().extracting(Problem::message).asString()
                .startsWith("creds.groovy:3: ").contains("missing.yaml")
                .endsWith("\n    a bare auth takes its credentials from a profile (connect profile: 'work', or"
                        + " --profile); or name them: auth login: 'user', password: secret('work')");
        server.awaitDisconnect();
        assertThat(server.commands()).noneMatch(c -> c.startsWith("AUTH"));
    }

    // ------------------------------------------------------------------ lazy secrets

    @Test
    @DisplayName("a profile's password is read when the server asks for it: not at connect, not when AUTH cannot start")
    void aProfilePasswordIsNotReadUntilTheServerAsksForIt() throws Exception {
        Path reads = dir.resolve("reads");
        Path command = dir.resolve("password.sh");
        Files.writeString(command, "#!/bin/sh\necho read >> reads\necho s3cret-Pa55\n");
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwx------"));
        Path p = profiles("""
                default: work
                profiles:
                  work:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: login
                    username: guyt
                    password: { command: ./password.sh }
                    from: guyt@example.com
                """.formatted(server.port()));

        ScriptRunner.Result connected = run(p, "connect profile: 'work'\nehlo 'client.test'\n"
                + "def s = secret('work')\nmail\nquit\n", null);
        assertThat(connected.problems()).isEmpty();
        assertThat(reads).as("connect, ehlo and secret('work') read nothing").doesNotExist();

        server.capabilities("PIPELINING");
        ScriptRunner.Result noAuth = run(p, "connect profile: 'work'\nehlo 'client.test'\nauth\nquit\n", null);
        assertThat(noAuth.problems()).singleElement().extracting(Problem::message).asString()
                .contains("AUTH LOGIN impossible");
        assertThat(reads).as("a server that offers no AUTH never asks for the password").doesNotExist();

        server.capabilities("PIPELINING", "AUTH LOGIN");
        ScriptRunner.Result loggedIn = run(p, "connect profile: 'work'\nehlo 'client.test'\nauth\nquit\n", null);
        assertThat(loggedIn.problems()).isEmpty();
        assertThat(Files.readAllLines(reads)).as("read once, when the server asked").hasSize(1);
        assertThat(transcript.text()).doesNotContain("s3cret-Pa55");
    }

    @Test
    @DisplayName("a profile secret that cannot be read at AUTH is the profile's configuration error, with its line")
    void aSecretThatCannotBeReadAtAuthIsAConfigurationError() throws Exception {
        Path p = profiles("""
                profiles:
                  work:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: plain
                    username: guyt
                    password: { env: UNSET_PASSWORD }
                """.formatted(server.port()));
        ScriptRunner.Result r = run(p, "connect profile: 'work'\nehlo 'client.test'\nauth\nquit\n", null);
        assertThat(only(r)).startsWith("creds.groovy:3: " + p + ":8: profile 'work': password:")
                .contains("UNSET_PASSWORD");
        server.awaitDisconnect();
        assertThat(server.commands()).noneMatch(c -> c.startsWith("AUTH"));

        // LOGIN asks for the password half-way: the exchange is cancelled, and nothing else answers the prompt.
        Files.writeString(p, Files.readString(p).replace("auth: plain", "auth: login"));
        ScriptRunner.Result login = run(p, "connect profile: 'work'\nehlo 'client.test'\nauth\nquit\n", null);
        assertThat(only(login)).startsWith("creds.groovy:3: " + p + ":8: profile 'work': password:")
                .contains("UNSET_PASSWORD");
        server.awaitDisconnect();
        assertThat(server.commands()).containsSequence("AUTH LOGIN", "Z3V5dA==", "*");
    }

    // ------------------------------------------------------------------ AUTH-07

    @Test
    @DisplayName("AUTH-07: a batch's expired token is read afresh from the profile's command, once, and the batch goes on")
    void aBatchReadsAnExpiredTokenAfreshFromItsCommand() throws Exception {
        Path counter = dir.resolve("runs");
        Path command = dir.resolve("token.sh");
        Files.writeString(command, "#!/bin/sh\nn=$(($(cat runs 2>/dev/null || echo 0) + 1))\necho $n > runs\n"
                + "echo token-$n\n");
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwx------"));
        Path p = profiles("""
                profiles:
                  o365:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: xoauth2
                    username: sender@example.com
                    token: { command: ./token.sh }
                    from: sender@example.com
                """.formatted(server.port()));
        server.capabilities("PIPELINING", "AUTH XOAUTH2");
        server.always("AUTH", (srv, x, line) -> {
            String decoded = new String(Base64.getDecoder().decode(line.split(" ")[2]), StandardCharsets.UTF_8);
            String token = decoded.replaceAll("(?s).*auth=Bearer ([^\u0001]*).*", "$1");
            offeredTokens.add(token);
            x.reply(token.equals(validToken) ? "235 2.7.0 Authentication successful"
                    : "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIn0=");
            return true;
        });
        server.always(FaultServer.AUTHLINE, FaultServer.reply("535 5.7.3 Authentication unsuccessful"));
        server.always("MAIL", (srv, x, line) -> {
            if (srv.messages().size() == 2) {
                validToken = "token-2";
            }
            x.reply("250 2.1.0 Ok");
            return true;
        });

        ScriptRunner.Result r = run(p, """
                connect profile: 'o365'
                ehlo 'client.test'
                auth
                def people = (1..4).collect { [email: "r${it}@example.com".toString()] }
                def result = batch(people, concurrency: 1, perConnection: 1) { row ->
                    send { to row.email; subject 'hi'; text 'hello' }
                }
                assert result.totals().sent() == 4
                quit
                """, null);

        assertThat(r.problems()).isEmpty();
        assertThat(server.messages()).hasSize(4);
        assertThat(Files.readString(counter).trim()).as("the token command ran for the script, then once more")
                .isEqualTo("2");
        assertThat(offeredTokens).startsWith("token-1", "token-1", "token-1").endsWith("token-2")
                .containsOnly("token-1", "token-2");
        assertThat(transcript.text()).doesNotContain("token-1").doesNotContain("token-2");
    }
}
