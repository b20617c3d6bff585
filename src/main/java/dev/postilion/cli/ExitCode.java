package dev.postilion.cli;

/** The process exit codes: sysexits, as sendmail and msmtp use them, so cron can tell a retry from a bug. */
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
}
