package dev.postilion.dsl;

import dev.postilion.smtp.SmtpException;

/**
 * One problem of a run, with its user-facing message (location first) and what kind of exit it
 * makes.
 *
 * @param smtpKind for {@link Category#SMTP} and {@link Category#BATCH}, the engine's kind; otherwise null
 */
public record Problem(Category category, SmtpException.Kind smtpKind, String message, Throwable cause) {

    /**
     * What went wrong, by kind of exit. The first five are the author-side kinds a
     * {@link ScriptError} carries ({@link ScriptError.Kind}, the same names); the rest come from
     * the run.
     */
    public enum Category {
        /** Compile error or author mistake (65). */
        SCRIPT,
        /** A named file is missing (66). */
        MISSING_FILE,
        /** Profile, secret or TLS configuration (78). */
        CONFIG,
        /** Local I/O (74). */
        LOCAL_IO,
        /** The command line contradicts the files: {@code --resume} with no journal, an output that is the journal (64). */
        USAGE,
        /** An SMTP step failed: see {@link Problem#smtpKind()}. */
        SMTP,
        /** An {@code assert} in the script failed (69: a check the server did not pass). */
        ASSERTION,
        /** A bug (70). */
        INTERNAL,
        /** The run took longer than its time limit (--max-time, maxTime) and was stopped (75). */
        TIME_LIMIT,
        /** A batch ended with items not sent: {@link Problem#smtpKind()} is TEMPORARY (deferred or in doubt, 75),
         * PERMANENT (failed, 69) or INPUT (only invalid rows, 65). */
        BATCH;

        /** The category of an author's mistake: the one of the same name. */
        static Category of(ScriptError.Kind kind) {
            return valueOf(kind.name());
        }
    }

    /** The problem an author's mistake makes. */
    static Problem of(ScriptError e) {
        return new Problem(Category.of(e.kind()), null, e.getMessage(), e);
    }

    /** A problem that is no SMTP failure. */
    static Problem of(Category category, String message, Throwable cause) {
        return new Problem(category, null, message, cause);
    }
}
