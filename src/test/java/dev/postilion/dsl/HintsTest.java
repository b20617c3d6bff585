package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpException.Hint;
import dev.postilion.smtp.SmtpStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A script words an engine failure's remedy with its own options and verbs, never with CLI flags. */
class HintsTest {

    private static SmtpException failure(Hint hint) {
        return SmtpException.state(SmtpStage.MAIL, "mx.test:25", "a mail transaction is already open", hint);
    }

    @Test
    void scriptWordsTheUntrustedCertificateRemedyWithTlsCaInConnect() {
        assertThat(Hints.remedy(failure(Hint.UNTRUSTED_CERTIFICATE))).isEqualTo("\n    to trust it, pass the issuing"
                + " CA's certificate as PEM with tlsCa: in connect; insecure: true skips every check (never for real"
                + " credentials)");
    }

    @Test
    void anOpenTransactionIsResetWithRset() {
        assertThat(failure(Hint.TRANSACTION_OPEN).getMessage() + Hints.remedy(failure(Hint.TRANSACTION_OPEN)))
                .isEqualTo("a mail transaction is already open; finish the transaction with data, or rset() first");
    }

    @ParameterizedTest
    @EnumSource(Hint.class)
    void noScriptRemedyNamesACliFlag(Hint hint) {
        assertThat(Hints.remedy(failure(hint))).doesNotContain("--").doesNotContain("tls_ca");
    }

    @Test
    void aScriptFailureCarriesTheScriptsRemedy() {
        ScriptFailure f = new ScriptFailure(new ScriptLocation("f.groovy", 3), failure(Hint.TLS_NOT_STARTED));
        assertThat(f.getMessage()).isEqualTo("f.groovy:3: a mail transaction is already open"
                + "\n    call starttls() after ehlo, or let ehlo do it");
    }
}
