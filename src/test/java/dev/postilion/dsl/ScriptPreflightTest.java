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
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13 item 6: what can be known without running a script is checked before its first byte is
 * sent (a misspelt verb or option, a literal file that does not exist, a message with no sender
 * anywhere), and what cannot be known (methods the script defines, closures, variables, files
 * used only sometimes) is never flagged.
 */
@Timeout(60)
class ScriptPreflightTest {

    @TempDir
    Path dir;

    private FaultServer server;
    private final TranscriptRecorder transcript = new TranscriptRecorder();
    private final Map<String, String> env = new HashMap<>(Map.of("HOME", "/nonexistent", "POSTILION_SCRIPT_CACHE", "0"));
    private Path profiles;

    @BeforeEach
    void start() throws Exception {
        server = FaultServer.start();
        Files.writeString(dir.resolve("report.pdf"), "%PDF-1.4 not really");
        Files.writeString(dir.resolve("people.csv"), "email,name\nann@example.com,Ann\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private ScriptRunner.Result run(String script) {
        return run(script, false);
    }

    private ScriptRunner.Result run(String script, boolean dryRun) {
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8))
                .vars(Map.of("port", String.valueOf(server.port()), "who", "b@example.com"))
                .env(env::get).dryRun(dryRun).build();
        if (profiles != null) {
            o = o.toBuilder().profiles(profiles, new ProfileLoader(env)).build();
        }
        return new ScriptRunner().run("connect '127.0.0.1', port: port as int\nehlo 'client.test'\n" + script, "p.groovy",
                dir, o);
    }

    private static String messages(ScriptRunner.Result r) {
        return String.join("\n", r.problems().stream().map(Problem::message).toList());
    }

    @Test
    void misspeltVerbStopsTheScriptBeforeItConnects() {
        ScriptRunner.Result r = run("""
                mial from: 'a@example.com'
                rcpt to: 'b@example.com'
                quit
                """);
        assertThat(messages(r)).isEqualTo("p.groovy:3: script error: unknown verb 'mial' (did you mean 'mail'?)");
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.SCRIPT);
        assertThat(server.connections()).as("nothing was sent").isZero();
    }

    @Test
    void misspeltOptionOfALaterVerbStopsTheScriptBeforeItConnects() {
        ScriptRunner.Result r = run("""
                mail from: 'a@example.com'
                rcpt to: 'b@example.com', notfy: 'NEVER'
                quit
                """);
        assertThat(messages(r)).isEqualTo("p.groovy:4: script error: rcpt: unknown option 'notfy' (did you mean"
                + " 'notify'?); allowed: to, notify, orcpt");
        assertThat(server.connections()).isZero();
    }

    @Test
    void misspeltWordInsideADataBlockSuggestsTheMessageWord() {
        ScriptRunner.Result r = run("""
                mail from: 'a@example.com'
                rcpt to: 'b@example.com'
                data {
                    subjct 'Report'
                    text 'see attached'
                }
                """);
        assertThat(messages(r)).isEqualTo("p.groovy:6: script error: unknown verb 'subjct' (did you mean 'subject'?)");
        assertThat(server.connections()).isZero();
    }

    @Test
    void everyMistakeFoundBeforeRunningIsReportedAtOnceInLineOrder() {
        ScriptRunner.Result r = run("""
                mail from: 'a@example.com', sise: 10
                rcpt to: 'b@example.com'
                data {
                    attach 'missing.pdf'
                    attach 'report.pdf', tpye: 'application/pdf'
                }
                qiut()
                """);
        assertThat(r.problems()).extracting(Problem::message).containsExactly(
                "p.groovy:3: script error: mail: unknown option 'sise' (did you mean 'size'?); allowed: from, size,"
                        + " body, smtputf8, ret, envid",
                "p.groovy:6: attach: file " + dir.resolve("missing.pdf") + " does not exist",
                "p.groovy:7: script error: attach: unknown option 'tpye' (did you mean 'type'?); allowed: type, name",
                "p.groovy:9: script error: unknown verb 'qiut' (did you mean 'quit'?)");
        assertThat(r.problems().get(1).category()).isEqualTo(Problem.Category.MISSING_FILE);
        assertThat(server.connections()).isZero();
    }

    @Test
    void literalArgumentsTheVerbsWouldRefuseAreFoundBeforeConnecting() {
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).vars(Map.of("port", String.valueOf(server.port()))).env(env::get).build();
        ScriptRunner.Result r = new ScriptRunner().run("""
                maxTime 'soon'
                connect '127.0.0.1', port: port as int, tls: 'startls'
                ehlo 'client.test'
                expect '55x', { rcpt to: 'nobody@example.com' }
                """, "p.groovy", dir, o);
        assertThat(r.problems()).extracting(Problem::message).containsExactly(
                "p.groovy:1: script error: maxTime: 'soon' is not a duration; write 30s, 2m, 1h, 5d, 500ms or a number"
                        + " of seconds",
                "p.groovy:2: script error: connect: " + tlsRefusal("startls"),
                "p.groovy:4: script error: expect takes a code (550), a list ([550, 554]), an enhanced code ('5.1.1'),"
                        + " a class ('5xx') or a regex (~/text/), not '55x'");
        assertThat(server.connections()).isZero();
    }

    private static String tlsRefusal(String mode) {
        try {
            dev.postilion.smtp.TlsMode.parse(mode);
            throw new AssertionError(mode + " was accepted");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    void missingAttachmentIsFoundBeforeConnectingNotAfterRcpt() {
        ScriptRunner.Result r = run("""
                mail from: 'a@example.com'
                rcpt to: 'b@example.com'
                data {
                    subject 'Report'
                    attach 'weekly.pdf'
                }
                """);
        assertThat(messages(r)).isEqualTo("p.groovy:7: attach: file " + dir.resolve("weekly.pdf") + " does not exist");
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.MISSING_FILE);
        assertThat(server.connections()).isZero();
    }

    @Test
    void missingBatchSourceTemplateAndFileAreFoundBeforeConnecting() {
        ScriptRunner.Result r = run("""
                def body = file('body.txt')
                batch(jsonl('people.jsonl')) { row ->
                    send { from 'a@example.com'; to row.email; text template('welcome.txt', row) }
                }
                """);
        assertThat(r.problems()).extracting(Problem::message).containsExactly(
                "p.groovy:3: file " + dir.resolve("body.txt") + " does not exist",
                "p.groovy:4: jsonl: file " + dir.resolve("people.jsonl") + " does not exist",
                "p.groovy:5: template: file " + dir.resolve("welcome.txt") + " does not exist");
        assertThat(server.connections()).isZero();
    }

    @Test
    void mailWithNoSenderAnywhereStopsBeforeConnecting() {
        ScriptRunner.Result r = run("""
                mail
                rcpt to: 'b@example.com'
                quit
                """);
        assertThat(messages(r)).isEqualTo("p.groovy:3: script error: mail needs from: — mail from: 'you@example.com'"
                + " (from: '' sends MAIL FROM:<>), or a profile with from:");
        assertThat(server.connections()).isZero();
    }

    @Test
    void sendAndBatchWithNoSenderAnywhereStopBeforeConnecting() {
        ScriptRunner.Result r = run("""
                send { to 'b@example.com'; subject 'x'; text 'y' }
                batch(csv('people.csv')) { row ->
                    send { to row.email; subject 'x'; text 'y' }
                }
                """);
        assertThat(r.problems()).extracting(Problem::message).containsExactly(
                "p.groovy:3: script error: send needs from: — the sender for MAIL FROM and the From header (from"
                        + " 'you@example.com' in the block, or a profile with from:)",
                "p.groovy:5: script error: batch: send { } names no sender, and no profile gives one: every row would"
                        + " be invalid; give from 'you@example.com' in the block (or a profile with from:)");
        assertThat(server.connections()).isZero();
    }

    @Test
    void aProfileWithFromIsASender() throws Exception {
        profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  local:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    from: guyt@example.com
                """.formatted(server.port()));
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).env(env::get).profiles(profiles, new ProfileLoader(env)).build();
        ScriptRunner.Result r = new ScriptRunner().run("""
                connect profile: 'local'
                ehlo 'client.test'
                mail
                rcpt to: 'b@example.com'
                quit
                """, "p.groovy", dir, o);
        assertThat(messages(r)).isEmpty();
        assertThat(server.commands()).contains("MAIL FROM:<guyt@example.com>");
    }

    @Test
    void readingTheProfilesBeforeRunningRunsNoSecretCommand() throws Exception {
        profiles = dir.resolve("profiles.yaml");
        Path ran = dir.resolve("secret-command-ran");
        Files.writeString(profiles, """
                profiles:
                  local:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    username: u
                    password: { command: "touch %s; echo pw" }
                """.formatted(server.port(), ran));
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).env(env::get).profiles(profiles, new ProfileLoader(env)).build();
        ScriptRunner.Result r = new ScriptRunner().run("""
                connect profile: 'local'
                ehlo 'client.test'
                auth
                mail
                """, "p.groovy", dir, o);
        assertThat(messages(r)).isEqualTo("p.groovy:4: script error: mail needs from: — mail from: 'you@example.com'"
                + " (from: '' sends MAIL FROM:<>), or a profile with from:");
        assertThat(ran).as("the secret's command never ran").doesNotExist();
        assertThat(server.connections()).isZero();
    }

    @Test
    void whatCannotBeKnownWithoutRunningIsNeverFlagged() {
        ScriptRunner.Result r = run("""
                import static java.lang.Math.max
                def greet(String who) { log "hello ${who}" }
                def helper = { String s -> s.toUpperCase() }
                shout = { String s -> s + '!' }
                greet('world')
                log helper('x') + shout('y') + max(1, 2)
                'text'.with { log toUpperCase() }
                [1, 2].each { n -> log n }
                def withHelpers(Closure c) {
                    c.delegate = new Expando(greet: { n -> log "hi ${n}" })
                    c.resolveStrategy = Closure.DELEGATE_FIRST
                    c()
                }
                withHelpers { greet 'you' }
                if (args) {
                    data { attach 'only-sometimes.pdf' }
                }
                if (new File('nowhere.csv').exists()) {
                    batch(csv('nowhere.csv')) { row -> send { from 'a@example.com'; to row.email } }
                }
                try {
                    file('optional.txt')
                } catch (e) {
                    log 'no optional file'
                }
                def opts = [from: 'a@example.com']
                mail opts
                rcpt to: who
                data {
                    subject "for ${who}"
                    text 'hi'
                    attach 'report.pdf', type: 'application/pdf'
                }
                sleep 1
                quit
                """);
        assertThat(messages(r)).isEmpty();
        assertThat(server.commands()).contains("MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "QUIT");
    }

    @Test
    void aScriptThatDispatchesByItselfIsNotJudgedForUnknownNames() {
        ScriptRunner.Result r = run("""
                def methodMissing(String name, args) { log "called ${name}" }
                frobnicate 1
                quit
                """);
        assertThat(messages(r)).isEmpty();
        assertThat(transcript.text()).contains("called frobnicate");
    }

    @Test
    void aCompiledScriptFromTheCacheIsCheckedAsWell() throws Exception {
        env.remove("POSTILION_SCRIPT_CACHE");
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        String script = "mail from: 'a@example.com'\nrcpt to: 'b@example.com'\ndata { attach 'gone.pdf' }\n";
        Files.writeString(dir.resolve("gone.pdf"), "x");
        assertThat(messages(run(script))).isEmpty();
        assertThat(dir.resolve("cache/postilion/scripts")).isNotEmptyDirectory();
        Files.delete(dir.resolve("gone.pdf"));
        int before = server.connections();
        ScriptRunner.Result second = run(script);
        assertThat(messages(second)).isEqualTo("p.groovy:5: attach: file " + dir.resolve("gone.pdf")
                + " does not exist");
        assertThat(server.connections()).isEqualTo(before);
    }

    @Test
    void aDryRunListsTheMistakesFoundBeforeRunningWithTheOthers() {
        ScriptRunner.Result r = run("""
                mial from: 'a@example.com'
                rcpt to: 'b@example.com'
                data { attach 'missing.pdf' }
                """, true);
        assertThat(messages(r)).contains("p.groovy:3: script error: unknown verb 'mial' (did you mean 'mail'?)",
                "p.groovy:5: attach: file " + dir.resolve("missing.pdf") + " does not exist");
        assertThat(server.connections()).isZero();
    }

    /**
     * A verb's named arguments have one list ({@link VerbOptions}): an unknown key written as a
     * literal (refused by the preflight, before connecting) and one built at run time (which the
     * preflight cannot read, so the verb itself refuses it) get the same message, listing the same keys.
     */
    @ParameterizedTest
    @CsvSource(textBlock = """
            connect | connect([(k): 1], 'mail.example.com')
            auth    | auth([(k): 1])
            mail    | mail([(k): 1])
            rcpt    | mail from: 'a@example.com'; rcpt([(k): 1])
            data    | mail from: 'a@example.com'; rcpt to: 'b@example.com'; data([(k): 1], 'Subject: x')
            csv     | csv([(k): 1], 'people.csv')
            batch   | batch([(k): 1], [[email: 'a@example.com']]) { row -> }
            attach  | mail from: 'a@example.com'; rcpt to: 'b@example.com'; data { attach([(k): 1], 'report.pdf') }
            inline  | mail from: 'a@example.com'; rcpt to: 'b@example.com'; data { inline([(k): 1], 'report.pdf') }
            """, delimiter = '|')
    void thePreflightAndTheVerbRefuseTheSameKeys(String verb, String call) {
        String atRunTime = messages(run("def k = 'zz' + 'z'\n" + call + "\n", true));
        String beforeRunning = messages(run("def k = 'zz' + 'z'\n" + call.replace("[(k): 1]", "[zzz: 1]") + "\n",
                true));
        assertThat(atRunTime).contains(verb + ": unknown option 'zzz'");
        assertThat(beforeRunning.lines().distinct()).containsExactlyElementsOf(atRunTime.lines().distinct().toList());
        String allowed = atRunTime.substring(atRunTime.indexOf("allowed: ") + "allowed: ".length()).lines()
                .findFirst().orElseThrow();
        assertThat(allowed).isEqualTo(String.join(", ", VerbOptions.valueOf(verb.toUpperCase(java.util.Locale.ROOT))
                .keys()));
    }

    @Test
    void aLiteralUnknownKeyIsRefusedBeforeConnecting() {
        ScriptRunner.Result r = run("mail frm: 'a@example.com'\n");
        assertThat(messages(r)).startsWith("p.groovy:3: script error: mail: unknown option 'frm' (did you mean"
                + " 'from'?); allowed: from, size, body, smtputf8, ret, envid\n");
        assertThat(server.connections()).isZero();
    }
}
