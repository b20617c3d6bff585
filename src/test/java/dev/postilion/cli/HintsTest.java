package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpException.Hint;
import dev.postilion.smtp.SmtpStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The command line words an engine failure's remedy with its own flags, and a profile with its own keys. */
class HintsTest {

    private static SmtpException failure(Hint hint) {
        return SmtpException.tls(SmtpStage.TLS, "mx.test:25", "TLS certificate of mx.test:25 not trusted: PKIX", null,
                hint);
    }

    @Test
    void cliWordsTheUntrustedCertificateRemedyWithItsOwnFlag() {
        assertThat(Hints.remedy(failure(Hint.UNTRUSTED_CERTIFICATE))).isEqualTo("\n    to trust it, pass the issuing"
                + " CA's certificate as PEM with --tls-ca FILE; --insecure skips every check (never for real"
                + " credentials)");
    }

    @Test
    void aProfileWordsTheUntrustedCertificateRemedyWithItsOwnKey() {
        assertThat(Hints.profileRemedy(failure(Hint.UNTRUSTED_CERTIFICATE))).contains("tls_ca: in the profile")
                .doesNotContain("--").doesNotContain("tlsCa");
    }

    @ParameterizedTest
    @EnumSource(Hint.class)
    void noCliRemedyUsesTheScriptsWords(Hint hint) {
        assertThat(Hints.remedy(failure(hint))).doesNotContain("tlsCa").doesNotContain("tls_ca")
                .doesNotContain("tls: '").doesNotContain("()").doesNotContain("allowCleartextAuth");
        assertThat(Hints.profileRemedy(failure(hint))).doesNotContain("--").doesNotContain("tlsCa")
                .doesNotContain("()");
    }

    @Test
    void aFailureWithoutAHintGetsNoRemedy() {
        assertThat(Hints.remedy(failure(null))).isEmpty();
        assertThat(Hints.profileRemedy(failure(null))).isEmpty();
    }
}
