package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MailScriptProfileTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    @TempDir
    Path dir;

    private Path profiles;
    private final TranscriptRecorder transcript = new TranscriptRecorder();
    private final Map<String, String> env = Map.of("WORK_PASS", "s3cret-Pa55", "HOME", "/nonexistent");

    @BeforeEach
    void writeProfiles() throws Exception {
        greenMail.setUser("guyt@exchguy.com", "guyt", "s3cret-Pa55");
        profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                default: work
                profiles:
                  work:
                    host: 127.0.0.1
                    port: %d
                    tls: none
                    auth: login
                    username: guyt
                    password: { env: WORK_PASS }
                    from: guyt@exchguy.com
                    helo: client.exchguy.com
                """.formatted(greenMail.getSmtp().getPort()));
    }

    private ScriptRunner.Result run(String script) {
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8))
                .env(env::get).profiles(profiles, new ProfileLoader(env)).build();
        return new ScriptRunner().run(script, "p.groovy", dir, o);
    }

    @Test
    void connectProfileThenBareAuthAndMailUseTheProfile() throws Exception {
        ScriptRunner.Result r = run("""
                connect profile: 'work'
                ehlo
                auth
                mail
                rcpt to: 'administrator@cp.com'
                data { subject 'from a profile'; text 'hi' }
                quit
                """);
        assertThat(r.problems()).isEmpty();
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        assertThat(transcript.text()).contains(" -> EHLO client.exchguy.com").contains(" -> MAIL FROM:<guyt@exchguy.com>")
                .doesNotContain("s3cret-Pa55").doesNotContain("czNjcmV0LVBhNTU=");
    }

    @Test
    void connectWithParenthesesIsTheBareConnect() throws Exception {
        ScriptRunner.Result r = run("connect()\nehlo()\nauth()\nmail()\nrcpt to: 'administrator@cp.com'\n"
                + "data { subject 'parentheses'; text 'hi' }\nquit()\n");
        assertThat(r.problems()).isEmpty();
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        assertThat(transcript.text()).contains("profile 'work'").contains(" -> MAIL FROM:<guyt@exchguy.com>");
    }

    @Test
    void topLevelSendTakesTheProfilesFromLikeBatchAndMail() throws Exception {
        ScriptRunner.Result r = run("""
                connect profile: 'work'
                ehlo
                auth
                send { to 'administrator@cp.com'; subject 'one'; text 'hi' }
                batch([[email: 'b@cp.com']]) { row -> send { to row.email; subject 'two'; text 'hi' } }
                mail
                rset
                quit
                """);
        assertThat(r.problems()).isEmpty();
        assertThat(greenMail.getReceivedMessages()).hasSize(2)
                .allSatisfy(m -> assertThat(m.getFrom()).extracting(Object::toString).containsExactly("guyt@exchguy.com"));
        assertThat(transcript.text()).contains(" -> MAIL FROM:<guyt@exchguy.com>");
    }

    @Test
    void sendWithoutAProfileStillNeedsItsFrom() {
        ScriptRunner.Result r = run("connect '127.0.0.1', port: " + greenMail.getSmtp().getPort()
                + "\nehlo 'x.test'\nsend { to 'administrator@cp.com'; subject 's'; text 'hi' }\n");
        assertThat(r.problems()).singleElement().extracting(Problem::message).asString()
                .startsWith("p.groovy:3: script error: send needs from:");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void secretIsMaskedWhenPrinted() {
        ScriptRunner.Result r = run("""
                def s = secret('work')
                log "the secret is ${s}"
                connect profile: 'work'
                ehlo
                auth login: 'guyt', password: s
                quit
                """);
        assertThat(r.problems()).isEmpty();
        assertThat(transcript.text()).contains("=== the secret is ********").doesNotContain("s3cret-Pa55");
    }

    @Test
    void unknownProfileIsAConfigErrorListingTheKnownOnes() {
        ScriptRunner.Result r = run("connect profile: 'wrok'\n");
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).category()).isEqualTo(Problem.Category.CONFIG);
        assertThat(r.problems().get(0).message()).startsWith("p.groovy:1: ").contains("wrok").contains("work");
    }
}
