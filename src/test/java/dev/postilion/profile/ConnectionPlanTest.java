package dev.postilion.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.profile.ConnectionPlan.Overrides;
import dev.postilion.profile.ConnectionPlan.Redirect;
import dev.postilion.profile.ConnectionPlan.Surface;
import dev.postilion.smtp.LocalName;
import dev.postilion.smtp.Resolver;
import dev.postilion.smtp.Timeouts;
import dev.postilion.smtp.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one connection plan, with the cases of all its callers (a script's connect, send, check,
 * profiles test): defaults per surface, the profile's values, overrides that win, the HELO rule,
 * where credentials may go, and redirection.
 */
class ConnectionPlanTest {

    private static final ProfileLocation AT = new ProfileLocation(Path.of("profiles.yaml"), 3);

    private static Profile work(String host, int port, TlsMode tls) {
        return new Profile("work", host, port, tls, null, false, "login", "guyt", Secret.of("s3cret"), null,
                "guyt@example.com", null, null, Profile.Pipelining.AUTO, AT, 0);
    }

    private static Profile plain(String host, int port) {
        return new Profile("plain", host, port, TlsMode.STARTTLS_IF_OFFERED, null, false, "none", null, null, null,
                null, null, null, Profile.Pipelining.AUTO, AT, 0);
    }

    private static Overrides host(String host) {
        return Overrides.none().withHost(host);
    }

    // ------------------------------------------------------------------ defaults per surface

    @ParameterizedTest
    @CsvSource(textBlock = """
            SCRIPT  |          | NONE                | 25
            SCRIPT  | implicit | IMPLICIT            | 465
            SCRIPT  | starttls | STARTTLS            | 25
            COMMAND |          | STARTTLS_IF_OFFERED | 25
            COMMAND | implicit | IMPLICIT            | 465
            COMMAND | none     | NONE                | 25
            """, delimiter = '|')
    void aScriptConnectsInPlainTextAndACommandStartsTlsWhenOffered(Surface surface, String tls, TlsMode mode,
            int port) {
        Overrides o = host("mx.example.com").withTls(tls == null ? null : TlsMode.parse(tls));
        ConnectionPlan plan = ConnectionPlan.of(surface, null, o);
        assertThat(plan.options().tls().mode()).isEqualTo(mode);
        assertThat(plan.port()).isEqualTo(port);
        assertThat(plan.dialHost()).isEqualTo("mx.example.com");
        assertThat(plan.dialPort()).isEqualTo(port);
        assertThat(plan.options().pipelining()).isTrue();
        assertThat(plan.options().chunking()).isFalse();
        assertThat(plan.options().allowCleartextAuth()).isFalse();
        assertThat(plan.options().timeouts()).isEqualTo(Timeouts.RFC_5321);
        assertThat(plan.mechanism()).isNull();
        assertThat(plan.credentials()).isNull();
        assertThat(plan.notes()).isEmpty();
    }

