package dev.postilion.cli;

import dev.postilion.batch.JournalException;
import dev.postilion.dsl.ScriptError;
import dev.postilion.dsl.ScriptFailure;
import dev.postilion.io.InputFile;
import dev.postilion.message.MessageException;
import dev.postilion.profile.ProfileException;
import dev.postilion.smtp.SmtpException;
import picocli.CommandLine;

/**
 * The process exit codes: sysexits, as sendmail and msmtp use them, so cron can tell a retry from a
 * bug; and the one mapping from every failure the layers below raise to its code.
 */
public enum ExitCode {
    OK(0, "everything the script asked for succeeded"),
    USAGE(64, "bad command-line arguments"),
    DATAERR(65, "bad script or data: compile error, bad address, header injection"),
    NOINPUT(66, "script, data or attachment file missing"),
    NOHOST(68, "the server's host name does not exist (DNS: no such domain)"),
    UNAVAILABLE(69, "permanent failure: a 5xx reply the script did not expect"),
    SOFTWARE(70, "internal error (a bug: --debug prints the stack trace)"),
    IOERR(74, "local I/O failure (journal, outbox, report)"),
    TEMPFAIL(75, "temporary failure: 4xx, timeout, connection refused or dropped"),
    PROTOCOL(76, "the server broke the protocol (malformed reply)"),
    NOPERM(77, "authentication failed (535 and friends)"),
    CONFIG(78, "profile or TLS configuration error");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The numeric process exit status. */
    public int code() {
        return code;
    }

    /** One line saying when this code is used. */
    public String meaning() {
        return meaning;
    }

    /** The code for a failure, whichever layer raised it; anything unknown is a bug (70). */
    public static ExitCode of(Throwable e) {
        if (e instanceof SmtpException s) {
            return of(s.kind());
        }
        if (e instanceof ScriptFailure f) {
            return of(f.kind());
        }
        if (e instanceof ScriptError s) {
            return switch (s.kind()) {
                case SCRIPT -> DATAERR;
                case MISSING_FILE -> NOINPUT;
                case CONFIG -> CONFIG;
                case LOCAL_IO -> IOERR;
                case USAGE -> USAGE;
            };
        }
        if (e instanceof MessageException m) {
            return switch (m.kind()) {
                case BAD_DATA -> DATAERR;
                case MISSING_INPUT -> NOINPUT;
                case LOCAL_IO -> IOERR;
            };
        }
        if (e instanceof ProfileException p) {
            return switch (p.kind()) {
                case CONFIG -> CONFIG;
                case NOINPUT -> NOINPUT;
            };
        }
        if (e instanceof JournalException j) {
            return j.locked() ? TEMPFAIL : j.getMessage() != null && j.getMessage().startsWith("no journal at ")
                    ? NOINPUT : IOERR;
        }
        if (e instanceof InputFile.Refused r) {
            return switch (r.reason()) {
                case TOO_LARGE, NOT_UTF8 -> DATAERR;
                case MISSING, NOT_A_FILE, NO_WRITER -> NOINPUT;
                default -> IOERR;
            };
        }
        if (e instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (e instanceof java.io.IOException) {
            return IOERR;
        }
        return SOFTWARE;
    }

    /** The code for an engine failure kind (none known: a bug). */
    public static ExitCode of(SmtpException.Kind kind) {
        if (kind == null) {
            return SOFTWARE;
        }
        return switch (kind) {
            case TEMPORARY -> TEMPFAIL;
            case PERMANENT -> UNAVAILABLE;
            case AUTH -> NOPERM;
            case PROTOCOL -> PROTOCOL;
            case TLS, CONFIG -> CONFIG;
            case NO_HOST -> NOHOST;
            case INPUT, STATE -> DATAERR;
            case LOCAL_IO -> IOERR;
        };
    }

    /** The code for one problem of a script run. */
    public static ExitCode of(dev.postilion.dsl.Problem p) {
        return switch (p.category()) {
            case SCRIPT -> DATAERR;
            case MISSING_FILE -> NOINPUT;
            case CONFIG -> CONFIG;
            case LOCAL_IO -> IOERR;
            case USAGE -> USAGE;
            case ASSERTION -> UNAVAILABLE;
            case INTERNAL -> SOFTWARE;
            case TIME_LIMIT -> TEMPFAIL;
            case SMTP, BATCH -> of(p.smtpKind());
        };
    }
}
