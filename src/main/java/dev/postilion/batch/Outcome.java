package dev.postilion.batch;

/**
 * How a batch ended, as one value a command line maps to its exit code (sysexits, as in
 * DESIGN.md). When several apply, the first in this order wins: a stop for auth, configuration,
 * an unknown host, protocol, input or local I/O; then anything still retryable or in doubt; then
 * permanent failures; then invalid rows.
 */
public enum Outcome {
    /** Every message was sent (or there was nothing to send): exit 0. */
    SENT,
    /**
     * Some recipients were refused permanently (5xx) or expired (still 4xx past their maximum age),
     * or the batch stopped on a run of identical errors; nothing is deferred: exit 69.
     */
    FAILED,
    /**
     * Some recipients are deferred (4xx, lost connections) or in doubt; or the batch stopped because
     * the server could not be reached, refused message after message temporarily, or said the
     * account's daily quota is used up: run again with resume: exit 75.
     */
    DEFERRED,
    /** Only invalid rows kept messages from being sent (a bad address, a line break in a value): exit 65. */
    INVALID_ROWS,
    /** Authentication was refused; the batch stopped at once: exit 77. */
    AUTH_FAILED,
    /** TLS or connection settings are wrong (untrusted certificate, STARTTLS missing): exit 78. */
    CONFIG,
    /** The server's host name does not exist (DNS NXDOMAIN); the batch stopped before trying any row: exit 68. */
    NO_HOST,
    /** The server broke the protocol while connecting: exit 76. */
    PROTOCOL,
    /** The source is malformed past recovery (broken CSV quoting, not UTF-8, not a list): exit 65. */
    BAD_SOURCE,
    /** The source file, or a template or attachment the messages need, does not exist: exit 66. */
    NO_INPUT,
    /** The journal or report could not be written, or the journal is damaged: exit 74. */
    LOCAL_IO,
    /**
     * The batch was asked for something its files contradict, before anything was sent: {@code --resume}
     * with no journal, a new batch on an existing journal, an output file that is the journal: exit 64.
     */
    USAGE,
    /** A bug: exit 70. */
    INTERNAL
}
