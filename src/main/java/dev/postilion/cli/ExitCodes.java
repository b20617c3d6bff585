package dev.postilion.cli;

import dev.postilion.smtp.SmtpException;

/** The one mapping from an engine failure kind to a process exit code. */
final class ExitCodes {

    private ExitCodes() {
    }

    static ExitCode forKind(SmtpException.Kind kind) {
        if (kind == null) {
            return ExitCode.SOFTWARE;
        }
        return switch (kind) {
            case TEMPORARY -> ExitCode.TEMPFAIL;
            case PERMANENT -> ExitCode.UNAVAILABLE;
            case AUTH -> ExitCode.NOPERM;
            case PROTOCOL -> ExitCode.PROTOCOL;
            case TLS, CONFIG -> ExitCode.CONFIG;
            case NO_HOST -> ExitCode.NOHOST;
            case INPUT, STATE -> ExitCode.DATAERR;
            case LOCAL_IO -> ExitCode.IOERR;
        };
    }
}
