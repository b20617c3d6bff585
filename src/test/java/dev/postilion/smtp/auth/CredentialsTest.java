package dev.postilion.smtp.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Credentials hold secrets as suppliers: read when a mechanism needs them, once, and afresh only on request. */
class CredentialsTest {

    private static Supplier<String> counting(AtomicInteger reads) {
        return () -> "value-" + reads.incrementAndGet();
    }

    @Test
    void eachSecretIsReadOnceWhenFirstNeededAndFreshReadsAgain() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        Credentials c = Credentials.token("u", counting(reads));
        assertThat(reads).as("nothing is read when credentials are made").hasValue(0);
        assertThat(c.requireToken("XOAUTH2")).isEqualTo("value-1");
        assertThat(c.requireToken("XOAUTH2")).as("every connection that reuses them").isEqualTo("value-1");
        assertThat(reads).hasValue(1);

        Credentials renewed = c.fresh();
        assertThat(renewed.requireToken("XOAUTH2")).isEqualTo("value-2");
        assertThat(c.requireToken("XOAUTH2")).as("the first credentials keep theirs").isEqualTo("value-1");
    }

    @Test
    void aSecretThatCannotBeReadEndsTheMechanismAndIsTriedAgainNextTime() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        Credentials c = Credentials.password("u", () -> {
            if (tries.incrementAndGet() == 1) {
                throw new IllegalStateException("not yet");
            }
            return "pw";
        });
        assertThatThrownBy(() -> c.requirePassword("LOGIN")).isInstanceOf(AuthException.class)
                .hasMessage("LOGIN cannot read its secret: not yet").cause().hasMessage("not yet");
        assertThat(c.requirePassword("LOGIN")).isEqualTo("pw");
    }

    @Test
    void toStringNeverShowsASecret() throws Exception {
        Credentials c = Credentials.password("guyt", () -> "hunter2");
        c.requirePassword("PLAIN");
        assertThat(c.toString()).doesNotContain("hunter2").contains("guyt");
        assertThat(String.valueOf(c.password())).doesNotContain("hunter2");
    }
}
