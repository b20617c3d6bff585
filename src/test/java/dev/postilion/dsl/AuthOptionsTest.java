package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.profile.Profile;
import dev.postilion.profile.ProfileLocation;
import dev.postilion.profile.Secret;
import dev.postilion.smtp.TlsMode;
import dev.postilion.smtp.auth.Credentials;
import groovy.lang.Closure;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code auth}'s named arguments as a typed record: the keys it takes, the profile's for a bare auth, nothing read early. */
class AuthOptionsTest {

    private static final ScriptLocation AT = new ScriptLocation("t.groovy", 4);
    private static final ProfileLocation FILE = new ProfileLocation(Path.of("profiles.yaml"), 2);

    private static Profile profile(String auth, Secret password) {
        return new Profile("work", "mx.test", 587, TlsMode.STARTTLS, null, false, auth, "guyt", password, null, null,
                null, null, Profile.Pipelining.AUTO, FILE, 0);
    }

    @Test
    void theMechanismKeyNamesTheMechanismAndItsValueTheUser() {
        Secret pw = Secret.of("pw");
        AuthOptions o = AuthOptions.of(Map.of("cramMd5", "guyt", "password", pw, "authzid", "boss"), null, AT);
        assertThat(o).isEqualTo(new AuthOptions("CRAM-MD5", "guyt", pw, null, "boss"));
        assertThat(o.bare()).isFalse();
        assertThat(AuthOptions.of(Map.of("user", "u", "token", "t"), "XOAUTH2", AT).bearer()).isTrue();
        assertThat(AuthOptions.of(Map.of(), null, AT).mechanismOrAuto()).isEqualTo("auto");
    }

    @Test
    void anUnknownKeyIsRefusedWithTheAllowedOnesListed() {
        assertThatThrownBy(() -> AuthOptions.of(Map.of("pasword", "x"), null, AT))
                .isInstanceOfSatisfying(ScriptError.class, e -> assertThat(e.detail()).isEqualTo(
                        "auth: unknown option 'pasword' (did you mean 'password'?); allowed: login, plain, cram-md5,"
                                + " cramMd5, xoauth2, oauthbearer, digest-md5, ntlm, auto, user, password, token,"
                                + " authzid"));
    }

    @Test
    void twoMechanismsAreRefused() {
        assertThatThrownBy(() -> AuthOptions.of(Map.of("login", "u"), "PLAIN", AT))
                .isInstanceOfSatisfying(ScriptError.class, e -> assertThat(e.detail())
                        .isEqualTo("auth: name one mechanism, not PLAIN and login"));
    }

    @Test
    void aBareAuthTakesTheProfilesUserSecretsAndMechanism() {
        Secret pw = Secret.of("pw");
        AuthOptions bare = AuthOptions.of(Map.of(), null, AT);
        assertThat(bare.bare()).isTrue();
        assertThat(bare.from(profile("plain", pw), AT)).isEqualTo(new AuthOptions("plain", "guyt", pw, null, null));
        assertThat(AuthOptions.of(Map.of(), "LOGIN", AT).from(profile("none", pw), AT).mechanism()).isEqualTo("LOGIN");
        assertThatThrownBy(() -> bare.from(profile("none", pw), AT))
                .isInstanceOfSatisfying(ScriptError.class, e -> {
                    assertThat(e.kind()).isEqualTo(ScriptError.Kind.CONFIG);
                    assertThat(e.detail()).isEqualTo("auth: profile 'work' (profiles.yaml:2) has auth: none");
                });
    }

    @Test
    void aMissingUserOrSecretIsFoundBeforeAuthIsSent() {
        assertThatThrownBy(() -> new AuthOptions("login", null, "pw", null, null).requireComplete(AT, null))
                .hasMessageContaining("auth needs a user");
        assertThatThrownBy(() -> new AuthOptions("cram-md5", "u", null, null, null).requireComplete(AT, null))
                .isInstanceOfSatisfying(ScriptError.class, e -> assertThat(e.detail())
                        .isEqualTo("auth needs a password: auth cramMd5: 'u', password: secret('work')"));
        assertThatThrownBy(() -> new AuthOptions("login", "u", null, null, null).requireComplete(AT, profile("login",
                null))).isInstanceOfSatisfying(ScriptError.class, e -> assertThat(e.kind())
                        .isEqualTo(ScriptError.Kind.CONFIG));
    }

    @Test
    void credentialsReadAClosureOnlyWhenTheMechanismAsks() {
        AtomicInteger calls = new AtomicInteger();
        Closure<String> later = new Closure<>(null) {
            @Override
            public String call() {
                calls.incrementAndGet();
                return "from-closure";
            }
        };
        Credentials c = new AuthOptions("login", "u", later, null, null).credentials();
        assertThat(calls).hasValue(0);
        assertThat(c.password().get()).isEqualTo("from-closure");
        assertThat(calls).hasValue(1);
        assertThat(c.toString()).doesNotContain("from-closure");
    }

    @Test
    void onlyARefreshingSecretRenewsABatchsCredentials() {
        Credentials first = Credentials.password("u", () -> "pw");
        assertThat(new AuthOptions("login", "u", Secret.of("pw"), null, null).renewal(first)).isNull();
        assertThat(new AuthOptions("login", "u", "text", null, null).renewal(first)).isNull();
    }

    @Test
    void theOwnersAreTheProfileForItsOwnSecretsAndTheSecretsSourceOtherwise() {
        Secret own = Secret.of("own");
        Secret borrowed = Secret.of("borrowed");
        Profile work = profile("login", own);
        Profile other = new Profile("other", "other.test", 25, TlsMode.NONE, null, false, "login", "o", borrowed,
                null, null, null, null, Profile.Pipelining.AUTO, FILE, 0);
        assertThat(new AuthOptions("login", "u", own, borrowed, null).owners(work, s -> s == borrowed ? other : null))
                .containsExactly(work, other);
        assertThat(new AuthOptions("login", "u", "typed", null, null).owners(work, s -> null)).isEmpty();
    }
}
