package dev.postilion.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.dsl.RunOptions;
import dev.postilion.dsl.ScriptRunner;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.transcript.TranscriptRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Scripts against real Postfix (with Dovecot SASL) on loopback: STARTTLS, AUTH, profiles. */
@Timeout(60)
class DslInteropIT {

    @TempDir
    Path dir;

    private final TranscriptRecorder transcript = new TranscriptRecorder();

    private ScriptRunner.Result run(RealMta mta, String script, Map<String, String> env) throws Exception {
        Path profiles = mta.writeProfiles(dir);
        RunOptions o = RunOptions.builder(transcript, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8))
                .env(env::get).profiles(profiles, new ProfileLoader(env)).build();
        return new ScriptRunner().run(script, "interop.groovy", dir, o);
    }

    @Test
    void starttlsAuthLoginThroughAProfileDeliversOnceAndNeverShowsThePassword() throws Exception {
        RealMta mta = RealMta.require();
        String to = "dsl-" + UUID.randomUUID() + "@postilion.test";
        ScriptRunner.Result r = run(mta, """
                connect profile: 'mta'
                ehlo 'client.postilion.test'
                auth
                mail
                rcpt to: '%s'
                data {
                    subject 'Grüße — Ünïcödé ✓'
                    text 'Please send cheque soonest'
                }
                quit
                """.formatted(to), Map.of("MTA_PASS", mta.password(), "HOME", dir.toString()));
        assertThat(r.problems()).isEmpty();
        List<Path> got = mta.awaitDeliveredTo(to, 1, Duration.ofSeconds(15));
        assertThat(got).hasSize(1);
        assertThat(transcript.text()).contains("TLS started with protocol").contains(" ~> AUTH LOGIN")
                .contains(" ~> ********").doesNotContain(mta.password());
    }

    @Test
    void wrongPasswordIsAnAuthFailureNamingTheLine() throws Exception {
        RealMta mta = RealMta.require();
        ScriptRunner.Result r = run(mta, """
                connect profile: 'mta'
                ehlo 'client.postilion.test'
                auth
                """, Map.of("MTA_PASS", "wrong-password", "HOME", dir.toString()));
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).smtpKind()).hasToString("AUTH");
        assertThat(r.problems().get(0).message()).startsWith("interop.groovy:3: AUTH LOGIN refused\n    localhost:"
                + mta.submissionPort() + " replied: 535");
    }

    @Test
    void relayIsRefusedAndExpectAssertsIt() throws Exception {
        RealMta mta = RealMta.require();
        ScriptRunner.Result r = run(mta, """
                connect 'localhost', port: %d, tls: 'starttls', tlsCa: '%s'
                ehlo 'qa.postilion.test'
                mail from: 'probe@outside.example'
                expect([550, 554], { rcpt to: 'victim@elsewhere.example' })
                rset
                quit
                """.formatted(mta.smtpPort(), mta.caFile()), Map.of("HOME", dir.toString()));
        assertThat(r.problems()).isEmpty();
    }
}
