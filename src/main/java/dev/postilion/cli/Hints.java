package dev.postilion.cli;

import dev.postilion.smtp.SmtpException;

/**
 * Words the remedy of an engine failure in the command line's vocabulary ({@code --tls-ca FILE},
 * {@code --insecure}), or in the profile file's ({@code tls_ca:}) when a profile is the source;
 * the engine's message states only the facts.
 */
final class Hints {

    private Hints() {
    }

    /** The remedy for a failure of a command run with flags, as text to append to its message ("" for none). */
    static String remedy(SmtpException e) {
        return e.hint() == null ? "" : switch (e.hint()) {
            case PORT_SPEAKS_TLS, NO_GREETING -> ": use --tls implicit";
            case PORT_SPEAKS_PLAIN -> ": use --tls starttls or none";
            case UNTRUSTED_CERTIFICATE -> "\n    to trust it, pass the issuing CA's certificate as PEM with --tls-ca FILE;"
                    + " --insecure skips every check (never for real credentials)";
            case EXPIRED_CERTIFICATE -> " (--insecure skips every check, never for real credentials)";
            case STARTTLS_NOT_OFFERED -> "; use --tls starttls-if-offered to allow it, or --tls implicit for port 465";
            case CLEARTEXT_AUTH_REFUSED -> "\n    use --tls starttls or implicit; or allow it explicitly with"
                    + " --allow-cleartext-auth";
            case NO_SUCH_HOST -> "\n    check the host name given with --server or in the profile";
            case BASIC_AUTH_RETIRED -> PROFILE_OAUTH;
            case TRANSACTION_OPEN, TLS_NOT_STARTED, WRONG_HOST_CERTIFICATE, OBSOLETE_TLS -> "";
        };
    }

    /** The remedy for a failure of a connection a profile describes, in the profile file's keys. */
    static String profileRemedy(SmtpException e) {
        return e.hint() == null ? "" : switch (e.hint()) {
            case PORT_SPEAKS_TLS, NO_GREETING -> ": use tls: implicit in the profile";
            case PORT_SPEAKS_PLAIN -> ": use tls: starttls or none in the profile";
            case UNTRUSTED_CERTIFICATE -> "\n    to trust it, pass the issuing CA's certificate as PEM with tls_ca: in"
                    + " the profile; insecure: true skips every check (never for real credentials)";
            case EXPIRED_CERTIFICATE -> " (insecure: true skips every check, never for real credentials)";
            case STARTTLS_NOT_OFFERED -> "; use tls: starttls-if-offered in the profile to allow it, or tls: implicit"
                    + " for port 465";
            case CLEARTEXT_AUTH_REFUSED -> "\n    use tls: starttls or implicit in the profile";
            case NO_SUCH_HOST -> "\n    check host: in the profile";
            case BASIC_AUTH_RETIRED -> PROFILE_OAUTH;
            case TRANSACTION_OPEN, TLS_NOT_STARTED, WRONG_HOST_CERTIFICATE, OBSOLETE_TLS -> "";
        };
    }

    private static final String PROFILE_OAUTH = ", with auth: xoauth2 and token: { command: ... } (a command that"
            + " prints a fresh access token) in the profile";
}
