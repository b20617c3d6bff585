package dev.postilion.dsl;

import dev.postilion.smtp.SmtpException;

/**
 * Words the remedy of an engine failure in a script's vocabulary ({@code tlsCa:} in connect,
 * {@code rset()}); the engine's message states only the facts.
 */
final class Hints {

    private Hints() {
    }

    /** The remedy as text to append to the engine's message ("" when there is none). */
    static String remedy(SmtpException e) {
        return e.hint() == null ? "" : switch (e.hint()) {
            case PORT_SPEAKS_TLS, NO_GREETING -> ": use tls: 'implicit' in connect";
            case PORT_SPEAKS_PLAIN -> ": use tls: 'starttls' or 'none' in connect";
            case UNTRUSTED_CERTIFICATE -> "\n    to trust it, pass the issuing CA's certificate as PEM with tlsCa: in"
                    + " connect; insecure: true skips every check (never for real credentials)";
            case EXPIRED_CERTIFICATE -> " (insecure: true skips every check, never for real credentials)";
            case STARTTLS_NOT_OFFERED -> "; use tls: 'starttls-if-offered' in connect to allow it, or 'implicit' for"
                    + " port 465";
            case CLEARTEXT_AUTH_REFUSED -> "\n    use tls: 'starttls' or 'implicit' in connect; or allow it explicitly"
                    + " with allowCleartextAuth: true";
            case NO_SUCH_HOST -> "\n    check the host name in connect or in the profile";
            case TRANSACTION_OPEN -> "; finish the transaction with data, or rset() first";
            case TLS_NOT_STARTED -> "\n    call starttls() after ehlo, or let ehlo do it";
            case BASIC_AUTH_RETIRED -> ", with auth xoauth2: 'user', token: ... in the script (or auth: xoauth2 and"
                    + " token: { command: ... } in the profile)";
            case WRONG_HOST_CERTIFICATE, OBSOLETE_TLS -> "";
        };
    }
}