    @Test
    void aPlanWithNeitherHostNorProfileIsRefused() {
        assertThatThrownBy(() -> ConnectionPlan.of(Surface.COMMAND, null, Overrides.none()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ the profile's values

    @Test
    void aProfileGivesHostPortTlsTimeoutCaAndCredentialsOnEverySurface() {
        Path ca = Path.of("/etc/ca.pem");
        Profile p = new Profile("work", "smtp.example.com", 2525, TlsMode.STARTTLS, ca, true, "plain", "guyt",
                Secret.of("pw"), null, null, "client.example.com", Duration.ofSeconds(7), Profile.Pipelining.OFF, AT,
                0);
        for (Surface surface : Surface.values()) {
            ConnectionPlan plan = ConnectionPlan.of(surface, p, Overrides.none());
            assertThat(plan.host()).isEqualTo("smtp.example.com");
            assertThat(plan.port()).isEqualTo(2525);
            assertThat(plan.options().tls().mode()).isEqualTo(TlsMode.STARTTLS);
            assertThat(plan.options().tls().trustedCa()).containsExactly(ca);
            assertThat(plan.options().tls().insecure()).isTrue();
            assertThat(plan.options().pipelining()).as("pipelining: off is honoured").isFalse();
            assertThat(plan.options().timeouts()).isEqualTo(Timeouts.all(Duration.ofSeconds(7)));
            assertThat(plan.helo()).isEqualTo("client.example.com");
            assertThat(plan.mechanism()).isEqualTo("plain");
            assertThat(plan.credentials().username()).isEqualTo("guyt");
            assertThat(plan.credentials().password().get()).isEqualTo("pw");
        }
    }

    // ------------------------------------------------------------------ overrides win

    @Test
    void overridesWinOverTheProfile() {
        Profile p = work("smtp.example.com", 2525, TlsMode.STARTTLS);
        Path ca = Path.of("/run/ca.pem");
        ConnectionPlan plan = ConnectionPlan.of(Surface.COMMAND, p, Overrides.none()
                .withPort(2600).withTlsCa(List.of(ca)).withInsecure(true).withAllowCleartextAuth(true)
                .withTimeout(Duration.ofSeconds(3)).withPipelining(false).withChunking(true).withHelo("me.test")
                .withAuth("cram-md5", null, null, null));
        assertThat(plan.port()).isEqualTo(2600);
        assertThat(plan.options().tls().mode()).isEqualTo(TlsMode.STARTTLS);
        assertThat(plan.options().tls().trustedCa()).containsExactly(ca);
        assertThat(plan.options().tls().insecure()).isTrue();
        assertThat(plan.options().allowCleartextAuth()).isTrue();
        assertThat(plan.options().timeouts()).isEqualTo(Timeouts.all(Duration.ofSeconds(3)));
        assertThat(plan.options().pipelining()).isFalse();
        assertThat(plan.options().chunking()).isTrue();
        assertThat(plan.helo()).isEqualTo("me.test");
        assertThat(plan.mechanism()).isEqualTo("cram-md5");
    }

    @Test
    void aTlsOverrideTakesThatModesPortInsteadOfTheProfiles() {
        Profile p = work("smtp.example.com", 587, TlsMode.STARTTLS);
        assertThat(ConnectionPlan.of(Surface.SCRIPT, p, Overrides.none().withTls(TlsMode.IMPLICIT)).port())
                .isEqualTo(465);
        assertThat(ConnectionPlan.of(Surface.SCRIPT, p, Overrides.none().withTls(TlsMode.NONE)).port()).isEqualTo(25);
        assertThat(ConnectionPlan.of(Surface.SCRIPT, p, Overrides.none()).port()).isEqualTo(587);
    }

    @Test
    void insecureFalseInsistsOnChecksThatTheProfileSkips() {
        Profile p = new Profile("lab", "lab.test", 25, TlsMode.STARTTLS, null, true, "none", null, null, null, null,
                null, null, Profile.Pipelining.AUTO, AT, 0);
        assertThat(ConnectionPlan.of(Surface.SCRIPT, p, Overrides.none().withInsecure(false)).options().tls()
                .insecure()).isFalse();
    }

    @Test
    void theSurfacesOwnCredentialsWinAndTheProfilesUserNamesThem() {
        Profile p = work("smtp.example.com", 587, TlsMode.STARTTLS);
        ConnectionPlan plan = ConnectionPlan.of(Surface.COMMAND, p, Overrides.none()
                .withAuth(null, null, () -> "typed", null));
        assertThat(plan.credentials().username()).isEqualTo("guyt");
        assertThat(plan.credentials().password().get()).isEqualTo("typed");

        ConnectionPlan other = ConnectionPlan.of(Surface.COMMAND, p, Overrides.none().withAuth(null, "other", null,
                null));
        assertThat(other.credentials().username()).isEqualTo("other");
        assertThat(other.credentials().password()).as("another user does not get the profile's password").isNull();
    }

    @Test
    void authNoneMeansNoCredentials() {
        ConnectionPlan plan = ConnectionPlan.of(Surface.COMMAND, work("smtp.example.com", 587, TlsMode.STARTTLS),
                Overrides.none().withAuth("none", null, null, null));
        assertThat(plan.mechanism()).isNull();
        assertThat(plan.credentials()).isNull();
    }

    // ------------------------------------------------------------------ HELO

    @Test
    void heloIsTheNamedOneThenTheProfilesThenPostilionHeloThenTheHostName() {
        Map<String, String> env = Map.of(ConnectionPlan.HELO_VARIABLE, "from-env.test");
        Profile withHelo = new Profile("h", "mx.test", 25, TlsMode.NONE, null, false, "none", null, null, null, null,
                "from-profile.test", null, Profile.Pipelining.AUTO, AT, 0);
        Profile without = plain("mx.test", 25);

        assertThat(ConnectionPlan.helo("named.test", withHelo, env::get)).isEqualTo("named.test");
        assertThat(ConnectionPlan.helo(null, withHelo, env::get)).isEqualTo("from-profile.test");
        assertThat(ConnectionPlan.helo(null, without, env::get)).isEqualTo("from-env.test");
        assertThat(ConnectionPlan.helo(null, null, env::get)).isEqualTo("from-env.test");
        assertThat(ConnectionPlan.helo(null, null, name -> null)).isEqualTo(LocalName.forEhlo());
        for (Surface surface : Surface.values()) {
            assertThat(ConnectionPlan.of(surface, without, Overrides.none().withSurroundings(null, env::get)).helo())
                    .as("every surface reads $POSTILION_HELO").isEqualTo("from-env.test");
        }
    }

    @Test
    void aProfileTestGreetsByTheOneRuleNotAsLocalhost() {
        ConnectionPlan plan = ConnectionPlan.of(Surface.COMMAND, plain("mx.test", 25), Overrides.none());
        assertThat(plan.helo()).isEqualTo(LocalName.forEhlo());
    }

    // ------------------------------------------------------------------ where credentials go

    @ParameterizedTest
    @CsvSource(textBlock = """
            smtp.example.com   | true
            SMTP.Example.COM.  | true
            [smtp.example.com] | true
            other.example.com  | false
            """, delimiter = '|')
    void aProfilesCredentialsGoOnlyToItsOwnHostOnEverySurface(String host, boolean allowed) {
        Profile p = work("smtp.example.com", 587, TlsMode.STARTTLS);
        for (Surface surface : Surface.values()) {
            if (allowed) {
                assertThatCode(() -> ConnectionPlan.of(surface, p, host(host))).doesNotThrowAnyException();
            } else {
                assertThatThrownBy(() -> ConnectionPlan.of(surface, p, host(host)))
                        .isInstanceOf(ConnectionPlan.CredentialsElsewhere.class)
                        .hasMessage("profile 'work' (profiles.yaml:3) holds credentials for smtp.example.com, and this"
                                + " connection goes to other.example.com\n    a profile's credentials are sent only to"
                                + " its own host; for other.example.com define a profile of its own (extends: work,"
                                + " host: other.example.com)");
            }
        }
    }

    @Test
    void aConnectionMadeFromTheProfileMayChangeItsPortAndNoOtherMay() {
        Profile p = work("smtp.example.com", 587, TlsMode.STARTTLS);
        assertThatCode(() -> ConnectionPlan.of(Surface.SCRIPT, p, Overrides.none().withPort(2527)))
                .doesNotThrowAnyException();
        assertThatCode(() -> ConnectionPlan.requireCredentialsFor(p, "smtp.example.com", 587))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> ConnectionPlan.requireCredentialsFor(p, "smtp.example.com", 2527))
                .isInstanceOfSatisfying(ConnectionPlan.CredentialsElsewhere.class, e -> {
                    assertThat(e.wrongPort()).isTrue();
                    assertThat(e.port()).isEqualTo(2527);
                    assertThat(e.getMessage()).isEqualTo("profile 'work' (profiles.yaml:3) holds credentials for"
                            + " smtp.example.com:587, and this connection goes to smtp.example.com:2527\n    a"
                            + " profile's credentials are sent only to its own host and port, or on a connection made"
                            + " from the profile");
                });
    }

    @Test
    void aCommandWithCredentialsOfItsOwnMayUseTheProfileForAnotherHost() {
        Profile p = work("smtp.example.com", 587, TlsMode.STARTTLS);
        ConnectionPlan plan = ConnectionPlan.of(Surface.COMMAND, p, host("other.example.com")
                .withAuth(null, "me", () -> "mine", null));
        assertThat(plan.credentials().username()).isEqualTo("me");
        assertThat(ConnectionPlan.of(Surface.COMMAND, p, host("other.example.com").withAuth("none", null, null, null))
                .credentials()).as("no AUTH, nothing carried").isNull();
    }

    @Test
    void aProfileWithoutCredentialsMayGoAnywhere() {
        assertThatCode(() -> ConnectionPlan.of(Surface.SCRIPT, plain("mx.test", 25), host("elsewhere.test")))
                .doesNotThrowAnyException();
    }

    @Test
    void planningReadsNoSecret() {
        AtomicInteger reads = new AtomicInteger();
        Overrides o = host("mx.test").withAuth("login", "me", () -> {
            reads.incrementAndGet();
            return "pw";
        }, null);
        ConnectionPlan plan = ConnectionPlan.of(Surface.COMMAND, null, o);
        assertThat(reads).hasValue(0);
        plan.credentials().password().get();
        plan.credentials().password().get();
        assertThat(reads).as("read once, when asked").hasValue(1);
    }

    // ------------------------------------------------------------------ redirection

    @Test
    void aRedirectionMovesTheSocketNotTheNamedHostNorItsCredentials() {
        Profile p = work("smtp.work.example", 465, TlsMode.IMPLICIT);
        ConnectionPlan plan = ConnectionPlan.of(Surface.SCRIPT, p, Overrides.none()
                .withRedirect(new Redirect("--connect-to", "127.0.0.1", 2525, false, false)));
        assertThat(plan.host()).isEqualTo("smtp.work.example");
        assertThat(plan.port()).isEqualTo(465);
        assertThat(plan.dialHost()).isEqualTo("127.0.0.1");
        assertThat(plan.dialPort()).isEqualTo(2525);
        assertThat(plan.options().tls().mode()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(plan.notes()).containsExactly("--connect-to: smtp.work.example:465 is served by 127.0.0.1:2525");
        assertThat(plan.credentials()).isNotNull();
    }

    @Test
    void localServesImplicitTlsAsStarttlsAndSaysSo() {
        Profile p = work("smtp.work.example", 465, TlsMode.IMPLICIT);
        ConnectionPlan plan = ConnectionPlan.of(Surface.SCRIPT, p, Overrides.none()
                .withRedirect(new Redirect("--local", "127.0.0.1", 2525, true, false)));
        assertThat(plan.options().tls().mode()).isEqualTo(TlsMode.STARTTLS);
        assertThat(plan.notes()).containsExactly(
                "--local: implicit TLS to smtp.work.example:465 is served as STARTTLS by the capture server",
                "--local: smtp.work.example:465 is served by 127.0.0.1:2525");
    }

    @Test
    void theDryRunsStandInSpeaksNoTls() {
        ConnectionPlan plan = ConnectionPlan.of(Surface.SCRIPT, null, host("mx.test").withTls(TlsMode.STARTTLS)
                .withRedirect(new Redirect("--dry-run", "127.0.0.1", 2626, false, true)));
        assertThat(plan.options().tls().mode()).isEqualTo(TlsMode.NONE);
        assertThat(plan.notes()).containsExactly("--dry-run: mx.test:25 is served by 127.0.0.1:2626");
    }

    @Test
    void theSurfacesResolverGoesIntoTheSession() {
        Resolver resolver = h -> List.of();
        ConnectionPlan plan = ConnectionPlan.of(Surface.COMMAND, null, host("mx.test")
                .withSurroundings(resolver, null));
        assertThat(plan.options().resolver()).isSameAs(resolver);
    }
}
